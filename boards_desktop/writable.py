"""Can this installation write where it must? Asked once at start-up, before the lock, the log or the database.

A read-only data, media or log folder, or a read-only database file, would otherwise fail later and
in pieces: a traceback from the log file or the instance lock, a database that opens but refuses
every write, uploads that fail one by one. Each place is tried for real (a nameless file created
in each folder, the database file opened for writing) because permission bits do not tell the
whole story: ACLs, read-only mounts, and an administrator who may write anywhere.
"""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

from boards_desktop.settings import Settings, SettingsError


def check_writable(settings: Settings) -> None:
    """Create the installation's folders; raise SettingsError (one line) for the first that cannot be written."""
    places = [
        ("data folder", settings.data_dir, "BOARDS_DATA_DIR"),
        ("media folder", settings.media_dir, "BOARDS_MEDIA_DIR"),
        ("log folder", settings.log_dir or settings.data_dir / "logs", "BOARDS_LOG_DIR"),
    ]
    database_file = settings.sqlite_path
    if database_file is not None:
        places.append(("database's folder", database_file.parent, "BOARDS_DATABASE_URL"))
    seen: set[Path] = set()
    for what, folder, setting in places:
        if folder in seen:
            continue
        seen.add(folder)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            raise SettingsError(
                f"the {what} {folder} cannot be written ({_reason(exc)}); make it writable for you, "
                f"or choose another with {setting}"
            ) from None
    if database_file is not None and database_file.exists():
        try:
            with open(database_file, "r+b"):
                pass
        except OSError as exc:
            raise SettingsError(
                f"the database file {database_file} cannot be written ({_reason(exc)}); make it writable "
                "for you (it is opened read-only otherwise, and every change would fail)"
            ) from None


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or type(exc).__name__
