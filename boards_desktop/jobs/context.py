"""The `GeneratorContext` a job runs with: input files, result storage, progress, the remote id.

Results are written to the media store as they arrive (remote outputs expire), each output into
the folder of its own generation: output 0 is the job's generation, output N >= 1 a sibling
generation created on first use. The rows are finished by the runner, in one transaction, when
`generate` returns; until then the files are unreferenced, and a crash leaves nothing `media gc`
cannot find.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import shutil
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from boards_desktop.db.engine import Database
from boards_desktop.db.queries import jobs as job_queries
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.generators.artifacts import (
    AudioArtifact,
    DigitalArtifact,
    ImageArtifact,
    TextArtifact,
    VideoArtifact,
)
from boards_desktop.generators.context import GeneratorContext, ResultSource
from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.generators.progress import ProgressUpdate, phase_of
from boards_desktop.jobs.group_writes import GroupWriter
from boards_desktop.media.ingest import MediaTypeError, StoredMedia, store_media
from boards_desktop.media.store import MediaKeyError, MediaStore

log = logging.getLogger("boards.jobs")

# Progress is published to subscribers at once, but written to the database at most this often:
# the row only serves clients that connect mid-job, and SQLite has one writer for everyone.
PROGRESS_WRITE_INTERVAL = 0.25
MAX_OUTPUT_BYTES = 4 * 1024**3


@dataclass
class ProgressState:
    progress: float = 0.0
    phase: str = "initializing"
    message: str | None = None
    estimated_completion: Any = None
    text: str | None = None  # a text being written, so far (not saved: only shown while it streams)
    preview: str | None = None  # a live preview (`data:` URL), published but never written to the row


ProgressSink = Callable[[ProgressState], Awaitable[None]]


class JobContext(GeneratorContext):
    def __init__(
        self,
        job: GenerationRecord,
        *,
        owner: str,
        database: Database,
        media: MediaStore,
        http: httpx.AsyncClient,
        on_progress: ProgressSink,
        writes: GroupWriter | None = None,
    ) -> None:
        self.job = job
        self.generation_id = str(job.id)
        self.board_id = str(job.board_id)
        self.tenant_id = str(job.tenant_id)
        self.user_id = str(job.user_id)
        self.external_job_id = job.external_job_id
        self._owner = owner
        self._database = database
        self._writes = writes or GroupWriter(database)
        self._media = media
        self._http = http
        self._on_progress = on_progress
        self.state = ProgressState()
        self.outputs: dict[int, StoredMedia] = {}
        self.text_contents: dict[int, str] = {}  # a text result's content, also found by a search
        self.extra_metadata: dict[int, dict[str, Any]] = {}  # add_output_metadata's, by output index
        self.sibling_ids: dict[int, uuid.UUID] = {}  # kept across retries: a retry reuses its siblings
        self.downloaded_inputs: list[Path] = []  # input files fetched from a bucket for this job
        # The claim already wrote `processing`: a job shorter than the interval writes no progress.
        self._last_write = time.monotonic()

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    def output_generation_ids(self) -> dict[int, uuid.UUID]:
        return {index: (self.job.id if index == 0 else self.sibling_ids[index]) for index in self.outputs}

    def start_attempt(self) -> None:
        """Forget the outputs of a failed attempt; the next one stores its own (same file names)."""
        self.outputs.clear()
        self.text_contents.clear()
        self.extra_metadata.clear()

    async def resolve_artifact(self, artifact: DigitalArtifact) -> Path:
        key = self._media.key_of_url(artifact.storage_url)
        try:
            path = await self._media.local_file(key) if key else None
        except MediaKeyError:
            path = None
        if path is None:
            raise GeneratorError(f"the input {artifact.generation_id} has no file any more; pick another input")
        if self._media.bucket is not None:
            self.downloaded_inputs.append(path)  # a copy of the bucket's object: removed when the job ends
        return path

    async def remove_downloaded_inputs(self) -> None:
        paths, self.downloaded_inputs = self.downloaded_inputs, []
        for path in paths:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def store_image_result(
        self,
        source: ResultSource,
        format: str,
        width: int | None = None,
        height: int | None = None,
        output_index: int = 0,
    ) -> ImageArtifact:
        stored = await self._store(source, "image", output_index)
        return ImageArtifact(
            generation_id=self._id_of(output_index),
            storage_url=stored.storage_url,
            format=stored.format,
            width=stored.width or width,
            height=stored.height or height,
        )

    async def store_video_result(
        self,
        source: ResultSource,
        format: str,
        width: int | None = None,
        height: int | None = None,
        duration: float | None = None,
        fps: float | None = None,
        output_index: int = 0,
    ) -> VideoArtifact:
        stored = await self._store(source, "video", output_index)
        return VideoArtifact(
            generation_id=self._id_of(output_index),
            storage_url=stored.storage_url,
            format=stored.format,
            width=stored.width or width,
            height=stored.height or height,
            duration=stored.duration or duration,
            fps=stored.fps or fps,
        )

    async def store_audio_result(
        self,
        source: ResultSource,
        format: str,
        duration: float | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        output_index: int = 0,
    ) -> AudioArtifact:
        stored = await self._store(source, "audio", output_index)
        return AudioArtifact(
            generation_id=self._id_of(output_index),
            storage_url=stored.storage_url,
            format=stored.format,
            duration=stored.duration or duration,
            sample_rate=stored.sample_rate or sample_rate,
            channels=stored.channels or channels,
        )

    async def store_text_result(self, content: str, format: str = "plain", output_index: int = 0) -> TextArtifact:
        stored = await self._store(content.encode("utf-8"), "text", output_index)
        self.text_contents[output_index] = content
        return TextArtifact(
            generation_id=self._id_of(output_index),
            storage_url=stored.storage_url,
            format=stored.format,
            content=content,
        )

    def add_output_metadata(self, output_index: int, values: dict[str, Any]) -> None:
        self.extra_metadata.setdefault(output_index, {}).update(values)

    async def publish_progress(
        self, update: ProgressUpdate | float, message: str | None = None, phase: str | None = None
    ) -> None:
        if not isinstance(update, ProgressUpdate):
            update = ProgressUpdate(progress=update, message=message, phase=phase_of(phase))
        self.state = ProgressState(
            update.progress, update.phase, update.message, update.estimated_completion, update.text, update.preview
        )
        await self._on_progress(self.state)
        now = time.monotonic()
        if now - self._last_write >= PROGRESS_WRITE_INTERVAL:
            self._last_write = now
            await self.save_progress()

    async def save_progress(self) -> None:
        state = self.state
        await self._writes.run(
            lambda session: job_queries.record_progress(
                session,
                owner=self._owner,
                generation_id=self.job.id,
                progress=state.progress,
                phase=state.phase,
                message=state.message,
            )
        )

    async def set_external_job_id(self, external_job_id: str) -> None:
        # Written before the generator waits on the remote job: after a crash, `resume` needs it.
        self.external_job_id = external_job_id
        async with self._database.write() as session:
            await job_queries.record_external_job_id(
                session, owner=self._owner, generation_id=self.job.id, external_job_id=external_job_id
            )

    def _id_of(self, output_index: int) -> str:
        return str(self.job.id if output_index == 0 else self.sibling_ids[output_index])

    async def _store(self, source: ResultSource, artifact_type: str, output_index: int) -> StoredMedia:
        if output_index < 0:
            raise GeneratorError(f"output_index must be 0 or more (got {output_index})")
        generation_id = await self._generation_for(output_index)
        data, move = await self._fetch(source)
        try:
            stored = await store_media(
                self._media,
                board_id=self.board_id,
                generation_id=generation_id,
                source=data,
                artifact_type=artifact_type,
                move=move,
            )
        except MediaTypeError as exc:
            raise GeneratorError(f"the result is not usable: {exc}") from None
        finally:
            if move and isinstance(data, Path):
                data.unlink(missing_ok=True)
        self.outputs[output_index] = stored
        return stored

    async def _generation_for(self, output_index: int) -> uuid.UUID:
        if output_index == 0:
            return self.job.id
        if output_index not in self.sibling_ids:
            sibling_id = uuid.uuid4()
            async with self._database.write() as session:
                await job_queries.insert_sibling(session, self.job, sibling_id=sibling_id, output_index=output_index)
            self.sibling_ids[output_index] = sibling_id
        return self.sibling_ids[output_index]

    async def _fetch(self, source: ResultSource) -> tuple[bytes | Path, bool]:
        """The result as bytes or a temporary file we may move (True), whatever form it came in."""
        if isinstance(source, bytes):
            return source, False
        if isinstance(source, Path):
            temp = self._media.temp_path(source.suffix)
            await asyncio.to_thread(shutil.copyfile, source, temp)
            return temp, True
        if source.startswith("data:"):
            return _decode_data_url(source), False
        if source.startswith(("http://", "https://")):
            return await self._download(source), True
        raise GeneratorError(f"a result must be an http(s) URL, a data: URL, bytes or a file (got {source[:40]!r})")

    async def _download(self, url: str) -> Path:
        temp = self._media.temp_path()
        size = 0
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code in (404, 410):
                    raise GeneratorError(
                        f"the result at {response.url.host} expired or is gone ({response.status_code}) before it was saved"
                    )
                response.raise_for_status()
                with temp.open("wb") as out:
                    async for chunk in response.aiter_bytes(1 << 20):
                        size += len(chunk)
                        if size > MAX_OUTPUT_BYTES:
                            raise GeneratorError("the result is larger than 4 GB; it was not saved")
                        out.write(chunk)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp


def _decode_data_url(url: str) -> bytes:
    header, _, payload = url.partition(",")
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        from urllib.parse import unquote_to_bytes

        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise GeneratorError("the result's data: URL is not valid base64") from None


__all__ = ["JobContext", "ProgressState", "TransientError"]
