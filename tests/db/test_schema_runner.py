"""The schema runner: upgrade in order with checksums, status, backups, and the refusals."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_diff import diff_database, render_text
from boards_desktop.db.schema_files import load_schema_files
from boards_desktop.db.schema_runner import RECORD_TABLE, SchemaError, schema_status, upgrade
from tests.db.support import (
    FIRST,
    LINEAGE,
    TEST_003,
    backups_of,
    execute,
    fetch,
    populate,
    sqlite_path,
    table_names,
)

OWN_TABLES = {
    "tenants",
    "users",
    "boards",
    "board_members",
    "generations",
    "tags",
    "generation_tags",
    "lora_models",
    "credit_transactions",
}


async def _records(database: Database) -> list[tuple]:
    return await fetch(database, f"SELECT name, version, checksum FROM {RECORD_TABLE} ORDER BY version")


async def test_upgrade_applies_pending_files_in_order_and_records_checksums(database_url, schema_folder):
    schema_folder.copy(FIRST, LINEAGE).write(*TEST_003)
    database = Database(database_url)
    try:
        result = await upgrade(database, schema_folder.path)
        assert result.applied == [FIRST, LINEAGE, TEST_003[0]]
        files = load_schema_files(database.dialect, schema_folder.path)
        assert await _records(database) == [(f.name, f.version, f.checksum) for f in files]
        assert OWN_TABLES | {"generation_lineage", RECORD_TABLE} <= await table_names(database)
        assert await fetch(database, "SELECT colour FROM boards") == []

        again = await upgrade(database, schema_folder.path)
        assert again.applied == [] and again.backup is None
        assert len(await _records(database)) == 3
    finally:
        await database.dispose()


async def test_status_lists_applied_and_pending(database_url, schema_folder):
    schema_folder.copy(FIRST)
    database = Database(database_url)
    try:
        empty = await schema_status(database, schema_folder.path)
        assert empty.applied == [] and [f.name for f in empty.pending] == [FIRST]

        await upgrade(database, schema_folder.path)
        schema_folder.copy(LINEAGE).write(*TEST_003)
        status = await schema_status(database, schema_folder.path)
        assert [a.name for a in status.applied] == [FIRST]
        assert status.applied[0].checksum == load_schema_files(database.dialect, schema_folder.path)[0].checksum
        assert status.applied[0].applied_at  # a timestamp
        assert [f.name for f in status.pending] == [LINEAGE, TEST_003[0]]
    finally:
        await database.dispose()


async def test_a_populated_database_upgrades_keeping_every_row_and_a_backup(database_url, schema_folder):
    schema_folder.copy(FIRST)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        rows = await populate(database, boards=3, generations=20)
        before = await _counts(database)

        schema_folder.copy(LINEAGE).write(*TEST_003)
        result = await upgrade(database, schema_folder.path)

        assert result.applied == [LINEAGE, TEST_003[0]]
        assert await _counts(database) == before
        assert sorted(await fetch(database, "SELECT id FROM generations")) == sorted((g,) for g in rows["generations"])
        assert await fetch(database, "SELECT DISTINCT colour FROM boards") == [(None,)]
        assert render_text(await diff_database(database, schema_folder.path)) == "no difference"
        if database.is_sqlite:
            _assert_backup_holds_the_old_database(result.backup, database_url, before)
        else:
            assert result.backup is None
    finally:
        await database.dispose()


def _assert_backup_holds_the_old_database(backup: Path | None, url: str, counts: dict[str, int]) -> None:
    assert backup is not None and backup.is_file()
    assert backups_of(url) == [backup]
    database_file = sqlite_path(url)
    assert backup.parent == database_file.parent
    # boards.db.<UTC timestamp>.bak
    stamp = backup.name.removeprefix(database_file.name + ".").removesuffix(".bak")
    assert len(stamp) >= 15 and stamp[:8].isdigit() and stamp.endswith("Z")
    connection = sqlite3.connect(backup)
    try:
        for table, count in counts.items():
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "generation_lineage" not in names  # the state before the upgrade
        assert connection.execute(f"SELECT name FROM {RECORD_TABLE}").fetchall() == [(FIRST,)]
    finally:
        connection.close()


async def test_a_fresh_sqlite_database_gets_no_backup(tmp_path, schema_folder):
    schema_folder.copy(FIRST, LINEAGE)
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    database = Database(url)
    try:
        assert (await upgrade(database, schema_folder.path)).backup is None
        assert backups_of(url) == []
    finally:
        await database.dispose()


async def test_an_edited_applied_file_is_refused_and_nothing_changes(database_url, schema_folder):
    schema_folder.copy(FIRST, LINEAGE)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        await populate(database, boards=1, generations=2)
        records, tables, counts = await _records(database), await table_names(database), await _counts(database)

        edited = (schema_folder.path / LINEAGE).read_text() + "\nCREATE INDEX ix_sneaky ON generation_lineage (role);\n"
        schema_folder.write(LINEAGE, edited).write(*TEST_003)
        with pytest.raises(SchemaError) as error:
            await upgrade(database, schema_folder.path)

        message = str(error.value)
        assert LINEAGE in message
        assert "restore" in message and "new file" in message
        assert FIRST not in message  # only the edited file is named
        assert await _records(database) == records
        assert await table_names(database) == tables
        assert await _counts(database) == counts
        assert "colour" not in {c for (c,) in await _column_names(database, "boards")}
        assert backups_of(database_url) == []
    finally:
        await database.dispose()


async def test_a_database_from_a_newer_version_is_refused_and_nothing_changes(database_url, schema_folder, tmp_path):
    schema_folder.copy(FIRST, LINEAGE).write(*TEST_003)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        records, tables = await _records(database), await table_names(database)

        older = tmp_path / "older-schemas"
        older.mkdir()
        for name in (FIRST, LINEAGE):
            (older / name).write_text((schema_folder.path / name).read_text())
        with pytest.raises(SchemaError) as error:
            await upgrade(database, older)

        message = str(error.value)
        assert TEST_003[0] in message
        assert "newer version" in message and "Update Boards Desktop" in message
        assert await _records(database) == records
        assert await table_names(database) == tables
        assert backups_of(database_url) == []
    finally:
        await database.dispose()


async def test_a_file_numbered_before_the_newest_applied_one_is_refused(database_url, schema_folder):
    schema_folder.copy(FIRST).write(*TEST_003)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        records = await _records(database)

        schema_folder.copy(LINEAGE)  # 002 arrives after 003 was applied
        with pytest.raises(SchemaError) as error:
            await upgrade(database, schema_folder.path)

        message = str(error.value)
        assert LINEAGE in message and "renumber" in message and "900" in message
        assert await _records(database) == records
        assert "generation_lineage" not in await table_names(database)
    finally:
        await database.dispose()


async def test_a_failing_file_is_rolled_back_and_stays_pending(database_url, schema_folder):
    schema_folder.copy(FIRST).write("002_broken.sql", "CREATE TABLE half (x INTEGER);\nCREATE TABLE broken (;\n")
    database = Database(database_url)
    try:
        with pytest.raises(SchemaError) as error:
            await upgrade(database, schema_folder.path)
        message = str(error.value)
        assert "002_broken.sql" in message and "failed at statement 2 (CREATE TABLE broken ():" in message
        assert "syntax error" in message or "incomplete input" in message  # the engine's own words
        assert "Nothing of 002_broken.sql was applied" in message and "rolled back" in message
        assert "Fix 002_broken.sql" in message and "\n" not in message
        # 001 was applied in its own transaction; 002 left nothing behind.
        assert [r[0] for r in await _records(database)] == [FIRST]
        assert "half" not in await table_names(database)
        assert [f.name for f in (await schema_status(database, schema_folder.path)).pending] == ["002_broken.sql"]
    finally:
        await database.dispose()


async def test_a_file_creating_a_table_that_exists_is_refused_whole(database_url, schema_folder):
    schema_folder.copy(FIRST).write(
        "002_again.sql",
        "CREATE TABLE extra_notes (id INTEGER PRIMARY KEY);\n"
        "CREATE INDEX ix_boards_title_again ON boards (title);\n"
        "CREATE TABLE boards (\n    id VARCHAR(36) PRIMARY KEY\n);\n",
    )
    database = Database(database_url)
    try:
        with pytest.raises(SchemaError) as error:
            await upgrade(database, schema_folder.path)
        message = str(error.value)
        assert "002_again.sql failed at statement 3 (CREATE TABLE boards ()" in message
        assert "already exists" in message  # SQLite and PostgreSQL both say so, each in its own words
        assert "Nothing of 002_again.sql was applied" in message
        assert [r[0] for r in await _records(database)] == [FIRST]
        assert "extra_notes" not in await table_names(database)
        index_names = {row[0] for row in await fetch(database, _INDEX_NAMES[database.dialect])}
        assert "ix_boards_title_again" not in index_names and "ix_boards_tenant" in index_names
    finally:
        await database.dispose()


_INDEX_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}


# --- rows to keep ---------------------------------------------------------------------------------


async def _counts(database: Database) -> dict[str, int]:
    return {
        t: (await fetch(database, f"SELECT count(*) FROM {t}"))[0][0]
        for t in ("tenants", "users", "boards", "generations")
    }


async def _column_names(database: Database, table: str) -> list[tuple[str]]:
    async with database.engine.connect() as connection:
        columns = await connection.run_sync(lambda sync: sync.dialect.get_columns(sync, table))
    return [(c["name"],) for c in columns]


async def test_each_engine_applies_its_own_dialect_file_with_bodies(database_url, schema_folder):
    schema_folder.copy(FIRST)
    schema_folder.write(
        "002_slug_guard.sqlite.sql",
        """
        CREATE TRIGGER tenants_slug_guard BEFORE INSERT ON tenants
        BEGIN
            SELECT CASE WHEN NEW.slug LIKE '% %' THEN RAISE(ABORT, 'slug has a space; use dashes') END;
        END;
        """,
    )
    schema_folder.write(
        "002_slug_guard.postgresql.sql",
        """
        CREATE FUNCTION slug_ok(slug text) RETURNS boolean LANGUAGE sql IMMUTABLE
        BEGIN ATOMIC
            SELECT CASE WHEN slug LIKE '% %' THEN false ELSE true END;
        END;
        ALTER TABLE tenants ADD CONSTRAINT ck_tenants_slug CHECK (slug_ok(slug));
        """,
    )
    database = Database(database_url)
    try:
        result = await upgrade(database, schema_folder.path)
        assert result.applied == [FIRST, f"002_slug_guard.{database.dialect}.sql"]
        await execute(database, "INSERT INTO tenants (id, name, slug) VALUES ('a', 'A', 'fine-slug')")
        with pytest.raises(IntegrityError):
            await execute(database, "INSERT INTO tenants (id, name, slug) VALUES ('b', 'B', 'bad slug')")
        assert await fetch(database, "SELECT slug FROM tenants") == [("fine-slug",)]
        assert render_text(await diff_database(database, schema_folder.path)) == "no difference"
    finally:
        await database.dispose()


async def test_two_processes_upgrading_a_new_database_at_once_both_succeed(database_url):
    """Two apps started together on a new database (or `boards import` beside a starting app): each file
    is applied once, by whichever comes first, and neither reports a file as failing."""
    first, second = Database(database_url), Database(database_url)
    try:
        results = await asyncio.gather(upgrade(first), upgrade(second))
        names = [name for result in results for name in result.applied]
        assert sorted(names) == sorted(f.name for f in load_schema_files(first.dialect))
        assert len(await _records(first)) == len(names)
    finally:
        await first.dispose()
        await second.dispose()
