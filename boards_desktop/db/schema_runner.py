"""Apply the DDL files to a database: in order, each in its own transaction, each recorded.

The runner refuses, before changing anything, a database whose applied files were edited since
(their checksum differs) or that holds files this version does not know (it was opened by a newer
version of the app). A SQLite database that already has data is backed up beside itself first;
housekeeping prunes those backups to the newest few (BOARDS_KEEP_BACKUPS).
A file whose statement fails is rolled back whole and reported as a SchemaError that names the
file and the statement; the files before it stay applied.
"""

from __future__ import annotations

import glob
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import NullPool

from boards_desktop.db.engine import Database, create_engine
from boards_desktop.db.schema_files import SchemaFile, load_schema_files
from boards_desktop.db.schema_history import CREATE_RECORD_TABLE, statement_failed

# Re-exported: the rest of the app imports them from here (they live apart, without SQLAlchemy).
from boards_desktop.db.schema_history import RECORD_TABLE as RECORD_TABLE  # noqa: PLC0414
from boards_desktop.db.schema_history import AppliedFile as AppliedFile  # noqa: PLC0414
from boards_desktop.db.schema_history import SchemaError as SchemaError  # noqa: PLC0414
from boards_desktop.db.schema_history import check_applied as check_applied  # noqa: PLC0414
from boards_desktop.db.types import utcnow

log = logging.getLogger("boards.db")

# Serialises concurrent upgrades of one PostgreSQL database (two app instances starting at once).
_PG_LOCK_KEY = 0x626F61726473  # "boards"
BACKUP_SUFFIX = ".bak"  # `<database file>.<UTC timestamp>.bak`; housekeeping keeps the newest few


@dataclass(frozen=True)
class SchemaStatus:
    applied: list[AppliedFile]
    pending: list[SchemaFile]


@dataclass(frozen=True)
class UpgradeResult:
    applied: list[str]
    backup: Path | None


async def read_applied(connection: AsyncConnection) -> list[AppliedFile]:
    exists = await connection.run_sync(lambda sync: sync.dialect.has_table(sync, RECORD_TABLE))
    if not exists:
        return []
    rows = await connection.execute(
        text(f"SELECT name, version, checksum, applied_at FROM {RECORD_TABLE} ORDER BY version, name")
    )
    return [AppliedFile(*row) for row in rows]


async def schema_status(database: Database, directory: Path | None = None) -> SchemaStatus:
    files = load_schema_files(database.dialect, directory)
    async with database.engine.connect() as connection:
        applied = await read_applied(connection)
    known = {f.name for f in files}
    done = {a.name for a in applied}
    return SchemaStatus(applied, [f for f in files if f.name not in done and f.name in known])


async def upgrade(
    database: Database, directory: Path | None = None, *, backup: bool = True, keep_backups: int | None = None
) -> UpgradeResult:
    """Apply every pending file, each in its own transaction; `keep_backups`: prune to that many after backing up.

    Raises SchemaError, changing nothing, when the history is wrong; and when a file's statement
    fails, after rolling that file back (the files before it stay applied).
    """
    files = load_schema_files(database.dialect, directory)
    async with database.engine.connect() as connection:
        pending = check_applied(await read_applied(connection), files)
    if not pending:
        return UpgradeResult([], None)

    backup_path = None
    if backup and database.is_sqlite:
        backup_path = _backup_sqlite(database)
        if backup_path is not None and keep_backups is not None:
            # Upgrades interrupted again and again each left a whole copy: the newest few are enough.
            pruned = prune_sqlite_backups(backup_path.parent / _sqlite_file_name(database), keep_backups)
            if pruned.files:
                log.info("removed %d old backup(s) of the database (%d bytes)", pruned.files, pruned.bytes)

    applied: list[str] = []
    engine = _schema_engine(database)
    try:
        for schema_file in pending:
            try:
                if await _apply(database, engine, schema_file):
                    applied.append(schema_file.name)
                    log.info("applied schema file %s", schema_file.name)
            except _StatementFailed as failure:
                # Raised here, once the file's transaction block has ended, so "rolled back" is true.
                raise SchemaError(str(failure)) from None
    finally:
        if engine is not database.write_engine:
            await engine.dispose()
    return UpgradeResult(applied, backup_path)


