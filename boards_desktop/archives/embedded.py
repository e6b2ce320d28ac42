"""Media entries that carry the generation's metadata, and how an import gets the original back.

A result leaves in an archive as it leaves in a download: the stored file with the generation's
prompt, settings and provenance written in (media.export_metadata's splice: `head`, the stored
bytes from `resume_at` to `stop`, `tail`), so that an archive opened by hand shows them. The stored
original never changes, and an import must store it byte for byte (its SHA-256 is the one in the
rows and in other files' provenance), so the media item keeps what the splice replaced:

    "embedded": {"head": len(head), "tail": len(tail),
                 "original_head": base64(stored[:resume_at]), "original_tail": base64(stored[stop:])}

and the original is `original_head + entry[head : len(entry) - tail] + original_tail`, checked
against the item's `sha256` (the original's) as before. The replaced bytes are small for every
format written in (a PNG's first 33 bytes, a WAV's header); when they are not (an MP4 whose `moov`
box is rewritten), the file goes in as it is stored, without `embedded`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from boards_desktop.archives.snapshot import ArchivedFile
from boards_desktop.media.export_metadata import export_splice
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaStore

# The original's bytes the description may carry for one file (in base64 in board.json).
MAX_ORIGINAL_BYTES = 256 * 1024
_PARALLEL = 8  # bucket range requests for headers at once, as the zip export


async def archive_splices(store: MediaStore, files: Sequence[ArchivedFile]) -> dict[str, Splice]:
    """The splice of each result file whose metadata can be written into its archive entry.

    Reads each result's header (media.export_metadata): one thread for all of them from the folder,
    up to _PARALLEL at once from a bucket.
    """
    results = [file for file in files if file.record is not None]

    def plan(file: ArchivedFile) -> Splice | None:
        splice = export_splice(store, file.key, file.record, list(file.parents))
        if splice is None or splice.resume_at + file.size - splice.stop(file.size) > MAX_ORIGINAL_BYTES:
            return None
        return splice

    if store.backend.is_local:
        planned = await asyncio.to_thread(lambda: [plan(file) for file in results])
    else:
        limit = asyncio.Semaphore(_PARALLEL)

        async def one(file: ArchivedFile) -> Splice | None:
            async with limit:
                return await asyncio.to_thread(plan, file)

        planned = list(await asyncio.gather(*(one(file) for file in results)))
    return {file.key: splice for file, splice in zip(results, planned, strict=True) if splice is not None}


@dataclass
class Diverted:
    """The stored file read once, front to back, for a spliced entry: what the entry keeps (the span
    from `resume_at` to `stop`) passes through, and the bytes around it are kept for the description."""

    resume_at: int
    stop: int
    position: int = 0
    original_head: bytearray = field(default_factory=bytearray)
    original_tail: bytearray = field(default_factory=bytearray)

    def middle(self, chunk: bytes) -> bytes:
        """Of the next `chunk` of the stored file, the part the entry holds."""
        start = self.position
        self.position += len(chunk)
        head_end = max(0, min(len(chunk), self.resume_at - start))
        middle_end = max(head_end, min(len(chunk), self.stop - start))
        if head_end:
            self.original_head += chunk[:head_end]
        if middle_end < len(chunk):
            self.original_tail += chunk[middle_end:]
        return chunk if head_end == 0 and middle_end == len(chunk) else chunk[head_end:middle_end]

    def description(self, splice: Splice) -> dict[str, Any]:
        return {
            "head": len(splice.head),
            "tail": len(splice.tail),
            "original_head": base64.b64encode(self.original_head).decode("ascii"),
            "original_tail": base64.b64encode(self.original_tail).decode("ascii"),
        }


@dataclass(frozen=True)
class Embedded:
    """A media item's `embedded`: how many bytes of the entry are ours, and the original's in their place."""

    head: int
    tail: int
    original_head: bytes
    original_tail: bytes

    @classmethod
    def parse(cls, value: Any, original_size: int) -> Embedded:
        """ValueError when `value` is not one (the archive is damaged)."""
        fields = value if isinstance(value, dict) else {}
        head, tail = fields.get("head"), fields.get("tail")
        sizes = [n for n in (head, tail) if isinstance(n, int) and not isinstance(n, bool) and n >= 0]
        if len(sizes) != 2:
            raise ValueError("its head and tail are not sizes")
        try:
            original_head = base64.b64decode(str(fields.get("original_head")), validate=True)
            original_tail = base64.b64decode(str(fields.get("original_tail")), validate=True)
        except binascii.Error:
            raise ValueError("the original's bytes are not base64") from None
        if len(original_head) + len(original_tail) > original_size:
            raise ValueError("more original bytes than the file has")
        return cls(sizes[0], sizes[1], original_head, original_tail)

    def entry_size(self, original_size: int) -> int:
        return self.head + original_size - len(self.original_head) - len(self.original_tail) + self.tail

    def restore(self, entry: IO[bytes], entry_size: int, out: IO[bytes], digest: Any, chunk: int) -> int:
        """Write the original to `out` from the entry (a chunk at a time); returns the bytes written."""
        written = 0

        def put(data: bytes) -> None:
            nonlocal written
            out.write(data)
            digest.update(data)
            written += len(data)

        put(self.original_head)
        skip, remaining = self.head, entry_size - self.head - self.tail
        while skip and (data := entry.read(min(chunk, skip))):
            skip -= len(data)
        while remaining > 0 and (data := entry.read(min(chunk, remaining))):
            put(data)
            remaining -= len(data)
        put(self.original_tail)
        return written
