"""A zip of generations' files, written while it is sent: never the whole archive in memory.

`zipfile` writes into a sink that the response drains after every chunk, so the memory held is a
chunk or two whatever the archive's size. The sink cannot seek, so each entry carries its sizes
and CRC in a data descriptor after its bytes (every unzip tool reads them from the central
directory at the end). Media that is compressed already (PNG, JPEG, WebP, MP4, MP3, ...) is
stored as it is: deflating it again costs time and saves nothing. Text and raw audio are deflated.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from boards_desktop.media.export_metadata import copy_chunks
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaStore

log = logging.getLogger("boards.media")

CHUNK = 256 * 1024
COMPRESSED = {
    "png", "jpg", "jpeg", "webp", "gif", "avif", "heic", "heif",
    "mp4", "m4v", "mov", "webm", "mkv", "avi",
    "mp3", "m4a", "aac", "ogg", "oga", "opus", "flac",
    "zip", "gz", "safetensors",
}  # fmt: skip
_SLUG_LENGTH = 48
EARLIEST = time.mktime((1980, 1, 1, 0, 0, 0, 0, 0, -1))  # a zip cannot date a file before 1980


@dataclass(frozen=True)
class ExportEntry:
    key: str  # in the media store
    name: str  # inside the archive
    size: int  # of what is written: the stored file's, or its copy's with provenance
    modified: float
    splice: Splice | None = None  # provenance written into the copy (media.embed); None: the stored bytes
    # The whole copy made when its turn comes (signed Content Credentials): bytes, or a temporary file
    # for a large one (a video), removed once written; `size` is then an estimate.
    produce: Callable[[], Awaitable[bytes | Path]] | None = None


def entry_name(title: str | None, fallback: str, generation_id: uuid.UUID, extension: str) -> str:
    """`a-lighthouse-at-dusk-3f2a9b1c.png`: a slug of the title (else of the fallback), the id's start."""
    slug = _slug(title or "") or _slug(fallback) or "generation"
    suffix = f".{extension}" if extension else ""
    return f"{slug}-{str(generation_id)[:8]}{suffix}"


def unique_names(entries: Sequence[ExportEntry]) -> list[ExportEntry]:
    """The same name twice (two ids alike in their first 8 characters) gets a number."""
    seen: set[str] = set()
    result = []
    for entry in entries:
        name, stem, dot, extension = entry.name, *entry.name.rpartition(".")
        count = 2
        while name.casefold() in seen:
            name = f"{stem}-{count}.{extension}" if dot else f"{entry.name}-{count}"
            count += 1
        seen.add(name.casefold())
        result.append(ExportEntry(entry.key, name, entry.size, entry.modified, entry.splice, entry.produce))
    return result


async def zip_stream(store: MediaStore, entries: Sequence[ExportEntry]) -> AsyncIterator[bytes]:
    """The archive's bytes, a chunk at a time; file reads and compression run off the event loop."""
    sink = Sink()
    archive = zipfile.ZipFile(sink, mode="w", allowZip64=True)
    unreadable: list[str] = []
    try:
        for entry in entries:
            if entry.produce is not None:
                try:
                    data = await entry.produce()
                except OSError as exc:
                    log.warning("zip export: %s could not be read (%s)", entry.key, exc)
                    unreadable.append(f"{entry.name}: {exc.strerror or exc}")
                    continue
                if isinstance(data, Path):
                    with archive.open(_info(entry), "w", force_zip64=entry.size > zipfile.ZIP64_LIMIT) as out:
                        async for chunk in copy_chunks(data):
                            await asyncio.to_thread(out.write, chunk)
                            if sink.pending:
                                yield sink.take()
                else:
                    with archive.open(_info(entry), "w") as out:
                        for start in range(0, len(data), CHUNK):
                            out.write(data[start : start + CHUNK])
                            if sink.pending:
                                yield sink.take()
                if sink.pending:
                    yield sink.take()
                continue
            try:
                stored = await store.open(entry.key)
            except OSError as exc:
                stored, reason = None, str(exc.strerror or exc)
            else:
                reason = "No such file or directory"
            if stored is None:
                # Gone since the request was checked (deleted meanwhile): said in the archive, not hidden.
                log.warning("zip export: %s could not be read (%s)", entry.key, reason)
                unreadable.append(f"{entry.name}: {reason}")
                continue
            try:
                with archive.open(_info(entry), "w", force_zip64=entry.size > zipfile.ZIP64_LIMIT) as out:
                    # With provenance: its head, the stored bytes from where the head leaves off, its tail.
                    if entry.splice is not None:
                        out.write(entry.splice.head)
                    start, end = (
                        (0, None)
                        if entry.splice is None
                        else (entry.splice.resume_at, entry.splice.stop(stored.size) - 1)
                    )
                    async for chunk in stored.read(start, end):
                        await asyncio.to_thread(out.write, chunk)
                        if sink.pending:
                            yield sink.take()
                    if entry.splice is not None:
                        out.write(entry.splice.tail)
            finally:
                await stored.close()
            if sink.pending:
                yield sink.take()
        if unreadable:
            note = "These files were deleted while the archive was being made:\n" + "\n".join(unreadable) + "\n"
            archive.writestr("MISSING.txt", note, compress_type=zipfile.ZIP_DEFLATED)
    finally:
        archive.close()  # also when the client goes away mid-download: nothing is left open
    yield sink.take()


def _info(entry: ExportEntry) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(entry.name, date_time=time.localtime(max(entry.modified, EARLIEST))[:6])
    extension = entry.name.rpartition(".")[2].lower()
    info.compress_type = zipfile.ZIP_STORED if extension in COMPRESSED else zipfile.ZIP_DEFLATED
    info.file_size = entry.size  # zipfile decides on ZIP64 from it
    info.external_attr = 0o644 << 16
    return info


def _slug(text: str) -> str:
    words = re.findall(r"\w+", text.casefold())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _SLUG_LENGTH:
            return slug or word[:_SLUG_LENGTH]
        slug = candidate
    return slug


class Sink(io.RawIOBase):
    """Where zipfile writes: bytes kept until the response takes them. It cannot seek or tell."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]  # zipfile writes bytes only
        self._chunks.append(bytes(data))
        self._size += len(data)
        return len(data)

    @property
    def pending(self) -> int:
        return self._size

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self._size = 0
        return data