def _schema_engine(database: Database) -> AsyncEngine:
    """Where the files are applied: on SQLite, transactions that take the write lock as they begin.

    A deferred transaction reads the record table, then writes; if another process (two apps
    started at once on a new database, or `boards import` beside a starting app) committed a file
    in between, SQLite refuses the write at once ("database is locked") instead of waiting, and
    the file would be reported as failing. BEGIN IMMEDIATE waits its turn, then reads what the
    other applied. PostgreSQL waits on an advisory lock instead (in `_apply`).
    """
    if not database.is_sqlite:
        return database.write_engine
    return create_engine(database.url, immediate=True, poolclass=NullPool)


async def _apply(database: Database, engine: AsyncEngine, schema_file: SchemaFile) -> bool:
    """Apply one file and record it, in one transaction; False when another process already had."""
    async with engine.begin() as connection:
        if database.dialect == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))
        await connection.exec_driver_sql(CREATE_RECORD_TABLE)
        # Another process may have applied it while we waited for the lock.
        if schema_file.name in {a.name for a in await read_applied(connection)}:
            return False
        for number, statement in enumerate(schema_file.statements, start=1):
            try:
                await connection.exec_driver_sql(statement)
            except DBAPIError as error:
                if error.connection_invalidated:
                    raise  # the connection was lost: no fault of the file, so not reported as one
                raise _StatementFailed(schema_file, number, statement, error) from error
        await connection.execute(
            text(
                f"INSERT INTO {RECORD_TABLE} (name, version, checksum, applied_at) "
                "VALUES (:name, :version, :checksum, :applied_at)"
            ),
            {
                "name": schema_file.name,
                "version": schema_file.version,
                "checksum": schema_file.checksum,
                "applied_at": utcnow().isoformat(),
            },
        )
    return True


class _StatementFailed(Exception):
    """A statement of a schema file was refused by the database; the message says which and why."""

    def __init__(self, schema_file: SchemaFile, number: int, statement: str, error: DBAPIError) -> None:
        super().__init__(statement_failed(schema_file, number, statement, str(error.orig)))


def _sqlite_file_name(database: Database) -> str:
    return Path(database.url.split(":///", 1)[1].split("?", 1)[0]).name


def _backup_sqlite(database: Database) -> Path | None:
    """Copy a SQLite database that has tables to `<name>.<UTC timestamp>.bak` beside it.

    The copy is written under `<name>.<stamp>.bak.part` and renamed when whole, so that an upgrade
    killed mid-copy never leaves a truncated file under a backup's name (one to be trusted, or
    kept by pruning in place of a whole one); housekeeping removes such leftovers.
    """
    path = Path(database.url.split(":///", 1)[1].split("?", 1)[0])
    if not path.is_file() or path.stat().st_size == 0:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.{stamp}{BACKUP_SUFFIX}")
    partial = target.with_name(target.name + ".part")
    source = sqlite3.connect(path)
    try:
        has_tables = source.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if not has_tables:
            return None
        # The backup API copies a consistent snapshot, WAL included, while others keep reading.
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        finally:
            destination.close()
        os.replace(partial, target)
    finally:
        source.close()
        partial.unlink(missing_ok=True)  # a failed copy: nothing of it stays
    log.info("backed up %s to %s", path, target)
    return target


@dataclass(frozen=True)
class PrunedBackups:
    files: int
    bytes: int


def sqlite_backups(database_file: Path) -> list[Path]:
    """The backups made before upgrades of `database_file`, oldest first (their names sort by time)."""
    return sorted(database_file.parent.glob(f"{glob.escape(database_file.name)}.*{BACKUP_SUFFIX}"))


def prune_sqlite_backups(database_file: Path, keep: int, *, unfinished_before: float | None = None) -> PrunedBackups:
    """Remove all but the newest `keep` backups, and unfinished ones (`.bak.part`) older than the cutoff
    (default: an hour ago, so that an upgrade backing up right now in another process is spared)."""
    if unfinished_before is None:
        unfinished_before = time.time() - 3600
    backups = sqlite_backups(database_file)
    doomed = backups[: max(len(backups) - max(keep, 1), 0)]
    for partial in database_file.parent.glob(f"{glob.escape(database_file.name)}.*{BACKUP_SUFFIX}.part"):
        try:
            if partial.stat().st_mtime < unfinished_before:
                doomed.append(partial)
        except OSError:
            pass
    files = size = 0
    for path in doomed:
        try:
            length = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("could not remove the old backup %s: %s", path, exc.strerror or exc)
            continue
        files += 1
        size += length
    return PrunedBackups(files, size)
