"""A full disk: how it is recognised, what the artist is told, and how much space is left.

A full disk is the artist's state to fix, not a bug: every place that writes (uploads, queuing, a
job storing its result) says "the disk holding <folder> is full" and changes nothing, and the same
action works again once space is freed. It shows up as `OSError` ENOSPC (or EDQUOT, a quota) from
the file system, and as SQLite's SQLITE_FULL ("database or disk is full"), often wrapped by
SQLAlchemy; `is_disk_full` looks through the whole chain of causes.

Refusing before writing is cheaper than failing halfway: `check_free_space` refuses when less than
a small floor (BOARDS_MIN_FREE_MB, 16 MB) is left, so a queued job is not accepted only to fail for
want of room, and SQLite, which may still fit a row in its write-ahead log, is not the judge.
"""

from __future__ import annotations

import errno
import shutil
from dataclasses import dataclass
from pathlib import Path

# Small on purpose: enough for the database's journal and a thumbnail, not a reservation.
MIN_FREE_BYTES = 16 * 1024 * 1024  # the default of Settings.min_free_bytes
INSUFFICIENT_STORAGE = "INSUFFICIENT_STORAGE"
_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SQLITE_FULL_TEXT = "database or disk is full"
_SQLITE_FULL_CODE = 13  # SQLITE_FULL


class DiskFull(Exception):
    """The disk holding `folder` has no room for what was being written; the message says so."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        super().__init__(disk_full_message(folder))


@dataclass(frozen=True)
class DiskUsage:
    free_bytes: int
    total_bytes: int


def disk_full_message(folder: Path) -> str:
    return f"the disk holding {folder} is full; free some space on it, then try again"


def is_disk_full(exc: BaseException | None) -> bool:
    """True when `exc`, or anything it was raised from or wraps, is a full disk."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL_CODE or _SQLITE_FULL_TEXT in str(exc):
            return True
        # SQLAlchemy keeps the driver's error in `orig`; Python keeps the rest in __cause__/__context__.
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def disk_usage(folder: Path) -> DiskUsage | None:
    """Free and total bytes of the file system holding `folder` (its nearest existing parent); None if unknown."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None
    return DiskUsage(free_bytes=usage.free, total_bytes=usage.total)


def check_free_space(folder: Path, minimum: int = MIN_FREE_BYTES) -> None:
    """Raise DiskFull when the disk holding `folder` has less than `minimum` bytes free (a statvfs, no write)."""
    usage = disk_usage(folder)
    if usage is not None and usage.free_bytes < minimum:
        raise DiskFull(folder)
