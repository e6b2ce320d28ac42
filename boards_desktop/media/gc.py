"""`boards-desktop media gc`: remove files under the media root that no generation names.

Orphans come from crashes between the database and the disk (a row deleted, the app stopped
before its folder went), from failed writes (`.part` files), from uploads abandoned in `.tmp/`, and
from generators that wrote more than they reported. A file is an orphan when no generation row
names it (in `storage_url`, `thumbnail_url` or `additional_files`) and it is older than the grace
period, so a job writing right now is never touched. Folders of generations still pending or
processing are left alone whatever their age: their job may report its files at the very end.

Only the layout the store makes is looked at (`<board uuid>/...` and `.tmp/`); anything else a
person put in the media folder is left alone. With media in a bucket (media.bucket) the bucket's
objects below its prefix are looked at the same way; the local folder then holds only unfinished
writes, which housekeeping removes.
"""

from __future__ import annotations

import asyncio
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy import select

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Generation, TrashedGeneration
from boards_desktop.media.storage_identity import ID_FILE_NAME as STORAGE_ID_FILE
from boards_desktop.media.store import TMP_DIR, MediaStore

if TYPE_CHECKING:
    from boards_desktop.media.bucket import Bucket

DEFAULT_GRACE_MINUTES = 60
_LIVE_STATUSES = {"pending", "processing"}


class GcRefused(Exception):
    """Removing would be unsafe as things stand; the message says why and what to do."""


@dataclass(frozen=True)
class Orphan:
    key: str  # the path below the media root, with '/'
    size: int
    reason: str


@dataclass
class GcReport:
    orphans: list[Orphan] = field(default_factory=list)
    removed: bool = False  # False for a dry run
    recent: int = 0  # unreferenced files younger than the grace period, kept
    live: int = 0  # folders of pending or processing generations, kept
    foreign: int = 0  # entries at the top of the media folder that the store did not make
    folders_removed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(orphan.size for orphan in self.orphans)


@dataclass(frozen=True)
class _References:
    keys: set[str]
    boards: set[str]
    generations: dict[str, tuple[str, str]]  # generation id -> (board id, status)


async def collect_garbage(
    database: Database,
    store: MediaStore,
    *,
    grace_minutes: float = DEFAULT_GRACE_MINUTES,
    dry_run: bool = False,
    force: bool = False,
) -> GcReport:
    """Find orphans and, unless `dry_run`, remove them. Raises GcRefused rather than guess."""
    if grace_minutes < 0:
        raise ValueError("the grace period cannot be negative")
    references = await _load_references(database, store)
    cutoff = time.time() - grace_minutes * 60
    bucket = store.bucket
    if bucket is not None:
        return await _collect_in_bucket(bucket, references, cutoff, dry_run=dry_run, force=force)
    report = await asyncio.to_thread(_scan, store.root, references, cutoff)
    if report.orphans and not force:
        _refuse_a_stranger(store.root, references)
    if not dry_run:
        await asyncio.to_thread(_remove, store.root, report, references)
    return report


async def _collect_in_bucket(
    bucket: Bucket, references: _References, cutoff: float, *, dry_run: bool, force: bool
) -> GcReport:
    report = GcReport()
    listed = await bucket.list()
    live: set[str] = set()
    board_folders: set[str] = set()
    for item in listed:
        board_id, _, rest = item.key.partition("/")
        if not _is_uuid(board_id) or not rest:
            report.foreign += 1
            continue
        board_folders.add(board_id)
        entry, _, below = rest.partition("/")
        is_generation_folder = _is_uuid(entry) and bool(below)
        reason = _reason_for(board_id, entry, is_generation_folder, references)
        if reason is None:
            live.add(entry)
            continue
        _consider(report, item.key, item.size, item.modified, cutoff, references, reason)
    report.live = len(live)
    report.orphans.sort(key=lambda orphan: orphan.key)
    if report.orphans and not force and not board_folders & references.boards:
        raise GcRefused(
            f"none of the {len(board_folders)} board folders in {bucket.location} belongs to a board in this "
            "database: is BOARDS_DATABASE_URL (or BOARDS_STORAGE_URL) the one these files belong to? "
            "Check with --dry-run, then run with --force to remove them anyway"
        )
    if not dry_run:
        if report.orphans:
            try:
                await bucket.delete([orphan.key for orphan in report.orphans])
            except OSError as exc:
                report.errors.append(f"{bucket.location}: {exc.strerror or exc}")
        report.removed = True
    return report


