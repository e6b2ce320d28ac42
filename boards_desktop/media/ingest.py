"""Putting a result or an upload into the media store: checked, probed, thumbnailed, written atomically.

Everything here runs in one worker thread per call (`asyncio.to_thread`): decoding and resizing
take tens of milliseconds, and the event loop must keep serving progress and pages meanwhile.

Crash safety: the file is written (or moved) into its generation folder under a hidden `.part`
name, flushed to disk, then renamed to its final name, so a reader never sees half a file under a
final name. A crash leaves at most a `.part` file, which `media gc` removes. `stage_media` stops
before the rename, so that an upload can give the files their names inside its row's transaction.
"""

from __future__ import annotations

import asyncio
import errno
import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from uuid import UUID

from boards_desktop.media import sniff
from boards_desktop.media.backend import MediaBackend
from boards_desktop.media.probe import ProbeError, probe_av
from boards_desktop.media.sniff import Sniffed, UnsupportedMedia
from boards_desktop.media.store import MediaKeyError, MediaStore
from boards_desktop.media.thumbnails import ThumbnailError, decode_cost, image_thumbnail, video_poster

if TYPE_CHECKING:
    from boards_desktop.media.store import LocalFolder

ARTIFACT_TYPES = ("image", "video", "audio", "text")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
_NOUN = {"image": "an image", "video": "a video", "audio": "an audio file", "text": "a text file"}
_COPY_CHUNK = 1 << 20
# A result in memory up to this size has its header read on the event loop (tens of microseconds);
# a larger one, or a file, in a worker thread (a format's header may be long, a file a slow read).
_HEADER_READ_ON_LOOP = 1 << 20


class MediaTypeError(ValueError):
    """The bytes are not what was expected; the message says what they are."""


@dataclass(frozen=True)
class StoredMedia:
    key: str
    storage_url: str
    thumbnail_url: str | None
    artifact_type: str  # image | video | audio | text
    format: str  # the extension, matching the content: png, jpg, mp4, wav, txt, ...
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    sha256: str | None = None  # of the stored bytes: an upload of the same file is told so (api/uploads.py)
    dhash: str | None = None  # an image's perceptual hash (media.perceptual_hash)

    def metadata(self) -> dict[str, Any]:
        """The media facts that are known, for a generation's output_metadata."""
        # Field by field, not dataclasses.asdict: that deep-copies every value, and a job asks twice.
        return {name: value for name in _FACT_FIELDS if (value := getattr(self, name)) is not None}


_FACT_FIELDS = tuple(
    field.name
    for field in fields(StoredMedia)
    if field.name not in ("key", "storage_url", "thumbnail_url", "artifact_type")
)


async def store_media(
    store: MediaStore,
    *,
    board_id: str | UUID,
    generation_id: str | UUID,
    source: Path | bytes,
    artifact_type: str,
    name: str = "output",
    move: bool = False,
) -> StoredMedia:
    """Store `source` as `<board>/<generation>/<name>.<ext>`, the extension chosen from its bytes.

    Raises MediaTypeError when the bytes are not of `artifact_type` (or not readable), nothing
    stored. `move=True` consumes the source file: it is moved into place on success and removed
    on failure (uploads stream to `store.temp_path()`, then hand the file over).
    """
    if store.backend.is_local:
        # Staged and published in one worker thread: a job's result costs one thread hop, not three.
        prefix = _checked_prefix(store, board_id, generation_id, artifact_type, name)
        async with store.decode_budget.reserve(await _decode_cost(source, artifact_type)):
            return await asyncio.to_thread(_store_local, store, prefix, source, artifact_type, name, move)
    staged = await stage_media(
        store,
        board_id=board_id,
        generation_id=generation_id,
        source=source,
        artifact_type=artifact_type,
        name=name,
        move=move,
    )
    try:
        await staged.publish()
    except BaseException:
        await staged.discard()
        raise
    return staged.media


def _store_local(
    store: MediaStore, prefix: str, source: Path | bytes, artifact_type: str, name: str, move: bool
) -> StoredMedia:
    staged = _stage_media(store, prefix, source, artifact_type, name, move)
    try:
        cast("LocalFolder", staged.backend).publish_now(staged.parts)
    except BaseException:
        staged.discard_now()
        raise
    return staged.media


