"""How a live database differs from the schema its DDL files define: `boards-desktop db diff`.

Both sides are reflected by the same engine (schema_reflect), compared (schema_compare), and
reported as text or as the SQL that takes the database to the DDL and back (migration_sql).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from boards_desktop.db.engine import Database
from boards_desktop.db.migration_sql import up_and_down
from boards_desktop.db.schema_compare import CHANGED, EXTRA, MISSING, Difference, compare
from boards_desktop.db.schema_files import load_schema_files
from boards_desktop.db.schema_reflect import Schema, reflect_database, reflect_ddl

__all__ = [
    "CHANGED",
    "EXTRA",
    "MISSING",
    "NO_DIFFERENCE",
    "Difference",
    "SchemaDiff",
    "diff_database",
    "render_sql",
    "render_text",
]

NO_DIFFERENCE = "no difference"


@dataclass
class SchemaDiff:
    dialect: str
    database: Schema
    ddl: Schema
    differences: list[Difference]

    @property
    def is_empty(self) -> bool:
        return not self.differences


async def diff_database(database: Database, directory: Path | None = None) -> SchemaDiff:
    """Compare the live database with the schema the DDL files (of `directory`) define."""
    files = load_schema_files(database.dialect, directory)
    current = await reflect_database(database)
    target = await reflect_ddl(database, files)
    return SchemaDiff(database.dialect, current, target, compare(current, target))


def render_text(diff: SchemaDiff) -> str:
    if diff.is_empty:
        return NO_DIFFERENCE
    return "\n".join(difference.describe() for difference in diff.differences)


def render_sql(diff: SchemaDiff, dialect: str) -> str:
    """The statements that bring the database to the DDL ("-- up") and back ("-- down")."""
    if diff.is_empty:
        return f"-- {NO_DIFFERENCE}"
    return up_and_down(diff.database, diff.ddl, dialect)
