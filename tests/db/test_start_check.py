"""The start-up's look at an SQLite database with sqlite3 alone (boards_desktop.db.start_check): it says
"up to date" only for a database with every schema file applied and every table and column, and
leaves anything else to the full upgrade and check, which say what is wrong."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from boards_desktop.db.schema_files import schemas_dir
from boards_desktop.db.schema_history import SchemaError
from boards_desktop.db.start_check import made_new_sqlite, prepare_database, sqlite_up_to_date
from boards_desktop.settings import load_settings
from tests.app_harness import app_environment


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database as the first start leaves it (the schemas shipped with the app)."""
    monkeypatch.delenv("BOARDS_SCHEMAS_DIR", raising=False)
    data = tmp_path / "data"
    env = app_environment(f"sqlite+aiosqlite:///{data / 'boards.db'}", data)
    env.pop("BOARDS_SCHEMAS_DIR", None)
    prepare_database(load_settings(env))
    return data / "boards.db"


def test_a_database_made_by_the_first_start_is_up_to_date(made: Path) -> None:
    assert sqlite_up_to_date(made)


def test_no_file_or_not_a_database_is_left_to_the_full_way(tmp_path: Path) -> None:
    assert not sqlite_up_to_date(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()  # never created
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"these bytes are not a SQLite database\n" * 200)
    assert not sqlite_up_to_date(junk)


def test_a_column_dropped_behind_the_apps_back_is_left_to_the_full_way(made: Path) -> None:
    with sqlite3.connect(made) as database:
        database.execute("ALTER TABLE boards DROP COLUMN description")
    assert not sqlite_up_to_date(made)


def test_a_pending_or_edited_file_is_left_to_the_full_way(
    made: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), folder)
    monkeypatch.setenv("BOARDS_SCHEMAS_DIR", str(folder))
    assert sqlite_up_to_date(made)
    (folder / "999_more.sql").write_text("CREATE TABLE more_things (id INTEGER PRIMARY KEY);\n")
    assert not sqlite_up_to_date(made)
    (folder / "999_more.sql").unlink()
    first = min(folder.glob("001_*.sql"))
    first.write_text(first.read_text() + "\n-- edited\n")
    assert not sqlite_up_to_date(made)


def test_a_database_locked_by_another_process_is_left_to_the_full_way(made: Path) -> None:
    holder = sqlite3.connect(made, isolation_level=None)
    try:
        holder.execute("PRAGMA journal_mode=DELETE")
        holder.execute("BEGIN EXCLUSIVE")
        assert not sqlite_up_to_date(made)  # at once: the full way waits for the lock
    finally:
        holder.rollback()
        holder.close()
    assert sqlite_up_to_date(made)


def test_a_new_database_is_made_as_the_runner_makes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same tables, columns, indexes and triggers, and the same record of applied files."""
    import asyncio

    from boards_desktop.db.commands import prepare_database as full_way
    from boards_desktop.db.schema_runner import RECORD_TABLE

    monkeypatch.delenv("BOARDS_SCHEMAS_DIR", raising=False)
    ours, runners = tmp_path / "ours" / "boards.db", tmp_path / "runners" / "boards.db"
    ours.parent.mkdir()
    runners.parent.mkdir()
    assert made_new_sqlite(ours)
    env = app_environment(f"sqlite+aiosqlite:///{runners}", tmp_path / "runners")
    env.pop("BOARDS_SCHEMAS_DIR", None)
    asyncio.run(full_way(load_settings(env)))

    def described(path: Path) -> tuple[list, list]:
        with sqlite3.connect(path) as database:
            schema = database.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
            record = database.execute(f"SELECT name, version, checksum FROM {RECORD_TABLE} ORDER BY name").fetchall()
        return schema, record

    assert described(ours) == described(runners)
    assert not made_new_sqlite(ours)  # not new any more: left alone
    assert sqlite_up_to_date(ours)


def test_a_failing_statement_of_a_new_database_is_said_as_the_runner_says_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "001_first.sql").write_text("CREATE TABLE things (id INTEGER PRIMARY KEY);\n")
    (folder / "002_broken.sql").write_text("CREATE TABLE others (id INTEGER PRIMARY KEY);\nCREATE TABLE things (x);\n")
    monkeypatch.setenv("BOARDS_SCHEMAS_DIR", str(folder))
    path = tmp_path / "boards.db"
    with pytest.raises(SchemaError) as refused:
        made_new_sqlite(path)
    assert str(refused.value) == (
        "schema file 002_broken.sql failed at statement 2 (CREATE TABLE things (x)): table things already exists. "
        "Nothing of 002_broken.sql was applied (its transaction was rolled back); files before it stay applied. "
        "Fix 002_broken.sql, then run `boards-desktop db upgrade` or start the app again."
    )
    with sqlite3.connect(path) as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"things", "schema_migrations"}  # 002 rolled back whole
