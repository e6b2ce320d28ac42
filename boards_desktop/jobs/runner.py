"""The job runner: asyncio tasks in the server process that take jobs from the generations table.

One dispatcher claims the oldest pending jobs of each provider while its concurrency group has free
slots (a provider's generators share one group, except that each OpenAI-compatible endpoint is a group
of its own; `concurrency_of`: the Settings page's choice, read at every claim, else the settings) and is not
paused (the queue panel's pause, a row the claim statement itself checks), and starts a task per
job. A lease loop renews the leases of running jobs every few seconds; a job whose lease could
not be renewed was cancelled by an artist or taken over, and its task is stopped without writing
anything. The same loop takes over jobs whose claimer stopped renewing (a crashed app on a shared PostgreSQL database).

Wake-ups: a new job wakes the dispatcher at once (`wake()`, and the `pending` events that every
queued job publishes: this process's directly, other processes' through PostgreSQL's LISTEN). Idle,
the runner wakes only every `SAFETY_NET_SECONDS`: to look for pending jobs nobody announced (a
notification lost while the LISTEN connection was down) and for jobs whose claimer stopped renewing.
Leases are renewed every few seconds only while jobs run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.engine import Database
from boards_desktop.db.queries import jobs as job_queries
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.db.types import utcnow
from boards_desktop.generators.registry import GeneratorRegistry
from boards_desktop.jobs.elsewhere_note import note_jobs_waiting_elsewhere
from boards_desktop.jobs.events import EventBroker, GenerationEvent
from boards_desktop.jobs.execution import JobExecution
from boards_desktop.jobs.group_writes import GroupWriter
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings

log = logging.getLogger("boards.jobs")

# The lease is a setting (`BOARDS_JOB_LEASE`, 30 s by default); it is renewed every sixth of it,
# at most this seldom, so that a renewal late by a few seconds on a busy machine is still in time.
RENEW_EVERY_SECONDS = 5.0
# Idle, the runner wakes this seldom (the idle budget: design.md). A job announced in no event is
# found this late at worst; an abandoned job (its lease run out) this long after its lease ends.
SAFETY_NET_SECONDS = 30.0
CLAIM_BATCH = 64


@dataclass
class _Running:
    execution: JobExecution
    task: asyncio.Task[None] = field(repr=False)


class JobRunner:
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        registry: GeneratorRegistry,
        media: MediaStore,
        events: EventBroker,
        http: httpx.AsyncClient,
        installation: str,
        concurrency_of: Callable[[str], int] | None = None,
    ) -> None:
        # `<installation>/<host>:<pid>:<random>`: the prefix lets the next start of this installation
        # know its own crashed jobs on a shared database without waiting for their leases to expire.
        self._installation = installation
        self.owner = f"{installation}/{socket.gethostname()[:16]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._settings = settings
        self._lease = timedelta(seconds=settings.job_lease_seconds)
        self._renew_every = min(RENEW_EVERY_SECONDS, settings.job_lease_seconds / 6)
        # Idle, abandoned jobs are looked for every SAFETY_NET_SECONDS, or every lease when that is
        # shorter: a job left by a killed app is taken over at most about two leases after the kill.
        self._take_over_every = min(SAFETY_NET_SECONDS, settings.job_lease_seconds)
        # On a shared database (PostgreSQL) only the jobs queued by apps with our media storage are
        # ours to run: their inputs are there, and their results must land where the queuing app reads.
        # SQLite is one app at a time: every job is ours, whatever storage it was queued with.
        self._media_storage = None if database.is_sqlite else media.storage_id
        self._concurrency_of = concurrency_of or settings.concurrency_of
        self._database = database
        self._registry = registry
        self._media = media
        self._events = events
        self._http = http
        self._running: dict[uuid.UUID, _Running] = {}
        # Claims, progress, completions and failures that come together share a transaction.
        self._writes = GroupWriter(database)
        self._claimed: set[uuid.UUID] = set()  # claimed, not yet started
        self._wake = asyncio.Event()
        self._started_jobs = asyncio.Event()  # wakes an idle lease loop: the new jobs' leases need renewing
        # Providers that may have pending jobs. A claim is a write transaction, and on SQLite every
        # write waits for the one writer: claiming for providers with nothing queued would slow
        # down the requests that queue jobs. A claim that comes back short clears the flag; a new
        # job, a poll and a free slot set it again.
        self._maybe_pending: set[str] = set(registry.providers())
        # Counts wake-ups: a claim that came back short clears its provider's flag only if nothing
        # woke the runner meanwhile (a job committed after the claim's read must not wait for the safety net).
        self._wakes = 0
        self._loops: list[asyncio.Task[None]] = []
        self._stopping = False

    # -- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        # SQLite is one app at a time (the instance lock): whatever is `processing` was left by a
        # previous run of this app, whatever its lease says. PostgreSQL may be shared: there the jobs
        # of earlier runs of this installation are taken over at once, others' once their lease expires.
        await self._take_over_abandoned(everything=self._database.is_sqlite, mine=True)
        if self._media_storage is not None:
            await note_jobs_waiting_elsewhere(self._database, self._media_storage)
        self._loops = [
            asyncio.create_task(self._dispatch_loop(), name="jobs-dispatch"),
            asyncio.create_task(self._lease_loop(), name="jobs-leases"),
            asyncio.create_task(self._listen_loop(), name="jobs-events"),
        ]

    async def stop(self, grace_seconds: float = 5.0) -> None:
        """Claim nothing more, give running jobs a few seconds, then leave the rest resumable."""
        self._stopping = True
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        tasks = [running.task for running in self._running.values()]
        if tasks:
            await asyncio.wait(tasks, timeout=grace_seconds)
        left = list(self._running.values())
        for running in left:
            running.execution.stop_reason = "shutdown"
            running.task.cancel()
        await asyncio.gather(*(running.task for running in left), return_exceptions=True)
        await self._writes.drain()  # a claim under way commits (or not) before we look at what is ours
        never_started = sorted(self._claimed)
        if left or never_started:
            async with self._database.write() as session:
                await job_queries.release(session, owner=self.owner, ids=[r.execution.job.id for r in left])
                await job_queries.unclaim(session, owner=self.owner, ids=never_started)
            log.info("%d job(s) left to resume at the next start", len(left) + len(never_started))

    def wake(self, provider: str | None = None) -> None:
        """A job may be waiting: for `provider`, or for any when it is not known (another process)."""
        self._maybe_pending.update([provider] if provider else self._registry.providers())
        self._wakes += 1
        self._wake.set()

    @property
    def media_storage(self) -> str | None:
        """The storage recorded on the jobs this app queues (None on SQLite: every job is this app's)."""
        return self._media_storage

    @property
    def running_ids(self) -> set[uuid.UUID]:
        return set(self._running)

    def cancel(self, generation_id: uuid.UUID) -> None:
        """Stop a job of ours that an artist cancelled (its row is already `cancelled`)."""
        running = self._running.get(generation_id)
        if running is not None and not running.task.done():
            running.execution.stop_reason = "cancelled"
            running.task.cancel()

    def cancel_board(self, board_id: uuid.UUID) -> None:
        """Stop our jobs of a deleted board (its rows are gone; the remote jobs are cancelled too)."""
        for job_id, running in list(self._running.items()):
            if running.execution.job.board_id == board_id:
                self.cancel(job_id)

    # -- claiming ----------------------------------------------------------------------------------

    async def _dispatch_loop(self) -> None:
        while not self._stopping:
            try:
                more = await self._claim_and_start()
            except Exception:
                log.exception("claiming jobs failed; trying again shortly")
                more = False
            if more:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=SAFETY_NET_SECONDS)
            except TimeoutError:
                await self._look_for_unannounced()
            self._wake.clear()

    async def _look_for_unannounced(self) -> None:
        """The safety net: the providers with pending jobs, found by one read (not a claim per provider)."""
        try:
            async with self._database.read() as session:
                names = await job_queries.pending_generator_names(session)
        except Exception:
            log.exception("looking for pending jobs failed; claiming for every provider")
            self._maybe_pending.update(self._registry.providers())
            return
        for name in names:
            generator = self._registry.get(name)
            if generator is not None:
                self._maybe_pending.add(generator.provider)

    async def _claim_and_start(self) -> bool:
        """Claim for every concurrency group with free slots; True when a provider may have more waiting."""
        more = False
        for provider in sorted(self._maybe_pending):
            wakes = self._wakes
            drained = True  # every group of the provider came back short: nothing of it waits
            # A provider's generators usually share one limit; an OpenAI-compatible endpoint has its own.
            for group, names in sorted(self._registry.groups_of_provider(provider).items()):
                free = self._free_slots(group)
                if free <= 0:
                    drained = False
                    continue
                limit = min(free, CLAIM_BATCH)
                # In the same transaction as the running jobs' completions of the moment (jobs.group_writes).
                jobs = await self._writes.run(partial(self._claim, provider=provider, names=names, limit=limit))
                self._start_all(jobs, mode="run")
                if len(jobs) == limit:
                    more = True
                    drained = False
            if drained and self._wakes == wakes:
                self._maybe_pending.discard(provider)
        return more

    async def _claim(
        self, session: AsyncSession, *, provider: str, names: list[str], limit: int
    ) -> list[GenerationRecord]:
        jobs = await job_queries.claim_pending(
            session,
            provider=provider,
            generator_names=names,
            owner=self.owner,
            lease=self._lease,
            limit=limit,
            media_storage=self._media_storage,
        )
        # Until started: a claim committed for a dispatcher stopped meanwhile is released at stop().
        self._claimed.update(job.id for job in jobs)
        return jobs

    def _free_slots(self, group: str) -> int:
        # A job writing its results holds no slot: the next one is claimed while that write commits,
        # often in the same transaction (jobs.group_writes).
        busy = sum(
            1 for r in self._running.values() if r.execution.concurrency_group == group and not r.execution.finishing
        )
        return self._concurrency_of(group) - busy

    def _start_all(self, jobs: Iterable[GenerationRecord], *, mode: str) -> None:
        for job in jobs:
            self._claimed.discard(job.id)
            generator = self._registry.get(job.generator_name)
            execution = JobExecution(
                job,
                generator,
                mode=mode,
                owner=self.owner,
                settings=self._settings,
                database=self._database,
                media=self._media,
                events=self._events,
                http=self._http,
                writes=self._writes,
            )
            execution.on_finishing = partial(self._slot_freed, execution)
            task = asyncio.create_task(execution.run(), name=f"job-{job.id}")
            self._running[job.id] = _Running(execution, task)
            task.add_done_callback(partial(self._job_done, job.id))
            self._started_jobs.set()

    def _job_done(self, job_id: uuid.UUID, _task: asyncio.Task[None]) -> None:
        self._finished(job_id)

    def _slot_freed(self, execution: JobExecution) -> None:
        if execution.generator_provider in self._maybe_pending:
            self._wake.set()  # its slot is free while its results are written

    def _finished(self, job_id: uuid.UUID) -> None:
        running = self._running.pop(job_id, None)
        if running is not None and running.execution.generator_provider in self._maybe_pending:
            self._wake.set()  # a slot is free for a provider that may have jobs waiting

    # -- leases and take-over ------------------------------------------------------------------------

    async def _lease_loop(self) -> None:
        loop = asyncio.get_running_loop()
        last_take_over = loop.time()
        while not self._stopping:
            take_over_in = max(self._take_over_every - (loop.time() - last_take_over), 0.0)
            if self._running:
                await asyncio.sleep(min(self._renew_every, take_over_in))
            else:
                # Nothing to renew: sleep until the take-over's turn, or until jobs start (their
                # leases, a renewal interval from now, are the next thing to do).
                self._started_jobs.clear()
                try:
                    await asyncio.wait_for(self._started_jobs.wait(), timeout=take_over_in)
                    continue
                except TimeoutError:
                    pass
            try:
                busy = bool(self._running)
                await self._renew()
                # While jobs run, abandoned ones are looked for as often as leases are renewed (a busy
                # app on a shared database takes over a crashed one's jobs promptly); idle, every 30 s
                # (or every lease, when the lease is shorter).
                if busy or loop.time() - last_take_over >= self._take_over_every:
                    last_take_over = loop.time()
                    await self._take_over_abandoned(everything=False)
            except Exception:
                log.exception("renewing job leases failed; trying again shortly")

    async def _renew(self) -> None:
        ids = list(self._running)
        if not ids:
            return
        # Through the group writer, never beside it: a renewal locks several running jobs' rows, and so
        # may a group (their completions); two such transactions at once could deadlock on PostgreSQL.
        still_ours = await self._writes.run(
            lambda session: job_queries.renew_leases(session, owner=self.owner, ids=ids, lease=self._lease)
        )
        for job_id in ids:
            running = self._running.get(job_id)
            if job_id not in still_ours and running is not None and not running.task.done():
                # Cancelled (possibly by another process) or taken over: stop, write nothing.
                running.execution.stop_reason = "lost"
                running.task.cancel()

    async def _take_over_abandoned(self, *, everything: bool, mine: bool = False) -> None:
        names = [generator.name for generator in self._registry]
        expired_before = utcnow() + (timedelta(days=36500) if everything else timedelta(0))
        async with self._database.write() as session:
            jobs = await job_queries.claim_abandoned(
                session,
                generator_names=names,
                owner=self.owner,
                lease=self._lease,
                expired_before=expired_before,
                owner_prefix=self._installation if mine else None,
                media_storage=self._media_storage,
            )
        if not jobs:
            return
        recover, rerun = [], []
        for job in jobs:
            generator = self._registry.get(job.generator_name)
            if generator is not None and job.external_job_id and generator.can_resume:
                recover.append(job)
            elif generator is not None and generator.rerun_safe and job.attempts <= self._settings.job_retries + 2:
                rerun.append(job)
            else:
                reason = (
                    "interrupted when the app closed; regenerate it to try again"
                    if job.attempts <= self._settings.job_retries + 2
                    else f"the app stopped while running this job {job.attempts - 1} times; it was not tried again"
                )
                await JobExecution.fail_abandoned(
                    job, reason, database=self._database, events=self._events, media=self._media
                )
        log.info("taking over %d interrupted job(s): %d resumed, %d run again", len(jobs), len(recover), len(rerun))
        self._start_all(recover, mode="resume")
        self._start_all(rerun, mode="rerun")

    # -- events from elsewhere -----------------------------------------------------------------------

    async def _listen_loop(self) -> None:
        while not self._stopping:
            try:
                async with self._events.subscribe() as events:
                    async for event in events:
                        if not isinstance(event, GenerationEvent):
                            continue  # a change to a board: its jobs are stopped by the mutation's app
                        if event.status == "pending":
                            generator = self._registry.get(event.generator_name or "")
                            self.wake(generator.provider if generator is not None else None)
                        elif event.status == "cancelled":
                            try:
                                self.cancel(uuid.UUID(event.generation_id))
                            except ValueError:
                                pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the job runner's event subscription failed; subscribing again")
            await asyncio.sleep(1.0)  # a subscription that ended (the broker stopping) must not spin
