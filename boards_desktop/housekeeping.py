"""Housekeeping: what interrupted work leaves behind is cleared without anyone running a command.

At start-up (in the background: the server answers meanwhile) and then once a day:
- unfinished writes older than the grace period are removed: files in the media folder's `.tmp/`
  (uploads, downloads and results streaming in when the app was killed) and hidden `.part` files in
  generation folders, except in the folders of generations still pending or processing;
- SQLite backups made before schema upgrades are pruned to the newest BOARDS_KEEP_BACKUPS, and
  backups cut short (`.bak.part`) go too;
- at the first run, the media tree is made private (see boards_desktop.private_files).

Each run is logged when it freed anything, and its report is what the Settings page shows.
Finished files that no generation names are `boards-desktop media gc`'s business, not this: telling
them from a wrong database or media folder needs a person's eye (gc refuses rather than guess).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from sqlalchemy import select

from boards_desktop import private_files
from boards_desktop.db.engine import Database
from boards_desktop.db.models import Generation
from boards_desktop.db.schema_runner import prune_sqlite_backups
from boards_desktop.media.gc import DEFAULT_GRACE_MINUTES
from boards_desktop.media.store import TMP_DIR, MediaStore
from boards_desktop.settings import Settings

log = logging.getLogger("boards")

INTERVAL_SECONDS = 24 * 3600
_LIVE_STATUSES = ("pending", "processing")
_PART_SUFFIX = ".part"


@dataclass(frozen=True)
class HousekeepingReport:
    finished_at: datetime
    unfinished_files: int = 0  # .tmp and .part files removed
    unfinished_bytes: int = 0
    backups_removed: int = 0
    backup_bytes: int = 0
    made_private: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def files_removed(self) -> int:
        return self.unfinished_files + self.backups_removed

    @property
    def bytes_freed(self) -> int:
        return self.unfinished_bytes + self.backup_bytes


class Housekeeper:
    """Runs housekeeping now and every `interval` seconds until stopped; `last` is the latest report."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        store: MediaStore,
        *,
        grace_minutes: float = DEFAULT_GRACE_MINUTES,
        interval: float = INTERVAL_SECONDS,
    ) -> None:
        self._settings = settings
        self._database = database
        self._store = store
        self._grace_seconds = grace_minutes * 60
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._media_made_private = False
        self.last: HousekeepingReport | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run_forever(), name="housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run_once(self) -> HousekeepingReport:
        live = await self._live_generations()
        tighten_media = not self._media_made_private
        report = await asyncio.to_thread(self._sweep, live, tighten_media)
        self._media_made_private = True
        self.last = report
        if report.files_removed:
            log.info(
                "housekeeping freed %s: %d unfinished write(s), %d old database backup(s)",
                _size(report.bytes_freed),
                report.unfinished_files,
                report.backups_removed,
            )
        for error in report.errors:
            log.warning("housekeeping: %s", error)
        return report

    async def _run_forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug or a vanished database must not end the daily runs
                log.exception("housekeeping failed; it runs again in %d s", self._interval)
            await asyncio.sleep(self._interval)

    async def _live_generations(self) -> set[str]:
        async with self._database.read() as session:
            ids = await session.scalars(select(Generation.id).where(Generation.status.in_(_LIVE_STATUSES)))
            return {str(generation_id) for generation_id in ids}

    def _sweep(self, live: set[str], tighten_media: bool) -> HousekeepingReport:
        cutoff = time.time() - self._grace_seconds
        errors: list[str] = []
        made_private = 0
        if tighten_media:
            made_private = private_files.tighten([self._store.root])
            private_files.report(made_private, "the media folder")
        files, size = _remove_unfinished_writes(self._store.root, live, cutoff, errors)
        backups = backup_bytes = 0
        database_file = self._settings.sqlite_path
        if database_file is not None:
            pruned = prune_sqlite_backups(database_file, self._settings.keep_backups, unfinished_before=cutoff)
            backups, backup_bytes = pruned.files, pruned.bytes
        return HousekeepingReport(
            finished_at=datetime.now(UTC),
            unfinished_files=files,
            unfinished_bytes=size,
            backups_removed=backups,
            backup_bytes=backup_bytes,
            made_private=made_private,
            errors=errors,
        )


def _remove_unfinished_writes(root: Path, live: set[str], cutoff: float, errors: list[str]) -> tuple[int, int]:
    """`.tmp/*` and `<board>/<generation>/.*.part` older than `cutoff`, live generations spared."""
    if not root.is_dir():
        return 0, 0
    candidates: list[Path] = []
    tmp = root / TMP_DIR
    if tmp.is_dir():
        candidates += [Path(entry.path) for entry in os.scandir(tmp) if entry.is_file(follow_symlinks=False)]
    for board in os.scandir(root):
        if not (_is_uuid(board.name) and board.is_dir(follow_symlinks=False)):
            continue
        for generation in os.scandir(board.path):
            if generation.name in live or not generation.is_dir(follow_symlinks=False):
                continue
            candidates += [
                Path(entry.path)
                for entry in os.scandir(generation.path)
                if entry.name.startswith(".")
                and entry.name.endswith(_PART_SUFFIX)
                and entry.is_file(follow_symlinks=False)
            ]
    files = size = 0
    for path in candidates:
        try:
            info = path.lstat()
            if info.st_mtime >= cutoff:
                continue  # may be being written right now
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            errors.append(f"could not remove {path}: {exc.strerror or exc}")
            continue
        files += 1
        size += info.st_size
    return files, size


def _is_uuid(name: str) -> bool:
    try:
        return str(UUID(name)) == name
    except ValueError:
        return False


def _size(nbytes: int) -> str:
    if nbytes >= 1024 * 1024:
        return f"{nbytes / (1024 * 1024):.1f} MB"
    return f"{nbytes / 1024:.1f} KB"