async def _load_references(database: Database, store: MediaStore) -> _References:
    keys: set[str] = set()
    generations: dict[str, tuple[str, str]] = {}
    async with database.read() as session:
        boards = {str(board_id) for board_id in (await session.scalars(select(Board.id))).all()}
        rows = await session.execute(
            select(
                Generation.id,
                Generation.board_id,
                Generation.status,
                Generation.storage_url,
                Generation.thumbnail_url,
                Generation.additional_files,
            )
        )
        for generation_id, board_id, status, storage_url, thumbnail_url, additional_files in rows:
            generations[str(generation_id)] = (str(board_id), status)
            for value in (storage_url, thumbnail_url, *_strings(additional_files)):
                key = store.key_of_url(value) or _plain_key(value)
                if key:
                    keys.add(key)
        # A trashed generation's files stay until its entry is emptied (schemas/010): named as a row's are.
        trashed = await session.execute(
            select(TrashedGeneration.id, TrashedGeneration.board_id, TrashedGeneration.generation)
        )
        for generation_id, board_id, record in trashed:
            generations[str(generation_id)] = (str(board_id), "trashed")
            for value in (
                record.get("storage_url"),
                record.get("thumbnail_url"),
                *_strings(record.get("additional_files")),
            ):
                key = store.key_of_url(value) or _plain_key(value)
                if key:
                    keys.add(key)
    return _References(keys=keys, boards=boards, generations=generations)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON document: additional_files holds URLs, keys, or objects with them."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _plain_key(value: str | None) -> str | None:
    # A bare key ("<board>/<generation>/file.png") names a file as well as its URL does.
    if value and "/" in value and "://" not in value and not value.startswith("/"):
        return value
    return None


def _scan(root: Path, references: _References, cutoff: float) -> GcReport:
    report = GcReport()
    if not root.is_dir():
        return report
    for entry in os.scandir(root):
        if entry.name == TMP_DIR and entry.is_dir(follow_symlinks=False):
            for key, info in _files(root, Path(entry.path)):
                _consider(
                    report,
                    key,
                    info.st_size,
                    info.st_mtime,
                    cutoff,
                    references,
                    "left over from an upload that did not finish",
                )
        elif _is_uuid(entry.name) and entry.is_dir(follow_symlinks=False):
            _scan_board(report, root, Path(entry.path), references, cutoff)
        elif entry.name != STORAGE_ID_FILE:  # the folder's own id (media.storage_identity) is the store's
            report.foreign += 1
    report.orphans.sort(key=lambda orphan: orphan.key)
    return report


def _scan_board(report: GcReport, root: Path, folder: Path, references: _References, cutoff: float) -> None:
    board_id = folder.name
    board_gone = board_id not in references.boards
    for entry in os.scandir(folder):
        is_generation_folder = _is_uuid(entry.name) and entry.is_dir(follow_symlinks=False)
        reason = _reason_for(board_id, entry.name, is_generation_folder, references)
        if reason is None:
            report.live += 1
            continue
        for key, info in _files(root, Path(entry.path)):
            why = "an unfinished write" if key.rsplit("/", 1)[-1].startswith(".") and not board_gone else reason
            _consider(report, key, info.st_size, info.st_mtime, cutoff, references, why)


