"""A board archive written while it is sent or saved: never the whole archive in memory.

The zip is written into the same draining sink as the generations' zip download
(media.zip_export), a chunk at a time off the event loop. Each file's SHA-256 is computed as its
bytes go in, and `board.json` comes last with those hashes, so an import can tell a damaged file.

Files are read through the media store's backend, so an export works with media in the local
folder or in a bucket. A file in the folder is copied from its open handle in a worker thread, a
megabyte a trip (as fast as before there were backends); a bucket's object is streamed, its
chunks gathered to a megabyte before each trip that deflates and hashes them.

A generation's result goes in with its metadata written in, as a download has it (archives.embedded):
the stored file is still read once, front to back, and hashed whole (the description's `sha256` is
the original's); the bytes the splice replaces are kept aside for the description, the span it
keeps goes into the entry between the splice's head and tail.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import zipfile
from collections.abc import AsyncIterator
from typing import IO, Any

from boards_desktop.archives.embedded import Diverted, archive_splices
from boards_desktop.archives.format import DESCRIPTION_NAME, ArchiveError
from boards_desktop.archives.snapshot import ArchivedFile, BoardSnapshot
from boards_desktop.media.backend import StoredObject
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaStore
from boards_desktop.media.zip_export import CHUNK, COMPRESSED, EARLIEST, Sink

log = logging.getLogger("boards.archives")

_HOP_BYTES = 4 * CHUNK


async def archive_stream(snapshot: BoardSnapshot, store: MediaStore) -> AsyncIterator[bytes]:
    """The archive's bytes, a chunk at a time.

    ArchiveError (raised while streaming) when a file cannot be read from a bucket that does not
    answer: an archive without it would look whole.
    """
    sink = Sink()
    archive = zipfile.ZipFile(sink, mode="w", allowZip64=True)
    listed: list[dict[str, Any]] = []
    missing: list[str] = []
    try:
        try:
            splices = await archive_splices(store, snapshot.files)
        except OSError as exc:
            raise ArchiveError(f"{store.location} could not be read ({exc}); the export stopped. Try again") from None
        for file in snapshot.files:
            try:
                source = await store.open(file.key)
            except OSError as exc:
                raise ArchiveError(
                    f"{file.key} could not be read from {store.location} ({exc}); the export stopped. Try again"
                ) from None
            if source is None:
                # Deleted since the rows were read: the description says so instead of failing the export.
                log.warning("board export: %s is no longer in %s", file.key, store.location)
                missing.append(file.key)
                continue
            digest = hashlib.sha256()
            size = 0
            splice = _fitting(splices.get(file.key), source.size)
            split = None if splice is None else Diverted(splice.resume_at, splice.stop(source.size))
            entry_size = source.size if splice is None else splice.size(source.size)
            try:
                # ZIP64 headers when the file is near the limit (a metadata hook may add bytes).
                with archive.open(
                    _info(file, entry_size), "w", force_zip64=entry_size > zipfile.ZIP64_LIMIT // 2
                ) as out:
                    if splice is not None:
                        out.write(splice.head)
                    handle = source.reader.local_handle()
                    if handle is not None:
                        while copied := await asyncio.to_thread(_copy_chunk, handle, out, digest, split):
                            size += copied
                            if sink.pending >= CHUNK:
                                yield sink.take()
                    else:
                        async for copied in _copy_stream(source, out, digest, split):
                            size += copied
                            if sink.pending >= CHUNK:
                                yield sink.take()
                        if size != source.size:
                            # The bucket stopped answering mid-file (its reader logs why).
                            raise ArchiveError(
                                f"{file.key} could not be read whole from {store.location} ({size} of "
                                f"{source.size} bytes); the export stopped. Try again"
                            )
                    if splice is not None:
                        out.write(splice.tail)
            finally:
                await source.close()
            item: dict[str, Any] = {"key": file.key, "size": size, "sha256": digest.hexdigest()}
            if splice is not None and split is not None:
                item["embedded"] = split.description(splice)
            listed.append(item)
            if sink.pending:
                yield sink.take()
        description = {**snapshot.description, "media": listed, "missing_media": missing}
        data = json.dumps(description, ensure_ascii=False, separators=(",", ":")).encode()
        archive.writestr(_description_info(), data)
    finally:
        archive.close()  # also when the client goes away mid-download: nothing is left open
    yield sink.take()


def _fitting(splice: Splice | None, size: int) -> Splice | None:
    """The splice when it fits the file as it is now (planned from its header a moment before)."""
    if splice is None or not 0 <= splice.resume_at <= splice.stop(size) <= size:
        return None
    return splice


async def _copy_stream(source: StoredObject, out: IO[bytes], digest: Any, split: Diverted | None) -> AsyncIterator[int]:
    """A remote object's bytes into the entry: chunks gathered to _HOP_BYTES, then one thread trip."""
    batch: list[bytes] = []
    batched = 0
    async for chunk in source.read():
        batch.append(chunk)
        batched += len(chunk)
        if batched >= _HOP_BYTES:
            await asyncio.to_thread(_write_all, batch, out, digest, split)
            yield batched
            batch, batched = [], 0
    if batch:
        await asyncio.to_thread(_write_all, batch, out, digest, split)
        yield batched


def _write_all(chunks: list[bytes], out: IO[bytes], digest: Any, split: Diverted | None) -> None:
    for chunk in chunks:
        out.write(chunk if split is None else split.middle(chunk))
        digest.update(chunk)


def _copy_chunk(source: IO[bytes], out: IO[bytes], digest: Any, split: Diverted | None) -> int:
    # Reading, hashing and (for text) deflating run in a worker thread, off the event loop: up to
    # _HOP_BYTES a trip, so that most pictures cost one trip, and the sink never holds more.
    copied = 0
    while copied < _HOP_BYTES and (chunk := source.read(CHUNK)):
        out.write(chunk if split is None else split.middle(chunk))
        digest.update(chunk)
        copied += len(chunk)
    return copied


def _info(file: ArchivedFile, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(file.name, date_time=time.localtime(max(file.modified, EARLIEST))[:6])
    extension = file.key.rpartition(".")[2].lower()
    info.compress_type = zipfile.ZIP_STORED if extension in COMPRESSED else zipfile.ZIP_DEFLATED
    info.file_size = size
    info.external_attr = 0o644 << 16
    return info


def _description_info() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(DESCRIPTION_NAME, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
