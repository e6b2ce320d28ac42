"""queueStatus, pauseProvider, resumeProvider, cancelQueued: the queue panel (an addition to upstream).

Counts are the installation's (everyone's jobs on a shared database wait in the same queue);
the jobs listed, and the ones "cancel all" stops, are the caller's own. On a shared database a job
queued by an app with another media storage is run only by such an app (db.queries.jobs): it is
counted apart (`waitingElsewhere`), left out of the estimate, and takes no place in line. A pause is stored in the
database (schema file 009) and honoured by the claim itself, so it holds across restarts and for
every app process on the database.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Mapping
from datetime import datetime

import strawberry

from boards_desktop.db.queries import queue as queue_queries
from boards_desktop.db.types import utcnow
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.errors import bad_input
from boards_desktop.graphql.types.generations import Generation
from boards_desktop.jobs.events import GenerationEvent

# How many of the caller's own jobs the panel lists (all of them are counted).
LISTED_JOBS = 200


@strawberry.type(description="One provider's queue: what waits, what runs, whether it is paused.")
class QueueProvider:
    name: str
    waiting: int = strawberry.field(
        description="Jobs queued and not started (everyone's) that apps with this app's media storage run."
    )
    running: int = strawberry.field(description="Jobs running now (everyone's).")
    paused: bool = strawberry.field(description="Paused: its waiting jobs stay queued until it is resumed.")
    concurrency: int = strawberry.field(description="How many of its jobs run at once.")
    estimated_seconds: float | None = strawberry.field(
        description="About how long until its queue is done, from the recent durations of its generators; "
        "null when none of them has finished a job yet (or it runs nothing at once)."
    )
    jobs: list[Generation] = strawberry.field(description="Your own running and waiting jobs, running first.")
    waiting_elsewhere: int = strawberry.field(
        default=0,
        description="Jobs queued and not started (everyone's) by an app with another media storage: only "
        "an app with that storage runs them (0 on SQLite).",
    )
    waiting_elsewhere_ids: list[uuid.UUID] = strawberry.field(
        default_factory=list,
        description="Which of your own listed jobs wait for an app with another media storage.",
    )


@strawberry.type
class QueueStatus:
    providers: list[QueueProvider]
    waiting: int
    running: int
    waiting_elsewhere: int = strawberry.field(
        default=0, description="Jobs waiting for an app with another media storage, all providers together."
    )


@strawberry.type
class QueueQuery:
    @strawberry.field(description="The job queue per provider: waiting, running, paused, an estimate.")
    async def queue_status(self, info: strawberry.Info) -> QueueStatus:
        return await queue_status_of(context_of(info))


@strawberry.type
class QueueMutations:
    @strawberry.mutation(
        description="Pause a provider: its waiting jobs stay queued and none starts; running ones finish. "
        "Kept until resumed, across restarts."
    )
    async def pause_provider(self, info: strawberry.Info, name: str) -> QueueStatus:
        ctx = context_of(info)
        _known(ctx, name)
        async with ctx.sessions.write() as session:
            await queue_queries.pause(session, name, ctx.actor.user_id)
        return await queue_status_of(ctx)

    @strawberry.mutation(description="Resume a paused provider: its waiting jobs start in the order they were queued.")
    async def resume_provider(self, info: strawberry.Info, name: str) -> QueueStatus:
        ctx = context_of(info)
        async with ctx.sessions.write() as session:
            # A paused provider whose generators are gone (a plugin removed) can still be resumed.
            if name not in await queue_queries.paused_providers(session):
                _known(ctx, name)
            await queue_queries.resume(session, name)
        ctx.services.jobs.wake(name)  # other app processes find the jobs within their safety net (30 s)
        return await queue_status_of(ctx)

    @strawberry.mutation(
        description="Cancel your own waiting jobs of a provider (or of every provider when it is left out), "
        "and with `running` (the default) the running ones too. Returns how many were cancelled."
    )
    async def cancel_queued(self, info: strawberry.Info, provider: str | None = None, running: bool = True) -> int:
        ctx = context_of(info)
        registry = ctx.services.generators
        if provider is not None:
            _known(ctx, provider)
            names = registry.names_of_provider(provider)
        else:
            names = [generator.name for generator in registry]
        async with ctx.sessions.write() as session:
            rows = await queue_queries.cancel_active(session, ctx.actor.user_id, names, running=running)
        for row in rows:
            # Watchers see it at once, and the job runner that holds it (in any app process) stops it.
            await ctx.services.events.publish(GenerationEvent.from_record(row))
            ctx.loaders.forget_board_contents(row.board_id)
        return len(rows)


def _known(ctx: RequestContext, provider: str) -> None:
    known = ctx.services.generators.providers()
    if provider not in known:
        raise bad_input(
            f"name: there is no provider {provider!r} with generators; use one of {', '.join(sorted(known))}"
        )


async def queue_status_of(ctx: RequestContext) -> QueueStatus:
    services = ctx.services
    registry = services.generators
    tenant = ctx.actor.tenant_id
    async with ctx.sessions.read() as session:
        paused = await queue_queries.paused_providers(session)
        storage = services.jobs.media_storage  # None on SQLite: every job is this app's
        counts, elsewhere = await queue_queries.active_counts(session, tenant, storage)
        running_since = await queue_queries.running_since(session, tenant)
        active_names = sorted({name for name, _ in counts})
        durations = await queue_queries.recent_durations(session, active_names)
        jobs = await queue_queries.active_jobs_of(
            session, ctx.actor.user_id, [generator.name for generator in registry], LISTED_JOBS
        )
    providers = sorted(registry.providers() | paused)
    listed: dict[str, list[Generation]] = {name: [] for name in providers}
    listed_elsewhere: dict[str, list[uuid.UUID]] = {}
    for row in jobs:
        generator = registry.get(row.generator_name)
        if generator is not None:
            listed.setdefault(generator.provider, []).append(Generation.from_row(row, ctx))
            if storage is not None and row.status == "pending" and row.media_storage not in (None, storage):
                listed_elsewhere.setdefault(generator.provider, []).append(row.id)
    now = utcnow()
    result = []
    for provider in providers:
        names = set(registry.names_of_provider(provider))
        waiting = {name: count for (name, status), count in counts.items() if name in names and status == "pending"}
        started = [(name, at) for name, at in running_since if name in names]
        # Its groups' limits together (each OpenAI-compatible endpoint has its own).
        groups = registry.groups_of_provider(provider) or {provider: []}
        concurrency = sum(services.preferences.concurrency_of(group) for group in groups)
        result.append(
            QueueProvider(
                name=provider,
                waiting=sum(waiting.values()),
                waiting_elsewhere=sum(count for name, count in elsewhere.items() if name in names),
                waiting_elsewhere_ids=listed_elsewhere.get(provider, []),
                running=len(started),
                paused=provider in paused,
                concurrency=concurrency,
                estimated_seconds=_estimate(waiting, started, durations, concurrency, now),
                jobs=listed.get(provider, []),
            )
        )
    return QueueStatus(
        providers=result,
        waiting=sum(item.waiting for item in result),
        running=sum(item.running for item in result),
        waiting_elsewhere=sum(item.waiting_elsewhere for item in result),
    )


def _estimate(
    waiting: Mapping[str, int],
    started: list[tuple[str, datetime | None]],
    durations: Mapping[str, list[float]],
    concurrency: int,
    now: datetime,
) -> float | None:
    """Seconds until a provider's queue is done: the work left divided among its slots.

    A job takes what its generator's recent runs took (their median: one stuck run does not
    skew it); a generator without a finished run takes the median of the provider's others.
    """
    if not waiting and not started:
        return 0.0
    typical = {name: statistics.median(values) for name, values in durations.items() if values}
    if concurrency < 1:
        return None
    known = [typical[name] for name in {*waiting, *(name for name, _ in started)} if name in typical]
    if not known:
        return None
    fallback = statistics.median(known)
    work = sum(count * typical.get(name, fallback) for name, count in waiting.items())
    for name, at in started:
        elapsed = (now - at).total_seconds() if at is not None else 0.0
        work += max(typical.get(name, fallback) - elapsed, 1.0)
    return round(work / concurrency, 1)
