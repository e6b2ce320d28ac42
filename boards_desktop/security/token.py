"""The API token: `<data dir>/api-token`, made on first run, readable by its owner only, reused after.

Scripts send it as `Authorization: Bearer <token>`. The file is created with mode 0600 from the
start (a chmod after writing would leave a moment where others could read it), written under a
temporary name and linked into place, so that two instances starting at once end up with one token.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import sys
from pathlib import Path

TOKEN_FILE_NAME = "api-token"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-]{32,256}")
_POSIX = sys.platform != "win32"  # Windows keeps the profile folder private through ACLs, not mode bits

log = logging.getLogger("boards.security")


class TokenFileError(RuntimeError):
    """The token file cannot be used; the message names the file and what to do."""


def token_path(data_dir: Path) -> Path:
    return data_dir / TOKEN_FILE_NAME


def load_or_create_token(data_dir: Path) -> str:
    """The installation's token, made on first run (32 random bytes, URL-safe)."""
    path = token_path(data_dir)
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)  # fails if another instance made it first: then theirs is the token
        except FileExistsError:
            pass
        except OSError:
            os.replace(temporary, path)  # file systems without hard links
    finally:
        temporary.unlink(missing_ok=True)
    log.info("created the API token file %s (readable by you only)", path)


def _read(path: Path) -> str:
    if _POSIX:
        _check_ownership_and_mode(path)
    try:
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenFileError(f"cannot read the API token file {path} ({exc}); delete it to have a new one made")
    if not _TOKEN_SHAPE.fullmatch(token):
        raise TokenFileError(
            f"the API token file {path} does not hold a token (32 to 256 letters, digits, '-' or '_'); "
            "delete it to have a new one made, or put such a token in it"
        )
    return token


def _check_ownership_and_mode(path: Path) -> None:
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise TokenFileError(f"the API token file {path} is not a regular file; remove it to have a new one made")
    if status.st_uid != os.getuid():
        # Someone else could have planted a token they know: never trust it, and do not touch it.
        raise TokenFileError(
            f"the API token file {path} belongs to another user; remove it so that a token of your own is made"
        )
    loose = stat.S_IMODE(status.st_mode) & 0o077
    if loose:
        # Ours, but others could read it: close it now, and say that the token may be known.
        os.chmod(path, 0o600)
        log.warning(
            "the API token file %s was readable by other users (mode %o); it is now readable by you only. "
            "If others could have read it, delete it and restart to get a new token.",
            path,
            stat.S_IMODE(status.st_mode),
        )
