"""`boards-desktop db ...` and `serve` as a user runs them: a subprocess, settings in the environment."""

from __future__ import annotations

import asyncio
import sqlite3

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_runner import upgrade
from tests.db.support import FIRST, LINEAGE, TEST_003, backups_of, run_cli


def _env(tmp_path, database_url: str, schemas) -> dict[str, str]:
    return {
        "BOARDS_DATA_DIR": str(tmp_path / "data"),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_SCHEMAS_DIR": str(schemas),
    }


def test_db_upgrade_then_status(database_url, schema_folder, tmp_path):
    schema_folder.copy(FIRST, LINEAGE)
    env = _env(tmp_path, database_url, schema_folder.path)

    first = run_cli("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert [line for line in first.stdout.splitlines() if line.startswith("applied")] == [
        f"applied {FIRST}",
        f"applied {LINEAGE}",
    ]

    again = run_cli("db", "upgrade", env=env)
    assert again.returncode == 0 and again.stdout.strip() == "the database is up to date"

    schema_folder.write(*TEST_003)
    status = run_cli("db", "status", env=env)
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["applied", FIRST], ["applied", LINEAGE], ["pending", TEST_003[0]]]


def test_db_diff_prints_no_difference_on_a_fresh_database_and_exits_0(database_url, tmp_path):
    env = {"BOARDS_DATA_DIR": str(tmp_path / "data"), "BOARDS_DATABASE_URL": database_url}
    assert run_cli("db", "upgrade", env=env).returncode == 0
    diff = run_cli("db", "diff", env=env)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout == "no difference\n"
    sql = run_cli("db", "diff", "--sql", env=env)
    assert sql.returncode == 0, sql.stderr
    assert sql.stdout == "-- no difference\n"


def test_serve_refuses_an_edited_applied_file_with_one_line(schema_folder, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    schema_folder.copy(FIRST, LINEAGE)
    asyncio.run(_upgrade(url, schema_folder.path))
    before = _snapshot(data / "boards.db")

    schema_folder.write(LINEAGE, (schema_folder.path / LINEAGE).read_text() + "\n-- an innocent-looking edit\n")
    schema_folder.write(*TEST_003)
    result = run_cli("serve", "--port", "0", env=_env(tmp_path, url, schema_folder.path), timeout=60)

    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("boards-desktop: ") and LINEAGE in lines[0] and "restore" in lines[0]
    assert "Traceback" not in result.stderr and "running at" not in result.stdout
    assert _snapshot(data / "boards.db") == before
    assert backups_of(url) == []


def test_db_upgrade_refuses_a_newer_database_with_status_2(database_url, schema_folder, tmp_path):
    schema_folder.copy(FIRST, LINEAGE).write(*TEST_003)
    env = _env(tmp_path, database_url, schema_folder.path)
    assert run_cli("db", "upgrade", env=env).returncode == 0
    (schema_folder.path / TEST_003[0]).unlink()

    result = run_cli("db", "upgrade", env=env)
    assert result.returncode == 2
    assert "Update Boards Desktop" in result.stderr and len(result.stderr.strip().splitlines()) == 1


async def _upgrade(url: str, schemas) -> None:
    database = Database(url)
    try:
        await upgrade(database, schemas)
    finally:
        await database.dispose()


def _snapshot(path) -> tuple:
    connection = sqlite3.connect(path)
    try:
        schema = connection.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        records = connection.execute("SELECT name, checksum FROM schema_migrations ORDER BY name").fetchall()
        return schema, records
    finally:
        connection.close()


def test_db_diff_reports_drift_and_sql_prints_up_and_down_both_exiting_1(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    url = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    env = {"BOARDS_DATA_DIR": str(data), "BOARDS_DATABASE_URL": url}
    assert run_cli("db", "upgrade", env=env).returncode == 0
    connection = sqlite3.connect(data / "boards.db")
    connection.execute("DROP INDEX ix_generation_tags_tag")
    connection.close()

    # Status 1 says "they differ" (like `git diff --exit-code`), not that the command failed.
    report = run_cli("db", "diff", env=env)
    assert report.returncode == 1, report.stderr
    assert report.stderr == ""
    assert (
        report.stdout.strip() == "index ix_generation_tags_tag on generation_tags: missing from the database (tag_id)"
    )

    sql = run_cli("db", "diff", "--sql", env=env)
    assert sql.returncode == 1, sql.stderr
    up, down = sql.stdout.split("-- down")
    assert up.startswith("-- up") and "CREATE INDEX ix_generation_tags_tag ON generation_tags (tag_id);" in up
    assert "DROP INDEX ix_generation_tags_tag;" in down


def test_a_misnamed_schema_file_is_one_line_not_a_traceback(schema_folder, tmp_path):
    schema_folder.copy(FIRST, LINEAGE).write("3_later.sql", "SELECT 1;")
    data = tmp_path / "data"
    env = _env(tmp_path, f"sqlite+aiosqlite:///{data / 'boards.db'}", schema_folder.path)
    for command in (["db", "upgrade"], ["serve", "--port", "0"]):
        result = run_cli(*command, env=env)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "3_later.sql" in lines[0] and "NNN_name.sql" in lines[0], result.stderr
    assert not (data / "boards.db").exists()


def test_a_failing_schema_file_is_one_line_and_leaves_nothing_of_itself(schema_folder, tmp_path):
    broken = "002_notes.sql"
    schema_folder.copy(FIRST).write(broken, "CREATE TABLE notes (id INTEGER);\nCREATE TABLE boards (id TEXT);\n")
    data = tmp_path / "data"
    env = _env(tmp_path, f"sqlite+aiosqlite:///{data / 'boards.db'}", schema_folder.path)

    upgrade_result = run_cli("db", "upgrade", env=env)
    assert upgrade_result.returncode == 2, upgrade_result.stderr
    after_upgrade = _snapshot(data / "boards.db")
    serve_result = run_cli("serve", "--port", "0", env=env)
    assert serve_result.returncode == 2, serve_result.stderr

    for result in (upgrade_result, serve_result):
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"boards-desktop: schema file {broken} failed at statement 2 (CREATE TABLE boards (")
        assert "table boards already exists" in lines[0]  # SQLite's own words
        assert f"Nothing of {broken} was applied" in lines[0] and f"Fix {broken}" in lines[0]
        assert "Traceback" not in result.stderr and "running at" not in result.stdout
    # 001 went in by itself; of 002 nothing, not even its first statement, and serve changed nothing.
    tables, records = after_upgrade
    assert [name for name, _ in records] == [FIRST]
    assert "notes" not in {name for kind, name, _ in tables if kind == "table"}
    assert _snapshot(data / "boards.db") == after_upgrade
