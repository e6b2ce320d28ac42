"""Why a database cannot be used at all, said in one line: what is wrong, where, and what to do.

The first statement of a start-up (or of a `db` command) is where an unreachable server, a refused
login, a missing database or a file that is not a SQLite database shows itself, as a driver's
exception several layers deep. `refusing_unusable_database(url)` turns those into a
`DatabaseUnusable`, a SchemaError, so that every caller that already refuses a database with one
line (the CLI, the window, the ASGI lifespan) does so here too. The URL's password never appears:
the lines name the host, port, user and database only. Nothing is written by the time these are
found, so a corrupt file stays exactly as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from boards_desktop.db.schema_runner import SchemaError

_SETTING = "BOARDS_DATABASE_URL"
# PostgreSQL's SQLSTATE codes for a login it refuses and a database it does not have.
_BAD_LOGIN = {"28P01", "28000"}  # invalid_password, invalid_authorization_specification
_NO_DATABASE = "3D000"  # invalid_catalog_name
_SQLITE_CORRUPT = ("file is not a database", "database disk image is malformed")
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "readonly database")
_SQLITE_CANNOT_OPEN = ("unable to open database file",)


class DatabaseUnusable(SchemaError):
    """The database cannot be opened or logged into; the message says why and what to do."""


@contextmanager
def refusing_unusable_database(url: str) -> Iterator[None]:
    """Inside, a failure to reach or open the database at `url` becomes a one-line DatabaseUnusable."""
    try:
        yield
    except (DBAPIError, OSError, sqlite3.Error) as exc:
        reason = explain(exc, url)
        if reason is None:
            raise
        raise DatabaseUnusable(reason) from None


def explain(exc: BaseException, url: str) -> str | None:
    """The one line for `exc` raised while opening the database at `url`, or None for other errors."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _explain_sqlite(exc, parsed.database or "")
    where = f"the PostgreSQL server at {parsed.host}:{parsed.port or 5432}"
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(original, "sqlstate", None)
    if code in _BAD_LOGIN:
        return (
            f"{where} refused the login of user {parsed.username!r} ({_first_line(original)}); "
            f"check the user and password in {_SETTING}"
        )
    if code == _NO_DATABASE:
        return (
            f"{where} has no database {parsed.database!r}; create it (createdb {parsed.database}) "
            f"or name an existing one in {_SETTING}"
        )
    if isinstance(original, OSError) and not (isinstance(exc, DBAPIError) and code):
        return (
            f"cannot reach {where} ({original.strerror or _first_line(original) or type(original).__name__}); "
            f"start it, or check the host and port in {_SETTING}"
        )
    return None


def _explain_sqlite(exc: BaseException, path: str) -> str | None:
    text = _first_line(exc.orig if isinstance(exc, DBAPIError) else exc).lower()
    if any(words in text for words in _SQLITE_CORRUPT):
        return (
            f"the database file {path} is not a SQLite database, or is damaged ({text}); it was left untouched. "
            f"Restore it from a backup (boards.db.<time>.bak beside it), or move it away to start afresh"
        )
    if any(words in text for words in _SQLITE_READ_ONLY):
        return f"the database file {path} is read-only ({text}); make it and its folder writable for you"
    if any(words in text for words in _SQLITE_CANNOT_OPEN):
        return f"cannot open the database file {path} ({text}); check that its folder exists and is writable for you"
    return None


def _first_line(exc: BaseException | None) -> str:
    # SQLAlchemy appends its own background lines; the driver's sentence is the first.
    text = str(exc).strip() if exc is not None else ""
    return text.splitlines()[0].strip() if text else ""
