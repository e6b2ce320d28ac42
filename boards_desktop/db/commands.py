"""The `boards-desktop db ...` commands that talk to the live database, and the start-up's own upgrade.

A database that cannot be reached or opened is refused in one line (db.connect_errors); so is,
at start-up and after `db upgrade`, one that lacks a table or column (db.schema_presence).
"""

from __future__ import annotations

import sys

from boards_desktop.db.connect_errors import refusing_unusable_database
from boards_desktop.db.engine import Database
from boards_desktop.db.schema_files import SchemaFileError, schemas_dir
from boards_desktop.db.schema_presence import check_schema_present
from boards_desktop.db.schema_runner import SchemaError, schema_status, upgrade
from boards_desktop.settings import Settings


async def prepare_database(settings: Settings) -> None:
    """Create the folders and bring the schema up to date (raises SchemaError, changing nothing)."""
    settings.ensure_dirs()
    database = Database(settings.database_url)
    try:
        with refusing_unusable_database(settings.database_url):
            await upgrade(database, keep_backups=settings.keep_backups)
            await check_schema_present(database)
    except SchemaFileError as exc:
        # A misnamed file is fixed by whoever put it there: one line at start-up, not a traceback.
        raise SchemaError(_file_error(exc)) from None
    finally:
        await database.dispose()


async def run_db_command(settings: Settings, command: str, *, sql: bool = False) -> int:
    settings.ensure_dirs()
    database = Database(settings.database_url)
    try:
        with refusing_unusable_database(settings.database_url):
            return await _run(database, command, sql=sql, keep_backups=settings.keep_backups)
    except SchemaError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    except SchemaFileError as exc:
        print(f"boards-desktop: {_file_error(exc)}", file=sys.stderr)
        return 2
    finally:
        await database.dispose()


async def _run(database: Database, command: str, *, sql: bool, keep_backups: int) -> int:
    if command == "upgrade":
        result = await upgrade(database, keep_backups=keep_backups)
        if result.backup:
            print(f"backed up the database to {result.backup}")
        for name in result.applied:
            print(f"applied {name}")
        if not result.applied:
            print("the database is up to date")
        await check_schema_present(database)  # up to date, and yet a table may have been dropped
        return 0
    if command == "status":
        status = await schema_status(database)
        for applied in status.applied:
            print(f"applied  {applied.name}  {applied.applied_at}")
        for pending in status.pending:
            print(f"pending  {pending.name}")
        if not status.applied and not status.pending:
            print("no schema files")
        return 0
    if command == "diff":
        from boards_desktop.db.schema_diff import diff_database, render_sql, render_text

        difference = await diff_database(database)
        print(render_sql(difference, database.dialect) if sql else render_text(difference))
        # Like `git diff --exit-code`: a script or CI step can tell drift from no drift.
        return 0 if difference.is_empty else 1
    raise ValueError(f"unknown db command {command!r}")


def _file_error(exc: SchemaFileError) -> str:
    return f"schemas folder {schemas_dir()}: {exc}. Nothing was changed."