def _reason_for(board_id: str, entry: str, is_generation_folder: bool, references: _References) -> str | None:
    """Why the files of `<board>/<entry>` would be orphans; None for a live generation's folder (kept)."""
    generation = references.generations.get(entry)
    if is_generation_folder and generation is not None and generation[1] in _LIVE_STATUSES:
        return None
    if board_id not in references.boards:
        return "its board was deleted"
    if not is_generation_folder:
        return "not inside a generation's folder"
    if generation is None:
        return "its generation was deleted"
    if generation[0] != board_id:
        return "its generation moved to another board"  # and its files with it (media.moves)
    return "its generation does not name it"


def _files(root: Path, path: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every file (or symbolic link, never followed) at or below `path`, with its key and lstat."""
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode):
        yield path.relative_to(root).as_posix(), info
        return
    for folder, _dirs, names in os.walk(path, followlinks=False):
        for name in names:
            file = Path(folder) / name
            yield file.relative_to(root).as_posix(), file.lstat()
        for name in _dirs:
            link = Path(folder) / name
            if link.is_symlink():  # os.walk lists a link to a folder among folders and does not enter it
                yield link.relative_to(root).as_posix(), link.lstat()


def _consider(
    report: GcReport, key: str, size: int, modified: float, cutoff: float, references: _References, reason: str
) -> None:
    if key in references.keys:
        return
    if modified > cutoff:
        report.recent += 1
        return
    report.orphans.append(Orphan(key=key, size=size, reason=reason))


def _refuse_a_stranger(root: Path, references: _References) -> None:
    """Refuse when no board folder belongs to this database: likely the wrong database, not orphans."""
    board_folders = [entry.name for entry in os.scandir(root) if _is_uuid(entry.name) and entry.is_dir()]
    if board_folders and not any(name in references.boards for name in board_folders):
        raise GcRefused(
            f"none of the {len(board_folders)} board folders in {root} belongs to a board in this database: "
            "is BOARDS_DATABASE_URL (or BOARDS_MEDIA_DIR) the one these files belong to? "
            "Check with --dry-run, then run with --force to remove them anyway"
        )


def _remove(root: Path, report: GcReport, references: _References) -> None:
    kept: list[Orphan] = []
    for orphan in report.orphans:
        path = root / orphan.key
        try:
            path.unlink()
            kept.append(orphan)
        except FileNotFoundError:
            pass  # gone meanwhile: nothing to count
        except OSError as exc:
            report.errors.append(f"{orphan.key}: {exc.strerror or exc}")
    report.orphans = kept
    report.removed = True
    report.folders_removed = _remove_empty_folders(root, references)


def _remove_empty_folders(root: Path, references: _References) -> int:
    """Empty folders of boards and generations that have no row; a live row's folder may be about to fill."""
    removed = 0
    for board in [entry for entry in os.scandir(root) if _is_uuid(entry.name) and entry.is_dir(follow_symlinks=False)]:
        board_gone = board.name not in references.boards
        for folder in [entry for entry in os.scandir(board.path) if entry.is_dir(follow_symlinks=False)]:
            generation = references.generations.get(folder.name)
            if board_gone or generation is None or generation[0] != board.name:
                removed += _remove_empty_tree(Path(folder.path))
        if board_gone:
            removed += _remove_empty_tree(Path(board.path))
    return removed


def _remove_empty_tree(folder: Path) -> int:
    # No age check: these folders have no row, so no job of ours writes into them. A generation
    # created after the rows were read may just have made its folder: rmdir cannot remove a folder
    # with a file in it, and the store makes the folder again if it vanishes before the first file.
    removed = 0
    for current, _dirs, _names in os.walk(folder, topdown=False, followlinks=False):
        try:
            os.rmdir(current)
            removed += 1
        except OSError:
            pass  # not empty: it stays
    return removed


def _is_uuid(name: str) -> bool:
    try:
        return str(UUID(name)) == name
    except ValueError:
        return False
