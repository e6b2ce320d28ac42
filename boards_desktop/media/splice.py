"""An exported copy described as edits to the stored file: bytes before, a span of it, bytes after.

The stored file is never touched. An export that carries metadata is `head`, then the stored bytes
from `resume_at` up to `end_at` (the file's end when None), then `tail`. Its size is known before a
byte is read (zip entries, Content-Length), and the stored bytes are streamed as they are, from the
media folder or a bucket alike. A picture's text chunks go in `head`; a WAV's tags go in `tail`; an
MP4 whose `moov` box comes last is the stored bytes up to that box (`end_at`), then the new box.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Splice:
    """An export: `head`, then the stored file from `resume_at` to `end_at` (None: its end), then `tail`."""

    head: bytes
    resume_at: int
    tail: bytes
    end_at: int | None = None

    def stop(self, stored_size: int) -> int:
        """Where the stored bytes sent end (exclusive)."""
        return stored_size if self.end_at is None else min(self.end_at, stored_size)

    def size(self, stored_size: int) -> int:
        return len(self.head) + self.stop(stored_size) - self.resume_at + len(self.tail)

    def chunks(self, stored: BinaryIO, chunk: int = _CHUNK) -> Iterator[bytes]:
        yield self.head
        stored.seek(self.resume_at)
        remaining = None if self.end_at is None else self.end_at - self.resume_at
        while remaining is None or remaining > 0:
            data = stored.read(chunk if remaining is None else min(chunk, remaining))
            if not data:
                break
            if remaining is not None:
                remaining -= len(data)
            yield data
        yield self.tail

    def write(self, stored: Path, out: BinaryIO) -> None:
        with stored.open("rb") as handle:
            out.writelines(self.chunks(handle))

    def apply(self, stored: bytes) -> bytes:
        """The copy of a stored file held in memory (to be signed)."""
        return self.head + stored[self.resume_at : self.end_at] + self.tail
