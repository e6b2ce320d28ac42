"""The start-up's schema step, with SQLAlchemy only when there is something to do.

`serve` and the window bring the schema up to date and check that every table and column is
present before they serve (boards_desktop.db.commands.prepare_database). Done with SQLAlchemy, that
is its import, a fifth of the start-up before the first answer, for a database that is almost
always up to date. So an SQLite database is first looked at with the standard library's sqlite3:
its record of applied files fits this version's files, none is pending, and every table and column
the DDL makes is there (the DDL run in a database in memory, a few milliseconds). A new database (no
file yet, or one without tables) is made with sqlite3 too, as the runner (boards_desktop.db.schema_runner)
makes it: each file in a transaction of its own that takes the write lock as it begins, recorded in
the same table, a refused statement said in the same words. Anything else (files to apply to a
database in use, a history that does not fit, a missing column, a database that is locked, damaged
or not SQLite) goes the full way, which backs up and says what is wrong in its own words.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from boards_desktop.db.schema_files import SchemaFile, SchemaFileError, load_schema_files
from boards_desktop.db.schema_history import (
    CREATE_RECORD_TABLE,
    RECORD_TABLE,
    AppliedFile,
    SchemaError,
    check_applied,
    statement_failed,
)
from boards_desktop.settings import Settings

log = logging.getLogger("boards.db")

BUSY_SECONDS = 30.0  # as the app's engines wait for another writer (db.engine.BUSY_TIMEOUT_MS)

# Every (table, column) of a database; tables include virtual ones (full-text search) and theirs.
_NAMES = "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'"


def prepare_database(settings: Settings) -> None:
    """Create the folders and bring the schema up to date (raises SchemaError, changing nothing)."""
    settings.ensure_dirs()
    path = settings.sqlite_path
    if path is not None and (sqlite_up_to_date(path) or (made_new_sqlite(path) and sqlite_up_to_date(path))):
        return
    from boards_desktop.db.commands import prepare_database as upgrade_and_check

    asyncio.run(upgrade_and_check(settings))


def sqlite_up_to_date(path: Path) -> bool:
    """True when the SQLite database file `path` has every schema file applied and every table and
    column; False when that is not so, or not sure."""
    if not path.is_file():
        return False
    try:
        files = load_schema_files("sqlite")
        # mode=rw: never creates the file; timeout 0: a database locked by another process is left
        # to the full way, which waits for it.
        live = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=0, isolation_level=None)
        try:
            rows = live.execute(
                f"SELECT name, version, checksum, applied_at FROM {RECORD_TABLE} ORDER BY version, name"
            ).fetchall()
            if check_applied([AppliedFile(*row) for row in rows], files):
                return False  # files to apply
            if os.environ.get("BOARDS_SCHEMAS_DIR"):
                return True  # a schemas folder of one's own: its presence is left to `db diff` (schema_presence)
            return _names_made_by(files) <= set(live.execute(_NAMES).fetchall())
        finally:
            live.close()
    except Exception:  # noqa: BLE001 - not sure: the full way looks again and says what is wrong
        return False


def made_new_sqlite(path: Path) -> bool:
    """Make a new database at `path` (no file, or one without tables) with every schema file; False when
    it is not new, or could not be made (left to the full way). Raises SchemaError when a statement fails."""
    try:
        if path.is_file() and path.stat().st_size > 0:
            with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as existing:
                if existing.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    return False
        files = load_schema_files("sqlite")
        with closing(sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)) as database:
            # As db.engine sets up each connection of the app (those of the runner's engine too).
            database.execute("PRAGMA journal_mode=WAL")
            database.execute("PRAGMA foreign_keys=ON")
            database.execute("PRAGMA synchronous=NORMAL")
            for schema_file in files:
                if _apply(database, schema_file):
                    log.info("applied schema file %s", schema_file.name)
    except (sqlite3.Error, SchemaFileError):
        return False  # the full way tries again, and says what is wrong
    return True


def _apply(database: sqlite3.Connection, schema_file: SchemaFile) -> bool:
    """One file and its record, in one transaction; False when another process had applied it."""
    database.execute("BEGIN IMMEDIATE")
    try:
        database.execute(CREATE_RECORD_TABLE)
        if database.execute(f"SELECT 1 FROM {RECORD_TABLE} WHERE name = ?", (schema_file.name,)).fetchone():
            database.execute("ROLLBACK")
            return False
        for number, statement in enumerate(schema_file.statements, start=1):
            try:
                database.execute(statement)
            except sqlite3.DatabaseError as error:
                raise SchemaError(statement_failed(schema_file, number, statement, str(error))) from None
        database.execute(
            f"INSERT INTO {RECORD_TABLE} (name, version, checksum, applied_at) VALUES (?, ?, ?, ?)",
            (schema_file.name, schema_file.version, schema_file.checksum, datetime.now(UTC).isoformat()),
        )
        database.execute("COMMIT")
    except BaseException:
        if database.in_transaction:
            database.execute("ROLLBACK")
        raise
    return True


def _names_made_by(files: list[SchemaFile]) -> set[tuple[str, str]]:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for schema_file in files:
            memory.executescript(schema_file.sql)
        return set(memory.execute(_NAMES).fetchall())
    finally:
        memory.close()
