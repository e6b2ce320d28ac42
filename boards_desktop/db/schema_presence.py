"""Is every table and column this version reads and writes present? Asked at start-up, after the upgrade.

A table dropped (or a column removed) behind the app's back would otherwise show itself as an
INTERNAL error on the first query that needs it. `db diff` compares everything, building the DDL in
a scratch database (tens of milliseconds); start-up only looks up the names the generated models
use, a few catalogue reads, and asks `db diff` for its words only when something is missing, so
that the refusal says what the command would say. The models are generated from the DDL that ships
with the app; a schemas folder of one's own (`BOARDS_SCHEMAS_DIR`: development, tests) defines
other tables, and is left to `db diff`.
"""

from __future__ import annotations

import os

from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Base
from boards_desktop.db.schema_runner import SchemaError

_WHAT_TO_DO = (
    "It was changed outside Boards Desktop. `boards-desktop db diff --sql` prints the statements that "
    "restore it, or restore a backup (boards.db.<time>.bak beside a SQLite database). Nothing was changed."
)


async def check_schema_present(database: Database) -> None:
    """Raise SchemaError, naming each missing table and column in `db diff`'s words, when any is missing."""
    if os.environ.get("BOARDS_SCHEMAS_DIR"):
        return
    async with database.engine.connect() as connection:
        absent = await connection.run_sync(_absent_names)
    if not absent:
        return
    from boards_desktop.db.schema_diff import MISSING, diff_database

    difference = await diff_database(database)
    described = [d.describe() for d in difference.differences if d.change == MISSING and d.kind in ("table", "column")]
    raise SchemaError(f"the database lacks what this version needs: {'; '.join(described or absent)}. {_WHAT_TO_DO}")


def _absent_names(connection: Connection) -> list[str]:
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    absent: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            absent.append(f"table {table.name}")
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        absent += [f"column {table.name}.{c.name}" for c in table.columns if c.name not in columns]
    return absent
