"""One job, from claim to terminal state: inputs, attempts with backoff, timeout, outputs, events.

How a job ends:
- completed: every output stored, then the job and its siblings finished in one transaction;
- failed: a permanent error, transient errors past the retry limit, the timeout, or bad inputs;
  the message is written for the artist, and the job's siblings fail with it;
- cancelled: the row was cancelled by an artist; the task is cancelled here, the remote job is
  cancelled through `generator.cancel`, siblings are cancelled, files removed;
- stopped at shutdown or lost to another worker: nothing is written; the job resumes elsewhere.
Files of a job that did not complete are deleted after the database says so.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import BaseModel

from boards_desktop.db.engine import Database
from boards_desktop.db.queries import jobs as job_queries
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.db.search_text import content_search_text
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.registry import availability_of, group_of
from boards_desktop.jobs.context import JobContext, ProgressState
from boards_desktop.jobs.events import EventBroker, GenerationEvent
from boards_desktop.jobs.failures import backoff_seconds, classify
from boards_desktop.jobs.group_writes import GroupWriter
from boards_desktop.jobs.inputs import InputError, rebuild_inputs
from boards_desktop.media.disk_space import disk_full_message, is_disk_full
from boards_desktop.media.ingest import StoredMedia
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings

log = logging.getLogger("boards.jobs")
# Pauses between attempts to record a failure on a database whose disk is full (a minute in all).
_FULL_DISK_PAUSES = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)

REMOTE_CANCEL_TIMEOUT_SECONDS = 10.0


class _JobFailed(Exception):
    pass


class JobExecution:
    def __init__(
        self,
        job: GenerationRecord,
        generator: BaseGenerator | None,
        *,
        mode: str,  # run | rerun | resume
        owner: str,
        settings: Settings,
        database: Database,
        media: MediaStore,
        events: EventBroker,
        http: httpx.AsyncClient,
        writes: GroupWriter | None = None,
    ) -> None:
        self.job = job
        self.generator = generator
        self.mode = mode
        self.stop_reason: str | None = None  # set before the task is cancelled: cancelled | shutdown | lost
        # Set once the generator's work is over and the results are being written: the job holds no
        # slot of its group any more, so the runner may claim the next job meanwhile (`on_finishing`).
        self.finishing = False
        self.on_finishing: Callable[[], None] | None = None
        self._owner = owner
        self._settings = settings
        self._database = database
        self._media = media
        self._events = events
        self._writes = writes or GroupWriter(database)
        self.context = JobContext(
            job,
            owner=owner,
            database=database,
            media=media,
            http=http,
            on_progress=self._progress,
            writes=self._writes,
        )

    @property
    def generator_provider(self) -> str:
        return self.generator.provider if self.generator is not None else "local"

    @property
    def concurrency_group(self) -> str:
        return group_of(self.generator) if self.generator is not None else "local"

    async def run(self) -> None:
        try:
            await self._run()
        except asyncio.CancelledError:
            await self._stopped()
        except Exception as exc:
            if is_disk_full(exc):  # storing the results: said like a full disk met by the generator
                log.warning("job %s: %s", self.job.id, exc)
                await self._fail(disk_full_message(self._media.root))
                return
            log.exception("job %s failed in the runner", self.job.id)
            await self._fail("the job failed unexpectedly inside the app; see the log")
        finally:
            await asyncio.shield(self.context.remove_downloaded_inputs())

    async def _run(self) -> None:
        generator = self.generator
        if generator is None:
            await self._fail(f"the generator {self.job.generator_name!r} is not installed; install or enable it")
            return
        reason = availability_of(generator)
        if reason is not None:
            # A cached answer (an engine's reachability) may be stale, or not made yet when the app
            # starts and resumes its jobs: check again before failing the job for it.
            try:
                await generator.refresh_availability()
            except Exception as exc:  # noqa: BLE001 - a failed check leaves the earlier answer
                log.warning("checking %s again failed: %s", generator.name, exc)
            reason = availability_of(generator)
        if reason is not None:
            await self._fail(f"{generator.name} cannot run: {reason}")
            return
        if self.mode == "rerun":
            await self._discard_outputs(include_siblings_rows=True)
        await self._publish("processing", ProgressState(phase="initializing"))
        try:
            async with self._database.read() as session:
                inputs = await rebuild_inputs(session, generator, dict(self.job.input_params or {}), self._read_text)
        except InputError as exc:
            await self._fail(str(exc))
            return
        timeout = generator.timeout_seconds or self._settings.job_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                await self._attempts(generator, inputs)
        except TimeoutError:
            await self._cancel_remote()
            await self._fail(f"it took longer than {timeout:g} s and was stopped; try again or raise the timeout")
            return
        except _JobFailed as exc:
            await self._fail(str(exc))
            return
        await self.context.remove_downloaded_inputs()  # before the completion is told (run() also does on failure)
        if not self.context.outputs:
            await self._fail(f"{generator.name} finished without a result")
            return
        await self._complete()

    async def _attempts(self, generator: BaseGenerator, inputs: BaseModel) -> GeneratorResult:
        attempt = 0
        while True:
            attempt += 1
            self.context.start_attempt()
            try:
                if self.mode == "resume" and attempt == 1 and self.context.external_job_id:
                    return await generator.resume(self.context.external_job_id, self.context)
                return await generator.generate(inputs, self.context)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failure = classify(exc, media_folder=self._media.root)
                if failure.unexpected:
                    log.error("%s failed on job %s", generator.name, self.job.id, exc_info=exc)
                if not failure.transient:
                    raise _JobFailed(failure.message) from None
                if attempt > self._settings.job_retries:
                    raise _JobFailed(f"{failure.message} (gave up after {attempt} attempts)") from None
                pause = backoff_seconds(attempt, failure.retry_after)
                state = self.context.state
                await self._publish(
                    "processing",
                    ProgressState(state.progress, state.phase, f"{failure.message}; trying again in {pause:.0f} s"),
                )
                await asyncio.sleep(pause)

    # -- endings -----------------------------------------------------------------------------------

    async def _complete(self) -> None:
        self.finishing = True
        if self.on_finishing is not None:
            self.on_finishing()
        ids = self.context.output_generation_ids()
        size = len(ids)
        columns: dict[uuid.UUID, dict[str, Any]] = {}
        for index, generation_id in ids.items():
            stored = self.context.outputs[index]
            metadata = {
                **self.context.extra_metadata.get(index, {}),  # the generator's own words first: the facts win
                **stored.metadata(),
                "format": stored.format,
                "content_type": stored.content_type,
                "size_bytes": stored.size_bytes,
            }
            if size > 1:
                metadata.update(batch_id=str(self.job.id), batch_index=index, batch_size=size)
            columns[generation_id] = {
                "storage_url": stored.storage_url,
                "thumbnail_url": stored.thumbnail_url,
                "output_metadata": metadata,
                "search_more": content_search_text(self.context.text_contents.get(index, "")),
            }
        # In one transaction with the other jobs' writes of the moment (jobs.group_writes).
        done = await self._writes.run(
            lambda session: job_queries.complete(
                session, owner=self._owner, generation_id=self.job.id, board_id=self.job.board_id, outputs=columns
            )
        )
        if not done:
            # Cancelled, or taken over, while the results were being stored: they are not ours to keep.
            await self._after_loss()
            return
        for index, generation_id in sorted(ids.items()):
            await self._publish(
                "completed",
                ProgressState(1.0, "finalizing"),
                generation_id=generation_id,
                stored=self.context.outputs[index],
            )

    async def _fail(self, message: str) -> None:
        for pause in (*_FULL_DISK_PAUSES, None):
            try:
                failed = await self._writes.run(
                    lambda session: job_queries.fail(
                        session, owner=self._owner, generation_id=self.job.id, message=message
                    )
                )
                break
            except Exception as exc:
                # The database's disk is full too (something else filled it): the failure is worth
                # recording once a little room comes back. If it never does, the job stays processing
                # and is taken up again at the next start, like any interrupted job.
                if pause is None or not is_disk_full(exc):
                    raise
                log.warning("job %s: the disk is full; recording its failure again in %g s", self.job.id, pause)
                await asyncio.sleep(pause)
        if not failed:
            await self._after_loss()
            return
        await self._discard_outputs(include_siblings_rows=False)
        await self._publish("failed", self.context.state, error=message)
        for sibling_id in self.context.sibling_ids.values():
            await self._publish("failed", self.context.state, error=message, generation_id=sibling_id)

    async def _stopped(self) -> None:
        reason = self.stop_reason
        if reason == "lost":
            async with self._database.read() as session:
                state = await job_queries.job_state(session, self.job.id)
            reason = "cancelled" if state is not None and state.status == "cancelled" else "lost"
        if reason == "cancelled":
            await self._cancel_remote()
            async with self._database.write() as session:
                siblings = await job_queries.finish_siblings(session, self.job.id, status="cancelled", message=None)
            await self._discard_outputs(include_siblings_rows=False)
            for sibling_id in siblings:
                await self._publish("cancelled", self.context.state, generation_id=sibling_id)
        # shutdown or lost: the job is someone else's now, or ours again at the next start.

    async def _after_loss(self) -> None:
        async with self._database.read() as session:
            state = await job_queries.job_state(session, self.job.id)
        if state is not None and state.status == "cancelled":
            self.stop_reason = "cancelled"
            await self._stopped()

    async def _cancel_remote(self) -> None:
        external_id = self.context.external_job_id
        if self.generator is None or not external_id:
            return
        try:
            async with asyncio.timeout(REMOTE_CANCEL_TIMEOUT_SECONDS):
                await self.generator.cancel(external_id)
        except Exception as exc:  # noqa: BLE001 - the local job is stopped whatever the service says
            log.warning("cancelling remote job %s of %s failed: %s", external_id, self.generator.name, exc)

    async def _discard_outputs(self, *, include_siblings_rows: bool) -> None:
        sibling_ids = list(self.context.sibling_ids.values())
        if include_siblings_rows:
            async with self._database.write() as session:
                sibling_ids = await job_queries.delete_unfinished_siblings(session, self.job.id)
        for generation_id in [self.job.id, *sibling_ids]:
            try:
                await self._media.delete_generation_files(self.job.board_id, generation_id)
            except OSError as exc:
                log.warning("could not remove the files of %s: %s (media gc will)", generation_id, exc)

    @staticmethod
    async def fail_abandoned(
        job: GenerationRecord, message: str, *, database: Database, events: EventBroker, media: MediaStore
    ) -> None:
        async with database.write() as session:
            await job_queries.fail(session, owner=None, generation_id=job.id, message=message)
        await media.delete_generation_files(job.board_id, job.id)
        await events.publish(
            GenerationEvent(
                generation_id=str(job.id),
                board_id=str(job.board_id),
                status="failed",
                progress=float(job.progress or 0) / 100,
                phase=job.progress_phase or "processing",
                error_message=message,
            )
        )

    # -- progress and events -----------------------------------------------------------------------

    async def _progress(self, state: ProgressState) -> None:
        await self._publish("processing", state)

    async def _publish(
        self,
        status: str,
        state: ProgressState,
        *,
        error: str | None = None,
        generation_id: uuid.UUID | None = None,
        stored: StoredMedia | None = None,
    ) -> None:
        artifacts: tuple[dict[str, Any], ...] = ()
        if stored is not None:
            artifacts = ({"url": stored.storage_url, "type": stored.artifact_type, "metadata": stored.metadata()},)
        await self._events.publish(
            GenerationEvent(
                generation_id=str(generation_id or self.job.id),
                board_id=str(self.job.board_id),
                status=status,
                progress=state.progress,
                phase=state.phase,
                message=state.message,
                error_message=error,
                estimated_completion=state.estimated_completion,
                text=state.text,
                artifacts=artifacts,
                thumbnail_url=stored.thumbnail_url if stored is not None else None,
                generator_name=self.job.generator_name,
                preview_url=state.preview if status == "processing" else None,
            )
        )

    def _read_text(self, storage_url: str | None) -> str:
        return self._media.read_text(storage_url)
