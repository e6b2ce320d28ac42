"""Private files: the data folder, the media, the logs and the database are readable by their owner only.

An artist's pictures, prompts, identity and logs are nobody else's business on a shared machine.
On POSIX the process's umask becomes 077 once the settings are known, so everything the app writes
from then on (database, its -wal/-shm files, which SQLite gives the database's mode, backups,
uploads, results, logs, preferences) is created 0600, its folders 0700. Installations made before
this, or files written before the umask was set (the log file opens while the app is built), are
tightened: `tighten` walks the folders and removes the group and other bits from what has them,
and says once in the log how many it changed. Windows keeps its own access lists: nothing is done.

The data folder's own files and the logs are tightened at start-up (a handful of entries); the
media tree, which can hold hundreds of thousands of files, is walked by housekeeping in the
background (see boards_desktop.housekeeping).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger("boards")

PRIVATE_UMASK = 0o077
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def applies() -> bool:
    return os.name == "posix"


def use_private_umask() -> None:
    """From now on, files this process creates are its owner's only (the whole process: the app's writes)."""
    if applies():
        os.umask(PRIVATE_UMASK)


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and missing parents) owner-only; an existing one is left to `tighten`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def tighten(
    paths: Iterable[Path], *, recursive: bool = True, skip: Iterable[Path] = (), spare: Iterable[Path] = ()
) -> int:
    """Remove group and other permissions from `paths` (and, if recursive, everything below folders).

    Folders in `skip` are tightened themselves but not entered; files in `spare` are left as they are
    (their owner checks them with a message of its own). Symbolic links are neither followed nor
    changed. Returns how many entries were changed.
    """
    if not applies():
        return 0
    skipped = {Path(folder) for folder in skip}
    spared = {Path(file) for file in spare}
    changed = 0
    for path in paths:
        changed += _tighten_one(path)
        if recursive and path.is_dir() and not path.is_symlink() and path not in skipped:
            for folder, dirs, files in os.walk(path, followlinks=False):
                for name in (*dirs, *files):
                    if Path(folder) / name not in spared:
                        changed += _tighten_one(Path(folder) / name)
                dirs[:] = [name for name in dirs if Path(folder) / name not in skipped]  # tightened, not entered
    return changed


def report(changed: int, where: str) -> None:
    if changed:
        log.info("made %d file(s) and folder(s) in %s readable by you only (others could read them)", changed, where)


def _tighten_one(path: Path) -> int:
    try:
        info = path.lstat()
    except OSError:
        return 0  # removed meanwhile
    if stat.S_ISLNK(info.st_mode) or not info.st_mode & _OTHERS:
        return 0
    try:
        os.chmod(path, stat.S_IMODE(info.st_mode) & ~_OTHERS)
    except OSError as exc:  # not ours (another user's file put there): say so, go on
        log.warning("could not make %s private: %s", path, exc.strerror or exc)
        return 0
    return 1
