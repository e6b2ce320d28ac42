"""The media root: where generated and uploaded files live, and how keys map to paths and URLs.

Layout: `<board id>/<generation id>/<name>.<ext>` (and `<name>-thumb.webp`). One folder per
generation means deleting a board or a generation is removing a folder, and garbage collection
can compare folders with rows. `.tmp/` holds files being streamed in (uploads) before they are
moved into place.

A key is the path below the root with `/` separators. Keys come from URLs that clients send, so
`path_of` refuses anything that could name a file outside the root.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from uuid import UUID

from boards_desktop.media.decode_budget import DecodeBudget

log = logging.getLogger("boards.media")

URL_PREFIX = "/api/storage/"
TMP_DIR = ".tmp"


class MediaKeyError(ValueError):
    """A key that is malformed or resolves outside the media root."""


class MediaStore:
    def __init__(self, root: Path) -> None:
        # Resolved once, so that containment checks compare real paths (the root may be a symlink).
        self.root: Path = Path(root).expanduser().resolve()
        # Decoded pictures of this store's thumbnails, in bytes at once (see media.decode_budget).
        self.decode_budget = DecodeBudget()

    def generation_prefix(self, board_id: str | UUID, generation_id: str | UUID) -> str:
        return f"{_uuid_segment(board_id, 'board id')}/{_uuid_segment(generation_id, 'generation id')}"

    def board_prefix(self, board_id: str | UUID) -> str:
        return _uuid_segment(board_id, "board id")

    def path_of(self, key: str) -> Path:
        """The file a key names; raises MediaKeyError when the key could reach outside the root."""
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
        # The unresolved path: a folder that is a symbolic link loses the link, never the target's files.
        path = self.root / prefix
        try:
            await asyncio.to_thread(_remove_tree, path)
        except OSError as exc:
            log.warning("could not remove media folder %s (%s); `boards-desktop media gc` will", path, exc)


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
