"""Moving generations' files to another board's folder, in an order no crash can lose a file in.

The layout is `<board>/<generation>/...`, so a generation that changes board changes folder, and
its URLs change with it. A move is three steps:

1. `stage`: each file of the old folder is hard-linked into the new folder (copied where the file
   system has no hard links) under a `.part` name, renamed into place, and touched, so that the
   grace period of `boards-desktop media gc` covers it; the new folders are flushed to disk;
2. the caller commits the rows with their new board and URLs (or, on any error, `unstage`s);
3. `finish`: the old folders are removed.

A crash before step 2 leaves the rows naming the old files, which are all there, and new folders
that no row names: `media gc` removes them once they are older than its grace period. A crash
between 2 and 3 leaves old folders that no row names: the same. At no moment does a row name a
file that is missing, and nothing gc removes is named by a row. In a bucket (media.bucket) step 1
is a server-side copy of each object, and the rest is the same.
"""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boards_desktop.media.store import MediaStore, fsync_dir

if TYPE_CHECKING:
    from boards_desktop.media.bucket import Bucket

_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}


class MediaMoveError(OSError):
    """A file could not be put in its new folder; the message names the generation and the reason."""


@dataclass
class FolderMove:
    generation_id: uuid.UUID
    old_prefix: str  # <old board>/<generation>
    new_prefix: str  # <new board>/<generation>
    staged: list[Path] = field(default_factory=list)  # files made in the new folder, for unstage
    staged_keys: list[str] = field(default_factory=list)  # the same in a bucket: objects copied

    def rewrite(self, store: MediaStore, value: Any) -> Any:
        """A stored reference (a URL, a key, or JSON holding them) pointed at the new folder.

        References into other folders, and URLs that are not ours, stay as they are.
        """
        if isinstance(value, list):
            return [self.rewrite(store, item) for item in value]
        if isinstance(value, dict):
            return {key: self.rewrite(store, item) for key, item in value.items()}
        if not isinstance(value, str):
            return value
        key = store.key_of_url(value)
        if key is not None and key.startswith(self.old_prefix + "/"):
            return store.url_of(self.new_prefix + key[len(self.old_prefix) :])
        if key is None and value.startswith(self.old_prefix + "/"):
            return self.new_prefix + value[len(self.old_prefix) :]  # a bare key
        return value


def plan_moves(
    store: MediaStore, generations: Sequence[tuple[uuid.UUID, uuid.UUID]], to_board: uuid.UUID
) -> list[FolderMove]:
    """One move per (generation id, current board id)."""
    return [
        FolderMove(
            generation_id,
            store.generation_prefix(board_id, generation_id),
            store.generation_prefix(to_board, generation_id),
        )
        for generation_id, board_id in generations
    ]


async def stage(store: MediaStore, moves: Sequence[FolderMove]) -> None:
    """Step 1: the files in their new folders beside the old ones. On failure nothing new is left."""
    try:
        bucket = store.bucket
        if bucket is None:
            await asyncio.to_thread(_stage_all, store.root, moves)
        else:
            await _stage_in_bucket(bucket, moves)
    except BaseException:
        await unstage(store, moves)
        raise


async def unstage(store: MediaStore, moves: Sequence[FolderMove]) -> None:
    """Undo step 1 (the rows were not committed): the new copies go, the old files stay."""
    bucket = store.bucket
    if bucket is None:
        await asyncio.to_thread(_unstage_all, store.root, moves)
        return
    for move in moves:
        if move.staged_keys:
            await bucket.delete(move.staged_keys)
            move.staged_keys.clear()


async def finish(store: MediaStore, moves: Sequence[FolderMove]) -> None:
    """Step 3, after the commit: the old folders go. A failure is logged; `media gc` removes what is left."""
    for move in moves:
        board_id, generation_id = move.old_prefix.split("/")
        await store.delete_generation_files(board_id, generation_id)


async def _stage_in_bucket(bucket: Bucket, moves: Sequence[FolderMove]) -> None:
    """Step 1 in a bucket: server-side copies (a copy is whole or absent, as a rename is on disk)."""
    for move in moves:
        try:
            for listed in await bucket.list(move.old_prefix + "/"):
                destination = move.new_prefix + listed.key[len(move.old_prefix) :]
                move.staged_keys.append(destination)
                await bucket.copy(listed.key, destination)
        except OSError as exc:
            raise _not_moved(move, exc) from exc


def _not_moved(move: FolderMove, exc: OSError) -> MediaMoveError:
    # Said the same whether the files were copied in the bucket or renamed in the folder.
    return MediaMoveError(
        exc.errno,
        f"could not put the files of generation {move.generation_id} in the board's folder "
        f"({exc.strerror or exc}); nothing was moved",
    )


def _stage_all(root: Path, moves: Sequence[FolderMove]) -> None:
    for move in moves:
        source = root / move.old_prefix
        target = root / move.new_prefix
        try:
            for relative in _files(source):
                _place(source / relative, target / relative, move)
            if move.staged:
                fsync_dir(target)
        except OSError as exc:
            raise _not_moved(move, exc) from exc


def _files(folder: Path) -> Iterator[Path]:
    """The files of a generation's folder (relative paths), without unfinished `.part` writes."""
    if not folder.is_dir() or folder.is_symlink():
        return
    for current, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in names:
            if not name.startswith("."):
                yield (Path(current) / name).relative_to(folder)
        for name in dirs:
            if (Path(current) / name).is_symlink():
                yield (Path(current) / name).relative_to(folder)


def _place(source: Path, destination: Path, move: FolderMove) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.part")
    move.staged.append(part)
    if source.is_symlink():
        os.symlink(os.readlink(source), part)
    else:
        try:
            os.link(source, part)
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            shutil.copyfile(source, part)  # FAT, exFAT and some network shares: a copy then
        # A link shares the old file's modification time; gc's grace period counts from now.
        os.utime(part)
    os.replace(part, destination)
    move.staged[-1] = destination


def _unstage_all(root: Path, moves: Sequence[FolderMove]) -> None:
    for move in moves:
        for path in move.staged:
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        folder = root / move.new_prefix
        for current, _dirs, _names in os.walk(folder, topdown=False):
            try:
                os.rmdir(current)
            except OSError:
                pass  # not empty: something else is there, and it stays
        move.staged.clear()
