"""A board archive written while it is sent or saved: never the whole archive in memory.

The zip is written into the same draining sink as the generations' zip download
(media.zip_export), a chunk at a time off the event loop. Each file's SHA-256 is computed as its
bytes go in, and `board.json` comes last with those hashes, so an import can tell a damaged file.

`MediaBytes` is where a file's bytes are read for the archive: the stored file as it is by default.
It is the hook for writing metadata into exported copies (the stored original never changes);
whatever it returns is what the archive holds and what its hash describes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import zipfile
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

from boards_desktop.archives.format import DESCRIPTION_NAME
from boards_desktop.archives.snapshot import ArchivedFile, BoardSnapshot
from boards_desktop.media.zip_export import CHUNK, COMPRESSED, EARLIEST, Sink

log = logging.getLogger("boards.archives")

_HOP_BYTES = 4 * CHUNK
MediaBytes = Callable[[ArchivedFile], IO[bytes]]


def stored_bytes(file: ArchivedFile) -> IO[bytes]:
    """The stored file as it is."""
    return file.path.open("rb")


async def archive_stream(snapshot: BoardSnapshot, media_bytes: MediaBytes = stored_bytes) -> AsyncIterator[bytes]:
    """The archive's bytes, a chunk at a time."""
    sink = Sink()
    archive = zipfile.ZipFile(sink, mode="w", allowZip64=True)
    listed: list[dict[str, Any]] = []
    missing: list[str] = []
    try:
        for file in snapshot.files:
            try:
                source = await asyncio.to_thread(media_bytes, file)
            except OSError as exc:
                # Deleted since the rows were read: the description says so instead of failing the export.
                log.warning("board export: %s could not be read (%s)", file.path, exc)
                missing.append(file.key)
                continue
            digest = hashlib.sha256()
            size = 0
            try:
                # ZIP64 headers when the file is near the limit (a metadata hook may add bytes).
                with archive.open(_info(file), "w", force_zip64=file.size > zipfile.ZIP64_LIMIT // 2) as out:
                    while copied := await asyncio.to_thread(_copy_chunk, source, out, digest):
                        size += copied
                        if sink.pending >= CHUNK:
                            yield sink.take()
            finally:
                source.close()
            listed.append({"key": file.key, "size": size, "sha256": digest.hexdigest()})
            if sink.pending:
                yield sink.take()
        description = {**snapshot.description, "media": listed, "missing_media": missing}
        data = json.dumps(description, ensure_ascii=False, separators=(",", ":")).encode()
        archive.writestr(_description_info(), data)
    finally:
        archive.close()  # also when the client goes away mid-download: nothing is left open
    yield sink.take()


def _copy_chunk(source: IO[bytes], out: IO[bytes], digest: Any) -> int:
    # Reading, hashing and (for text) deflating run in a worker thread, off the event loop: up to
    # _HOP_BYTES a trip, so that most pictures cost one trip, and the sink never holds more.
    copied = 0
    while copied < _HOP_BYTES and (chunk := source.read(CHUNK)):
        out.write(chunk)
        digest.update(chunk)
        copied += len(chunk)
    return copied


def _info(file: ArchivedFile) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(file.name, date_time=time.localtime(max(file.modified, EARLIEST))[:6])
    extension = file.key.rpartition(".")[2].lower()
    info.compress_type = zipfile.ZIP_STORED if extension in COMPRESSED else zipfile.ZIP_DEFLATED
    info.file_size = file.size
    info.external_attr = 0o644 << 16
    return info


def _description_info() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(DESCRIPTION_NAME, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
