"""The media root: where generated and uploaded files live, and how keys map to paths and URLs.

Layout: `<board id>/<generation id>/<name>.<ext>` (and `<name>-thumb.webp`). One folder per
generation means deleting a board or a generation is removing a folder, and garbage collection
can compare folders with rows. `.tmp/` holds files being streamed in (uploads) before they are
moved into place.

A key is the path below the root with `/` separators. Keys come from URLs that clients send, so
`path_of` refuses anything that could name a file outside the root.

The root is always a folder on this machine: where files are staged (and, with the default local
backend, where they stay once published). With `BOARDS_STORAGE_URL=s3://...` published files go to
a bucket instead (media.backend, media.bucket); keys, URLs and the staging steps are the same.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import shutil
import stat
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast
from urllib.parse import quote, unquote, urlsplit
from uuid import UUID

from boards_desktop.media.backend import MediaBackend, ObjectFacts, StoredObject, open_regular_file
from boards_desktop.media.decode_budget import DecodeBudget

if TYPE_CHECKING:
    from boards_desktop.media.bucket import Bucket
    from boards_desktop.settings import Settings

log = logging.getLogger("boards.media")

URL_PREFIX = "/api/storage/"
TMP_DIR = ".tmp"


class MediaKeyError(ValueError):
    """A key that is malformed or resolves outside the media root."""


class MediaStore:
    def __init__(self, root: Path, backend: MediaBackend | None = None) -> None:
        # Resolved once, so that containment checks compare real paths (the root may be a symlink).
        self.root: Path = Path(root).expanduser().resolve()
        # Where published files live: this folder unless a bucket is given (see media.backend).
        self.backend: MediaBackend = backend if backend is not None else LocalFolder(self)
        # Decoded pictures of this store's thumbnails, in bytes at once (see media.decode_budget).
        self.decode_budget = DecodeBudget()

    @classmethod
    def for_settings(cls, settings: Settings) -> MediaStore:
        """The store `BOARDS_STORAGE_URL` names: the media folder, or a bucket staged through it."""
        if settings.storage_url is None:
            return cls(settings.media_dir)
        from boards_desktop.media.bucket import Bucket  # only a bucket's users load the S3 client

        return cls(settings.media_dir, Bucket.from_settings(settings))

    @property
    def bucket(self) -> Bucket | None:
        """The bucket published files are in, or None when they are in the local folder."""
        return None if self.backend.is_local else cast("Bucket", self.backend)

    @property
    def location(self) -> str:
        """Where published files are, for messages: the folder, or `s3://bucket/prefix`."""
        return self.backend.location

    @functools.cached_property
    def storage_id(self) -> str:
        """Which storage published files are in, the same for every app that shares it (media.storage_identity):
        the bucket's URL, or the local folder's own id (made in the folder on first use)."""
        bucket = self.bucket
        if bucket is not None:
            return bucket.location
        from boards_desktop.media.storage_identity import folder_storage_id

        return folder_storage_id(self.root)

    async def describe(self, keys: Sequence[str]) -> dict[str, ObjectFacts]:
        """Size and date of each published file among `keys` (keys that are not ours are left out)."""
        return await self.backend.describe(keys)

    async def open(self, key: str) -> StoredObject | None:
        """The published file at `key`, or None when there is none; MediaKeyError for a key that cannot be ours."""
        check_key(key)
        return await self.backend.open(key)

    def open_seekable_now(self, key: str) -> BinaryIO | None:
        """The published file opened for seeks and small reads, in the calling thread (see MediaBackend)."""
        check_key(key)
        return self.backend.open_seekable_now(key)

    def read_text(self, storage_url: str | None) -> str:
        """A stored text result's content by its URL, in the calling thread; "" when unreadable."""
        key = self.key_of_url(storage_url)
        if not key:
            return ""
        try:
            check_key(key)
            return self.backend.read_text_now(key)
        except (OSError, ValueError):  # MediaKeyError and UnicodeDecodeError are ValueErrors
            return ""

    async def local_file(self, key: str) -> Path | None:
        """A file on this machine holding the key's bytes (a generator's input), or None."""
        check_key(key)
        return await self.backend.local_file(key, lambda: self.temp_path(Path(key).suffix))

    def generation_prefix(self, board_id: str | UUID, generation_id: str | UUID) -> str:
        return f"{_uuid_segment(board_id, 'board id')}/{_uuid_segment(generation_id, 'generation id')}"

    def board_prefix(self, board_id: str | UUID) -> str:
        return _uuid_segment(board_id, "board id")

    def path_of(self, key: str) -> Path:
        """The file a key names; raises MediaKeyError when the key could reach outside the root."""
        check_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise MediaKeyError("the media key resolves outside the media folder (through a symbolic link)")
        return path

    @staticmethod
    def url_of(key: str) -> str:
        """The URL a client fetches a key at; relative, because the port changes with every launch."""
        return URL_PREFIX + quote(key, safe="/")

    @staticmethod
    def key_of_url(url: str | None) -> str | None:
        """The key in a storage URL (relative or absolute), or None when the URL is not one of ours."""
        if not url:
            return None
        path = urlsplit(url).path
        if not path.startswith(URL_PREFIX):
            return None
        key = unquote(path[len(URL_PREFIX) :])
        return key or None

    def temp_path(self, suffix: str = "") -> Path:
        """A fresh path under `<root>/.tmp` for a streaming write; on the root's file system, so a move is a rename."""
        if "/" in suffix or "\\" in suffix or "\x00" in suffix:
            raise MediaKeyError("a temporary file suffix cannot contain path separators")
        folder = self.root / TMP_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{uuid.uuid4().hex}{suffix}"

    async def delete_generation_files(self, board_id: str | UUID, generation_id: str | UUID) -> None:
        await self._delete_tree(self.generation_prefix(board_id, generation_id))

    async def delete_board_files(self, board_id: str | UUID) -> None:
        await self._delete_tree(self.board_prefix(board_id))

    async def _delete_tree(self, prefix: str) -> None:
        # Called after the database commit: a failure here must not undo or fail the deletion the
        # user asked for. What stays behind has no row, so `boards-desktop media gc` finds it.
        try:
            await self.backend.delete_prefix(prefix)
        except OSError as exc:
            log.warning("could not remove the media of %s (%s); `boards-desktop media gc` will", prefix, exc)
        if not self.backend.is_local:
            # Staged `.part` files of a failed store may be left in the local folder too.
            try:
                await asyncio.to_thread(_remove_tree, self.root / prefix)
            except OSError:
                pass  # housekeeping removes unfinished writes


