"""`db diff` and triggers: reported by name and table, and put back, dropped or remade by its SQL."""

from __future__ import annotations

import sqlite3
import uuid

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_diff import MISSING, diff_database, render_sql, render_text
from boards_desktop.db.schema_runner import upgrade
from tests.db.support import execute, fetch, populate, run_script, sql_sections, sqlite_path


async def test_a_dropped_trigger_is_reported_and_up_sql_brings_it_back(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        rows = await populate(database, boards=1, generations=2)
        on = "" if database.is_sqlite else " ON generations"
        await execute(database, f"DROP TRIGGER trg_generations_count_insert{on}")
        diff = await diff_database(database)
        assert [(d.kind, d.table, d.change) for d in diff.differences] == [("trigger", "generations", MISSING)]
        assert render_text(diff) == "trigger trg_generations_count_insert on generations: missing from the database"

        up, down = sql_sections(render_sql(diff, database.dialect))
        assert "CREATE TRIGGER trg_generations_count_insert AFTER INSERT ON generations" in up
        assert f"DROP TRIGGER trg_generations_count_insert{on};" in down
        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
        # The counter counts again: one more generation on the board, one more in its count.
        await _add_generation(database, rows)
        assert await fetch(database, "SELECT generation_count FROM boards") == [(3,)]

        await run_script(database_url, down)
        assert render_text(await diff_database(database)) == render_text(diff)
    finally:
        await database.dispose()


async def test_an_extra_and_a_changed_trigger_are_dropped_and_made_as_the_ddl_says(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        rows = await populate(database, boards=1, generations=1)
        if database.is_sqlite:
            await execute(
                database,
                "DROP TRIGGER trg_generations_count_delete",
                # Counts twice on delete: same name and table, another definition.
                "CREATE TRIGGER trg_generations_count_delete AFTER DELETE ON generations BEGIN "
                "UPDATE boards SET generation_count = generation_count - 2 WHERE id = OLD.board_id; END",
                "CREATE TRIGGER trg_boards_touch AFTER UPDATE ON boards BEGIN SELECT 1; END",
            )
        else:
            await execute(
                database,
                "DROP TRIGGER trg_generations_count_delete ON generations",
                "CREATE TRIGGER trg_generations_count_delete AFTER DELETE ON generations "
                "FOR EACH STATEMENT EXECUTE FUNCTION boards_count_generations()",
                "CREATE TRIGGER trg_boards_touch AFTER UPDATE ON boards "
                "FOR EACH ROW EXECUTE FUNCTION boards_count_generations()",
            )
        diff = await diff_database(database)
        assert render_text(diff).splitlines() == [
            "trigger trg_boards_touch on boards: not in the DDL",
            "trigger trg_generations_count_delete on generations: differs from the DDL",
        ]
        up, down = sql_sections(render_sql(diff, database.dialect))
        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
        await execute(database, f"DELETE FROM generations WHERE id = '{rows['generations'][0]}'")
        assert await fetch(database, "SELECT generation_count FROM boards") == [(0,)]
        await run_script(database_url, down)
        assert render_text(await diff_database(database)) == render_text(diff)
    finally:
        await database.dispose()


async def test_a_trigger_whose_function_is_gone_gets_a_note_not_a_failing_statement(database_url):
    database = Database(database_url)
    if database.is_sqlite:
        await database.dispose()
        return  # SQLite triggers carry their body; only PostgreSQL's call a function
    try:
        await upgrade(database)
        await execute(database, "DROP FUNCTION boards_count_generations() CASCADE")
        diff = await diff_database(database)
        assert {d.subject for d in diff.differences} == {
            "trigger trg_generations_count_insert on generations",
            "trigger trg_generations_count_delete on generations",
            "trigger trg_generations_count_move on generations",
        }
        up, _ = sql_sections(render_sql(diff, database.dialect))
        assert "-- recreate boards_count_generations() from its schema file, then run:" in up
        assert not [line for line in up.splitlines() if line.startswith("CREATE TRIGGER")]
        await run_script(database_url, up)  # runs: the notes are comments
    finally:
        await database.dispose()


async def test_a_sqlite_rebuild_makes_the_tables_triggers_again(database_url):
    database = Database(database_url)
    if not database.is_sqlite:
        await database.dispose()
        return  # PostgreSQL alters a table in place and keeps its triggers
    try:
        await upgrade(database)
        rows = await populate(database, boards=1, generations=1)
        path = sqlite_path(database.url)
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            (create,) = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'generations'").fetchone()
            changed = create.replace("CREATE TABLE generations", "CREATE TABLE generations_new", 1)
            changed = changed.replace("generator_name VARCHAR(100) NOT NULL", "generator_name VARCHAR(100)", 1)
            assert changed.count("NOT NULL") == create.count("NOT NULL") - 1
            # A hand-made rebuild like the user's: it loses the triggers, as SQLite drops them with the table.
            connection.executescript(
                f"""
                PRAGMA foreign_keys = OFF;
                BEGIN;
                {changed};
                INSERT INTO generations_new SELECT * FROM generations;
                DROP TABLE generations;
                ALTER TABLE generations_new RENAME TO generations;
                COMMIT;
                """
            )
        finally:
            connection.close()
        diff = await diff_database(database)
        assert {d.kind for d in diff.differences} >= {"nullability", "trigger"}
        up, _ = sql_sections(render_sql(diff, database.dialect))
        assert "-- generations is rebuilt" in up
        await run_script(database_url, up)
        assert render_text(await diff_database(database)) == "no difference"
        await _add_generation(database, rows)
        assert await fetch(database, "SELECT generation_count FROM boards") == [(2,)]
    finally:
        await database.dispose()


# --- helpers ---------------------------------------------------------------------------------------


async def _add_generation(database: Database, rows: dict[str, list[str]]) -> None:
    await execute(
        database,
        "INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type) "
        f"VALUES ('{uuid.uuid4()}', '{rows['tenant'][0]}', '{rows['boards'][0]}', '{rows['user'][0]}', 'test', 'image')",
    )