async def stage_media(
    store: MediaStore,
    *,
    board_id: str | UUID,
    generation_id: str | UUID,
    source: Path | bytes,
    artifact_type: str,
    name: str = "output",
    move: bool = False,
) -> StagedMedia:
    """As `store_media`, but the file and its thumbnail stay under hidden `.part` names until `publish()`.

    For a caller that writes a row naming the files: publishing inside the row's transaction, just
    before it commits, leaves a crash (a kill) before the commit nothing but `.part` files, and only
    the commit itself between the files getting their names and the row that names them.
    """
    prefix = _checked_prefix(store, board_id, generation_id, artifact_type, name)
    # The decoded picture's size is reserved before a thread is taken: see media.decode_budget.
    async with store.decode_budget.reserve(await _decode_cost(source, artifact_type)):
        return await asyncio.to_thread(_stage_media, store, prefix, source, artifact_type, name, move)


async def _decode_cost(source: Path | bytes, artifact_type: str) -> int:
    if artifact_type != "image":
        return 0
    if isinstance(source, bytes) and len(source) <= _HEADER_READ_ON_LOOP:
        return decode_cost(source)  # a header parsed in memory: far less than a thread hop
    return await asyncio.to_thread(decode_cost, source)


@dataclass
class StagedMedia:
    """A checked, probed, thumbnailed file in its generation folder, a rename (or an upload) away from its key."""

    media: StoredMedia  # what it will be once published
    folder: Path
    parts: list[tuple[Path, str]]  # (hidden part, key): the thumbnail first
    backend: MediaBackend

    @property
    def file(self) -> Path:
        """The main file's hidden part on this disk, to read before publishing (media.upload_provenance).

        Once published it may be in a bucket, not on this disk: read it through MediaStore.open then.
        """
        if not self.parts or self.parts[-1][1] != self.media.key:
            raise RuntimeError(f"{self.media.key} is published or discarded; read it through the media store")
        return self.parts[-1][0]

    async def publish(self) -> None:
        # The thumbnail first: once the main file has its key, its thumbnail has one too.
        await self.backend.publish(self.parts)
        if not self.backend.is_local:
            _remove_if_empty(self.folder)  # the staging folder, now empty (an rmdir: no thread hop, see Bucket.publish)

    async def discard(self) -> None:
        await asyncio.to_thread(self.discard_now)

    def discard_now(self) -> None:
        """Remove what is not published yet (a published file is the caller's to delete)."""
        for part, _key in self.parts:
            part.unlink(missing_ok=True)
        self.parts = []
        _remove_if_empty(self.folder)


def _checked_prefix(
    store: MediaStore, board_id: str | UUID, generation_id: str | UUID, artifact_type: str, name: str
) -> str:
    if artifact_type not in ARTIFACT_TYPES:
        raise MediaTypeError(f"artifact type {artifact_type!r} is not one of {', '.join(ARTIFACT_TYPES)}")
    if not _NAME.fullmatch(name):
        raise MediaKeyError(f"file name {name!r}: use letters, digits, '-' and '_' (at most 100, no dots)")
    return store.generation_prefix(board_id, generation_id)


def _stage_media(
    store: MediaStore, prefix: str, source: Path | bytes, artifact_type: str, name: str, move: bool
) -> StagedMedia:
    folder = store.root / prefix
    staged: Path | None = None
    thumb_part: Path | None = None
    try:
        staged = _stage(folder, name, source, move)
        kind = _identify(staged, artifact_type)
        facts: dict[str, Any] = {}
        if kind.artifact_type in ("video", "audio"):
            kind, facts = _probe(staged, kind, artifact_type)
        if kind.artifact_type in ("image", "video"):
            thumb_part = folder / f".{name}-thumb.{uuid.uuid4().hex}.part"
            with thumb_part.open("wb") as out:
                facts.update(_thumbnail(staged, kind, out))
                _flush(out)
        key = f"{prefix}/{name}.{kind.format}"
        thumb_key = f"{prefix}/{name}-thumb.webp" if thumb_part is not None else None
        parts = [(thumb_part, thumb_key)] if thumb_part is not None and thumb_key is not None else []
        parts.append((staged, key))
        result = StagedMedia(
            media=StoredMedia(
                key=key,
                storage_url=store.url_of(key),
                thumbnail_url=store.url_of(thumb_key) if thumb_key else None,
                artifact_type=kind.artifact_type,
                format=kind.format,
                content_type=kind.content_type,
                size_bytes=staged.stat().st_size,
                sha256=_sha256_of(staged),
                **facts,
            ),
            folder=folder,
            parts=parts,
            backend=store.backend,
        )
        staged = thumb_part = None  # the caller's now
        return result
    finally:
        for leftover in (staged, thumb_part):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        if move and isinstance(source, Path):
            source.unlink(missing_ok=True)  # consumed: staged on success, removed on failure
        _remove_if_empty(folder)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _stage(folder: Path, name: str, source: Path | bytes, move: bool) -> Path:
    """The source, durable on disk under a hidden name in its final folder (a rename away from visible)."""
    try:
        return _stage_into(folder, name, source, move)
    except FileNotFoundError:
        # A failed store running beside us removed the folder it found empty; make it again, once.
        return _stage_into(folder, name, source, move)