class LocalFolder(MediaBackend):
    """Published files in the media folder itself: publishing is a rename, reading opens the file."""

    is_local = True

    def __init__(self, store: MediaStore) -> None:
        self._store = store

    @property
    def location(self) -> str:
        return str(self._store.root)

    async def publish(self, parts: list[tuple[Path, str]]) -> None:
        await asyncio.to_thread(self.publish_now, parts)

    def publish_now(self, parts: list[tuple[Path, str]]) -> None:
        """`publish`, in the calling (worker) thread."""
        folders: set[Path] = set()
        while parts:
            part, key = parts[0]
            final = self._store.root / key
            if final.parent != part.parent:  # staged elsewhere (an archive's files, in `.tmp/`)
                final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, final)
            folders.add(final.parent)
            parts.pop(0)
        if len(folders) > 1 and hasattr(os, "sync"):
            # Many folders at once (a board archive's generations): one sync, where an fsync each made
            # an import of 2,000 generations four times slower on a virtual machine's disk.
            os.sync()
            return
        for folder in folders:
            fsync_dir(folder)

    async def open(self, key: str) -> StoredObject | None:
        # In the event loop, as before there were backends: an open and an fstat take microseconds,
        # less than a thread hop, and the grid asks for thumbnails by the hundred.
        return open_regular_file(self._store.path_of(key), key)

    async def describe(self, keys: Sequence[str]) -> dict[str, ObjectFacts]:
        return await asyncio.to_thread(self._describe, keys)

    def _describe(self, keys: Sequence[str]) -> dict[str, ObjectFacts]:
        facts: dict[str, ObjectFacts] = {}
        for key in keys:
            try:
                info = os.stat(self._store.path_of(key))
            except (MediaKeyError, OSError):
                continue
            if stat.S_ISREG(info.st_mode):
                facts[key] = ObjectFacts(info.st_size, info.st_mtime)
        return facts

    def open_seekable_now(self, key: str) -> BinaryIO | None:
        try:
            return self._store.path_of(key).open("rb")
        except FileNotFoundError:
            return None

    def read_text_now(self, key: str) -> str:
        return self._store.path_of(key).read_text(encoding="utf-8")

    async def local_file(self, key: str, scratch: Callable[[], Path]) -> Path | None:
        path = self._store.path_of(key)
        return path if await asyncio.to_thread(path.is_file) else None

    async def delete(self, keys: list[str]) -> None:
        await asyncio.to_thread(self._delete, keys)

    def _delete(self, keys: list[str]) -> None:
        for key in keys:
            path = self._store.path_of(key)
            path.unlink(missing_ok=True)
            try:
                path.parent.rmdir()  # a generation's folder left empty (only succeeds when it is)
            except OSError:
                pass

    async def delete_prefix(self, prefix: str) -> None:
        # The unresolved path: a folder that is a symbolic link loses the link, never the target's files.
        await asyncio.to_thread(_remove_tree, self._store.root / prefix)


def fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (not possible on Windows).
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_key(key: str) -> None:
    """Raises MediaKeyError for a key that could not name a file of ours (malformed, absolute, hidden, `..`)."""
    if not isinstance(key, str) or not key:
        raise MediaKeyError("the media key is empty")
    if "\x00" in key:
        raise MediaKeyError("the media key contains a NUL character")
    if "\\" in key:
        raise MediaKeyError("the media key contains a backslash; keys use '/' between folders")
    if key.startswith("/") or ":" in key.split("/", 1)[0]:
        raise MediaKeyError("the media key is an absolute path; give a path below the media folder")
    for segment in key.split("/"):
        if segment == "":
            raise MediaKeyError("the media key has an empty folder name ('//' or a trailing '/')")
        if segment.startswith("."):
            # Covers `.` and `..`, and keeps `.tmp/` and half-written `.part` files private.
            raise MediaKeyError(f"the media key has a segment starting with '.' ({segment!r})")


def _remove_tree(path: Path) -> None:
    if path.is_symlink():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _uuid_segment(value: str | UUID, what: str) -> str:
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        raise MediaKeyError(f"the {what} {value!r} is not a UUID") from None
