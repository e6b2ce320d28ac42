"""The queue panel's statements: paused providers (schema file 009), what waits and runs, how long jobs took.

A pause is a row in `paused_providers`; the claim statement (queries/jobs.py) reads it, so the
pause holds for every app process on the database and across restarts.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, case, delete, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Generation, PausedProvider
from boards_desktop.db.queries.records import GenerationRecord, generation_columns
from boards_desktop.db.queries.upserts import insert_ignoring_duplicates
from boards_desktop.db.types import utcnow

ACTIVE = ("pending", "processing")
# How many recent runs of a generator its estimate is made from.
RECENT_RUNS = 20


async def paused_providers(session: AsyncSession) -> set[str]:
    return set(await session.scalars(select(PausedProvider.provider)))


async def pause(session: AsyncSession, provider: str, user_id: uuid.UUID) -> None:
    """Pause a provider; pausing a paused one changes nothing."""
    await session.execute(
        insert_ignoring_duplicates(session, PausedProvider),
        [{"provider": provider, "paused_by": str(user_id), "paused_at": utcnow()}],
    )


async def resume(session: AsyncSession, provider: str) -> None:
    await session.execute(delete(PausedProvider).where(PausedProvider.provider == provider))


class ActiveCounts(NamedTuple):
    counts: dict[tuple[str, str], int]  # (generator name, status) -> how many, but those in `elsewhere`
    elsewhere: dict[str, int]  # generator name -> how many wait queued with another media storage


async def active_counts(session: AsyncSession, tenant_id: uuid.UUID, storage: str | None = None) -> ActiveCounts:
    """How many jobs are pending or processing, per generator and status. Sibling outputs are not
    jobs of their own (they finish with theirs), so they are not counted.

    With `storage` (this app's media storage, on a shared database), pending jobs queued by an app
    with another storage (schema file 012) are counted apart: no app with `storage` runs them
    (db.queries.jobs claims only its own). One statement either way: the panel reads it often.
    """
    if storage is None:
        apart: Any = literal(False)
    else:
        apart = and_(
            Generation.status == "pending",
            Generation.media_storage.is_not(None),
            Generation.media_storage != storage,
        )
    flag = case((apart, 1), else_=0).label("elsewhere")
    rows = await session.execute(
        select(Generation.generator_name, Generation.status, flag, func.count())
        .where(
            Generation.tenant_id == tenant_id,
            Generation.status.in_(ACTIVE),
            Generation.batch_generation_id.is_(None),
        )
        .group_by(Generation.generator_name, Generation.status, flag)
    )
    result = ActiveCounts({}, {})
    for name, status, elsewhere, count in rows:
        if elsewhere:
            result.elsewhere[name] = result.elsewhere.get(name, 0) + count
        else:
            result.counts[(name, status)] = result.counts.get((name, status), 0) + count
    return result


async def pending_by_other_storage(session: AsyncSession, storage: str) -> dict[str, int]:
    """Media storage -> how many jobs wait queued with it, for every storage but `storage`."""
    rows = await session.execute(
        select(Generation.media_storage, func.count())
        .where(
            Generation.status == "pending",
            Generation.media_storage.is_not(None),
            Generation.media_storage != storage,
        )
        .group_by(Generation.media_storage)
    )
    return {found: count for found, count in rows if found is not None}


async def running_since(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, datetime | None]]:
    """(generator name, started at) of every running job: what is left of them counts in an estimate."""
    rows = await session.execute(
        select(Generation.generator_name, Generation.started_at).where(
            Generation.tenant_id == tenant_id,
            Generation.status == "processing",
            Generation.batch_generation_id.is_(None),
        )
    )
    return [(name, started) for name, started in rows]


async def recent_durations(session: AsyncSession, generator_names: Sequence[str]) -> dict[str, list[float]]:
    """Seconds from start to finish of each generator's last few completed jobs, newest first."""
    durations: dict[str, list[float]] = {}
    for name in generator_names:
        rows = await session.execute(
            select(Generation.started_at, Generation.completed_at)
            .where(
                Generation.generator_name == name,
                Generation.status == "completed",
                Generation.started_at.is_not(None),
                Generation.completed_at.is_not(None),
                Generation.batch_generation_id.is_(None),
            )
            .order_by(Generation.completed_at.desc())
            .limit(RECENT_RUNS)
        )
        seconds = [(done - started).total_seconds() for started, done in rows if started and done]
        if seconds:
            durations[name] = [max(0.0, value) for value in seconds]
    return durations


async def active_jobs_of(
    session: AsyncSession, user_id: uuid.UUID, generator_names: Sequence[str], limit: int
) -> list[GenerationRecord]:
    """The user's own running and waiting jobs of these generators: running first, then in claim order."""
    if not generator_names:
        return []
    rows = await session.execute(
        select(*generation_columns())
        .where(
            Generation.user_id == user_id,
            Generation.status.in_(ACTIVE),
            Generation.generator_name.in_(list(generator_names)),
            Generation.batch_generation_id.is_(None),
        )
        .order_by(Generation.status.desc(), Generation.created_at, Generation.id)  # processing > pending
        .limit(limit)
    )
    return list(rows)


async def cancel_active(
    session: AsyncSession, user_id: uuid.UUID, generator_names: Sequence[str], *, running: bool
) -> list[GenerationRecord]:
    """Cancel the user's waiting jobs of these generators (and running ones with `running`); returns them.

    The status condition is in the UPDATE itself, as for one cancel: a job finishing at the same
    moment keeps its terminal status.
    """
    if not generator_names:
        return []
    now = utcnow()
    statuses = ACTIVE if running else ("pending",)
    ids = list(
        await session.scalars(
            update(Generation)
            .where(
                Generation.user_id == user_id,
                Generation.status.in_(statuses),
                Generation.generator_name.in_(list(generator_names)),
                Generation.batch_generation_id.is_(None),
            )
            .values(status="cancelled", completed_at=now, updated_at=now)
            .returning(Generation.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not ids:
        return []
    rows = await session.execute(select(*generation_columns()).where(Generation.id.in_(ids)))
    return list(rows)
