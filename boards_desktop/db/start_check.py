"""The start-up's schema step, with SQLAlchemy only when there is something to do.

`serve` and the window bring the schema up to date and check that every table and column is
present before they serve (boards_desktop.db.commands.prepare_database). Done with SQLAlchemy, that
is its import, a fifth of the start-up before the first answer, for a database that is almost
always up to date. So an SQLite database is first looked at with the standard library's sqlite3:
its record of applied files fits this version's files, none is pending, and every table and column
the DDL makes is there (the DDL run in a database in memory, a few milliseconds). Anything else
(a fresh folder, files to apply, a history that does not fit, a missing column, a database that is
locked, damaged or not SQLite) goes the full way, which says what is wrong in its own words.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from boards_desktop.db.schema_files import SchemaFile, load_schema_files
from boards_desktop.db.schema_history import RECORD_TABLE, AppliedFile, check_applied
from boards_desktop.settings import Settings

# Every (table, column) of a database; tables include virtual ones (full-text search) and theirs.
_NAMES = "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'"


def prepare_database(settings: Settings) -> None:
    """Create the folders and bring the schema up to date (raises SchemaError, changing nothing)."""
    settings.ensure_dirs()
    if settings.sqlite_path is not None and sqlite_up_to_date(settings.sqlite_path):
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


def _names_made_by(files: list[SchemaFile]) -> set[tuple[str, str]]:
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for schema_file in files:
            memory.executescript(schema_file.sql)
        return set(memory.execute(_NAMES).fetchall())
    finally:
        memory.close()
