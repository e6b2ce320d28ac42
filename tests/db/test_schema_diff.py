"""`db diff`: how a live database differs from the DDL, and SQL that takes it there and back."""

from __future__ import annotations

import re
import sqlite3
import uuid

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_diff import CHANGED, EXTRA, MISSING, diff_database, render_sql, render_text
from boards_desktop.db.schema_runner import upgrade
from tests.db.support import FIRST, LINEAGE, execute, fetch, populate, run_script, sql_sections, sqlite_path


async def test_a_fresh_database_has_no_difference(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        diff = await diff_database(database)
        assert diff.is_empty
        assert render_text(diff) == "no difference"
        assert render_sql(diff, database.dialect) == "-- no difference"
    finally:
        await database.dispose()


async def test_diff_changes_nothing_and_leaves_no_scratch_schema(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        before = await _schema_objects(database)
        await diff_database(database)
        assert await _schema_objects(database) == before
        if not database.is_sqlite:
            assert await fetch(database, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'boards_ddl_%'") == []
    finally:
        await database.dispose()


async def test_an_empty_database_lacks_every_table(database_url):
    database = Database(database_url)
    try:
        diff = await diff_database(database)
        missing = {d.table for d in diff.differences if d.kind == "table" and d.change == MISSING}
        assert {"tenants", "boards", "generations", "generation_lineage"} <= missing
        assert "schema_migrations" not in render_text(diff)  # the runner's table is no part of the DDL
    finally:
        await database.dispose()


async def test_each_manual_change_is_reported(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        await _drift(database)
        diff = await diff_database(database)
        found = {(d.kind, d.table, d.change, d.subject) for d in diff.differences}
        expected = {
            ("index", "boards", MISSING, "index ix_boards_tenant on boards"),
            ("column", "tags", EXTRA, "column tags.colour"),
            ("column", "generations", MISSING, "column generations.error_message"),
            ("table", "generation_lineage", MISSING, "table generation_lineage"),
            ("nullability", "credit_transactions", CHANGED, "column credit_transactions.description"),
            (
                "foreign key",
                "credit_transactions",
                MISSING,
                "foreign key on credit_transactions (generation_id) -> generations (id) ON DELETE SET NULL",
            ),
        }
        if not database.is_sqlite:
            expected |= {
                ("type", "tags", CHANGED, "column tags.name"),
                ("unique", "tenants", MISSING, "unique constraint on tenants (slug)"),
            }
        assert found == expected

        text = render_text(diff)
        assert "index ix_boards_tenant on boards: missing from the database" in text
        assert "column tags.colour: not in the DDL" in text
        assert "table generation_lineage: missing from the database" in text
        assert "column credit_transactions.description: NOT NULL in the database, nullable in the DDL" in text
        assert len(text.splitlines()) == len(diff.differences)
        if not database.is_sqlite:
            assert "column tags.name: type is TEXT in the database, VARCHAR(100) in the DDL" in text
    finally:
        await database.dispose()


async def test_up_sql_brings_a_drifted_database_back_and_down_sql_returns_it(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        rows = await populate(database, boards=2, generations=5)
        await _add_credit(database, rows)
        await _drift(database)
        drifted = await diff_database(database)
        sql = render_sql(drifted, database.dialect)
        up, down = sql_sections(sql)
        if database.is_sqlite:
            # SQLite cannot ALTER nullability or foreign keys: the table is rebuilt, with a reason.
            assert "-- credit_transactions is rebuilt" in up and "cannot ALTER the nullability of column" in up

        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
        # Every row survived, including those of a rebuilt table.
        assert len(await fetch(database, "SELECT id FROM generations")) == 5
        assert await fetch(database, "SELECT description FROM credit_transactions") == [("first credit",)]

        await run_script(database_url, down)
        assert render_text(await diff_database(database)) == render_text(drifted)
    finally:
        await database.dispose()


async def test_a_column_alter_table_cannot_add_is_restored_too(database_url):
    # SQLite's ADD COLUMN refuses a NOT NULL column whose default is CURRENT_TIMESTAMP.
    database = Database(database_url)
    try:
        await upgrade(database)
        tenant = str(uuid.uuid4())
        await execute(
            database,
            f"INSERT INTO tenants (id, name, slug) VALUES ('{tenant}', 'Studio', 'studio')",
            f"INSERT INTO tags (id, tenant_id, name, slug) VALUES ('{uuid.uuid4()}', '{tenant}', 'Sky', 'sky')",
            "ALTER TABLE tags DROP COLUMN updated_at",
        )
        diff = await diff_database(database)
        assert [d.describe() for d in diff.differences] == [
            "column tags.updated_at: missing from the database (TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)"
        ]
        up, _ = sql_sections(render_sql(diff, database.dialect))
        assert ("-- tags is rebuilt" in up) == database.is_sqlite
        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
        assert [row[0] for row in await fetch(database, "SELECT slug FROM tags")] == ["sky"]
    finally:
        await database.dispose()


async def test_diff_of_a_later_schema_folder_lists_what_upgrade_would_add(database_url, schema_folder):
    schema_folder.copy(FIRST)
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        schema_folder.copy(LINEAGE)
        diff = await diff_database(database, schema_folder.path)
        assert [(d.kind, d.table, d.change) for d in diff.differences] == [("table", "generation_lineage", MISSING)]
        up, _ = sql_sections(render_sql(diff, database.dialect))
        assert "CREATE TABLE generation_lineage" in up
        assert "CREATE INDEX ix_generation_lineage_input ON generation_lineage (input_generation_id)" in up
    finally:
        await database.dispose()


async def test_dialect_specific_files_compare_equal_once_applied(database_url, schema_folder):
    schema_folder.copy(FIRST, LINEAGE)
    schema_folder.write("003_search.sqlite.sql", "CREATE VIRTUAL TABLE generation_search USING fts5(prompt);\n")
    schema_folder.write(
        "003_search.postgresql.sql",
        "CREATE INDEX ix_generations_input_params ON generations USING gin (input_params);\n",
    )
    database = Database(database_url)
    try:
        await upgrade(database, schema_folder.path)
        assert render_text(await diff_database(database, schema_folder.path)) == "no difference"
        if not database.is_sqlite:
            await execute(database, "DROP INDEX ix_generations_input_params")
            diff = await diff_database(database, schema_folder.path)
            assert [d.describe() for d in diff.differences] == [
                (
                    "index ix_generations_input_params on generations: missing from the database "
                    "(input_params) postgresql_using=gin"
                )
            ]
            up, _ = sql_sections(render_sql(diff, database.dialect))
            await run_script(database_url, up)
            assert render_text(await diff_database(database, schema_folder.path)) == "no difference"
    finally:
        await database.dispose()


# --- helpers ---------------------------------------------------------------------------------------


async def _drift(database: Database) -> None:
    """The manual changes someone might make behind the app's back."""
    await execute(
        database,
        "DROP INDEX ix_boards_tenant",
        "ALTER TABLE tags ADD COLUMN colour VARCHAR(20)",
        "ALTER TABLE generations DROP COLUMN error_message",
        "DROP TABLE generation_lineage",
    )
    if database.is_sqlite:
        await _sqlite_rebuild_credit_transactions(database)
    else:
        await execute(
            database,
            "ALTER TABLE credit_transactions ALTER COLUMN description SET NOT NULL",
            "ALTER TABLE credit_transactions DROP CONSTRAINT credit_transactions_generation_id_fkey",
            "ALTER TABLE tags ALTER COLUMN name TYPE TEXT",
            "ALTER TABLE tenants DROP CONSTRAINT uq_tenants_slug",
        )


async def _sqlite_rebuild_credit_transactions(database: Database) -> None:
    # SQLite changes nullability and foreign keys only by rebuilding the table.
    (create,) = (await fetch(database, "SELECT sql FROM sqlite_master WHERE name = 'credit_transactions'"))[0]
    changed = create.replace("description TEXT,", "description TEXT NOT NULL,")
    changed = re.sub(r",\s*FOREIGN KEY \(generation_id\) REFERENCES generations \(id\) ON DELETE SET NULL", "", changed)
    changed = changed.replace("CREATE TABLE credit_transactions", "CREATE TABLE credit_transactions_new", 1)
    assert changed.count("NOT NULL") == create.count("NOT NULL") + 1 and "generations" not in changed
    path = sqlite_path(database.url)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript(
            f"""
            PRAGMA foreign_keys = OFF;
            BEGIN;
            {changed};
            INSERT INTO credit_transactions_new SELECT * FROM credit_transactions;
            DROP TABLE credit_transactions;
            ALTER TABLE credit_transactions_new RENAME TO credit_transactions;
            CREATE INDEX ix_credit_transactions_user ON credit_transactions (user_id, created_at);
            COMMIT;
            """
        )
    finally:
        connection.close()


async def _add_credit(database: Database, rows: dict[str, list[str]]) -> None:
    await execute(
        database,
        "INSERT INTO credit_transactions (id, tenant_id, user_id, generation_id, transaction_type, amount, "
        f"balance_after, description) VALUES ('{uuid.uuid4()}', '{rows['tenant'][0]}', '{rows['user'][0]}', "
        f"'{rows['generations'][0]}', 'usage', 1.5, 8.5, 'first credit')",
    )


async def _schema_objects(database: Database) -> list[tuple]:
    if database.is_sqlite:
        return await fetch(database, "SELECT type, name, sql FROM sqlite_master ORDER BY name")
    return await fetch(
        database,
        "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1, 2",
    )
