"""Writing a stream of chunks to a file without holding the stream in memory or blocking the loop.

Uploads and downloads arrive as many small chunks (ASGI and httpcore hand over 64 KiB or less).
A thread hop per chunk costs more than the write itself; a blocking write per chunk would stall
the event loop when the disk is slow. So chunks gather in a bounded buffer that goes to the file
in a worker thread once it is full: memory stays under `buffer_bytes` whatever the file's size.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import BinaryIO

DEFAULT_BUFFER_BYTES = 1024 * 1024


class SpoolFile:
    """An append-only file fed chunk by chunk; `size` counts every byte accepted so far."""

    def __init__(self, path: Path, *, buffer_bytes: int = DEFAULT_BUFFER_BYTES) -> None:
        self.path = path
        self.size = 0
        self._buffer = bytearray()
        self._buffer_bytes = buffer_bytes
        self._file: BinaryIO | None = None

    async def open(self) -> SpoolFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = await asyncio.to_thread(open, self.path, "xb")  # never over someone else's file
        return self

    async def write(self, chunk: bytes) -> None:
        self._buffer += chunk
        self.size += len(chunk)
        if len(self._buffer) >= self._buffer_bytes:
            await self._flush()

    async def finish(self) -> None:
        """Write what is buffered and close the file (durably: the caller moves it into place next)."""
        await self._flush()
        if self._file is not None:
            file, self._file = self._file, None
            await asyncio.to_thread(_sync_and_close, file)

    async def discard(self) -> None:
        """Close and delete the file: nothing of a refused transfer stays on disk."""
        self._buffer = bytearray()
        file, self._file = self._file, None
        await asyncio.to_thread(_close_and_unlink, file, self.path)

    async def _flush(self) -> None:
        if not self._buffer or self._file is None:
            return
        data, self._buffer = bytes(self._buffer), bytearray()
        await asyncio.to_thread(self._file.write, data)


def _sync_and_close(file: BinaryIO) -> None:
    try:
        file.flush()
        os.fsync(file.fileno())
    finally:
        file.close()


def _close_and_unlink(file: BinaryIO | None, path: Path) -> None:
    try:
        if file is not None:
            file.close()  # flushes: on a full disk this raises again, and the file must still go
    except OSError:
        pass
    finally:
        path.unlink(missing_ok=True)
