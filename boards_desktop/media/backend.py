"""Where published media lives: a folder on this machine, or a bucket every teammate's app reads.

Everything before publishing happens on the local disk whatever the backend: uploads stream to
`<media folder>/.tmp/`, results are checked, probed and thumbnailed as hidden `.part` files in
`<media folder>/<board>/<generation>/`. Publishing gives them their keys: a rename in the local
folder (media.store's `LocalFolder`), an upload to the bucket (media.bucket's `Bucket`). Reads
(serving, zip export, a text result's content, a generator's input) go through `open`, so every
reader works on both.
"""

from __future__ import annotations

import abc
import os
import stat
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio


@dataclass(frozen=True)
class ObjectFacts:
    size: int
    modified: float  # seconds since the epoch


@dataclass(frozen=True)
class StoredObject:
    """A published file, opened for reading: its facts, and its bytes on demand."""

    key: str
    size: int
    modified: float  # seconds since the epoch
    etag: str  # quoted, as HTTP sends it
    reader: ObjectReader

    def read(self, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes start..end (inclusive; None: to the end), a chunk at a time; closes the reader after."""
        return self.reader.read(start, self.size - 1 if end is None else end)

    async def close(self) -> None:
        await self.reader.close()


class ObjectReader(abc.ABC):
    @abc.abstractmethod
    def read(self, start: int, end: int) -> AsyncIterator[bytes]: ...

    @abc.abstractmethod
    async def close(self) -> None: ...

    def local_handle(self) -> BinaryIO | None:
        """The open file, when the bytes are on this machine: a copy made in a worker thread (a board
        archive) reads it a megabyte a trip instead of a thread hop per chunk. None for a remote object."""
        return None


class MediaBackend(abc.ABC):
    """The published files: named by keys (`<board>/<generation>/<name>.<ext>`), written once, read many times."""

    is_local: bool

    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where the files are, for messages: a folder, or `s3://bucket/prefix` (never credentials)."""

    @abc.abstractmethod
    async def publish(self, parts: list[tuple[Path, str]]) -> None:
        """Give each local `.part` file its key, in order, each visible whole or not at all.

        Each (part, key) leaves the list once published: after a failure, what is left is unpublished.
        """

    @abc.abstractmethod
    async def open(self, key: str) -> StoredObject | None:
        """The published file at `key`, or None when there is none."""

    @abc.abstractmethod
    async def describe(self, keys: Sequence[str]) -> dict[str, ObjectFacts]:
        """Size and date of each published file among `keys`; the others are left out."""

    @abc.abstractmethod
    def open_seekable_now(self, key: str) -> BinaryIO | None:
        """The published file opened for seeks and small reads (a header, chunk headers), in the calling thread.

        None when there is none; raises OSError when it cannot be read. Close it after use.
        """

    @abc.abstractmethod
    def read_text_now(self, key: str) -> str:
        """A (small) text file's content, in the calling thread; raises OSError when it cannot be read."""

    @abc.abstractmethod
    async def local_file(self, key: str, scratch: Callable[[], Path]) -> Path | None:
        """A file on this machine with the key's bytes (for a generator's input), or None when there is none.

        `scratch()` gives a free path to download to when the file is not on this machine already.
        """

    @abc.abstractmethod
    async def delete(self, keys: list[str]) -> None:
        """Remove the published files at `keys` (missing ones are no error); raises OSError on failure."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> None:
        """Remove every file below `prefix` (a board's or a generation's); raises OSError on failure."""


class LocalReader(ObjectReader):
    _CHUNK = 256 * 1024

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    async def read(self, start: int, end: int) -> AsyncIterator[bytes]:
        handle = self._handle
        try:
            remaining = end - start + 1
            await anyio.to_thread.run_sync(handle.seek, start)
            while remaining > 0:
                chunk = await anyio.to_thread.run_sync(handle.read, min(self._CHUNK, remaining))
                if not chunk:
                    break  # the file shrank; its length was promised, so the client sees a short body
                remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def close(self) -> None:
        self._handle.close()

    def local_handle(self) -> BinaryIO:
        return self._handle


def open_regular_file(path: Path, key: str) -> StoredObject | None:
    """A regular file opened for reading (in the calling thread), or None (missing, a folder, unreadable)."""
    try:
        handle = path.open("rb")
    except (OSError, ValueError):  # missing, a folder, unreadable, or a name the file system cannot hold
        return None
    try:
        info = os.fstat(handle.fileno())
    except OSError:
        handle.close()
        return None
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        return None
    return StoredObject(
        key=key,
        size=info.st_size,
        modified=info.st_mtime,
        etag=f'"{info.st_size:x}-{info.st_mtime_ns:x}"',
        reader=LocalReader(handle),
    )