def _stage_into(folder: Path, name: str, source: Path | bytes, move: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{name}.{uuid.uuid4().hex}.part"
    try:
        return _write_staged(staged, source, move)
    except BaseException:
        # Half a copy (a full disk, a read error): the caller never learned its name, so it goes here.
        staged.unlink(missing_ok=True)
        raise


def _write_staged(staged: Path, source: Path | bytes, move: bool) -> Path:
    if isinstance(source, (bytes, bytearray, memoryview)):
        with staged.open("wb") as out:
            out.write(source)
            _flush(out)
        return staged
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"the source {source} is not a file")
    if move:
        try:
            with source.open("rb") as handle:
                os.fsync(handle.fileno())  # the writer may not have; a rename of unflushed data can lose it
            os.replace(source, staged)
            # A rename keeps the old modification time; `media gc` spares only recent unnamed files.
            os.utime(staged)
            return staged
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another file system (a media root on another disk): copy, then the caller's file goes.
    with source.open("rb") as handle, staged.open("wb") as out:
        shutil.copyfileobj(handle, out, _COPY_CHUNK)
        _flush(out)
    return staged


def _identify(path: Path, expected: str) -> Sniffed:
    try:
        kind = sniff.sniff_file(path)
    except UnsupportedMedia as exc:
        raise MediaTypeError(f"the file is {exc}, not {_NOUN[expected]}") from None
    if kind.ambiguous and expected in ("video", "audio"):
        return kind  # the prober decides once it has looked for a video stream
    if kind.artifact_type != expected:
        raise MediaTypeError(f"the file is {kind.description}, not {_NOUN[expected]}")
    return kind


def _probe(path: Path, kind: Sniffed, expected: str) -> tuple[Sniffed, dict[str, Any]]:
    """The stream facts, and what the file really is when its container could hold video or audio."""
    try:
        facts = probe_av(path)
    except ProbeError as exc:
        raise MediaTypeError(f"the file looks like {kind.description} but cannot be read: {exc}") from None
    if kind.ambiguous:
        if facts.has_video:
            kind = sniff.VIDEO_FORM.get(kind.format, kind)
        elif facts.has_audio:
            kind = sniff.AUDIO_FORM[kind.format]
    if kind.artifact_type == "video" and not facts.has_video:
        raise MediaTypeError(f"the file is {kind.description} with no video stream in it")
    if kind.artifact_type == "audio" and not facts.has_audio:
        raise MediaTypeError(f"the file is {kind.description} with no audio stream in it")
    if kind.artifact_type != expected:
        raise MediaTypeError(f"the file is {kind.description}, not {_NOUN[expected]}")
    if kind.artifact_type == "video":
        return kind, {"width": facts.width, "height": facts.height, "duration": facts.duration, "fps": facts.fps}
    return kind, {"duration": facts.duration, "sample_rate": facts.sample_rate, "channels": facts.channels}


def _thumbnail(path: Path, kind: Sniffed, out: BinaryIO) -> dict[str, Any]:
    try:
        if kind.artifact_type == "image":
            facts = image_thumbnail(path, out)
            return {"width": facts.width, "height": facts.height, "dhash": facts.dhash}
        video_poster(path, out)
        return {}
    except ThumbnailError as exc:
        raise MediaTypeError(f"the file looks like {kind.description} but cannot be read: {exc}") from None


def _flush(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only succeeds when a failed store left the folder empty
    except OSError:
        pass
