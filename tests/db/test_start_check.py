"""The start-up's look at an SQLite database with sqlite3 alone (boards_desktop.db.start_check): it says
"up to date" only for a database with every schema file applied and every table and column, and
leaves anything else to the full upgrade and check, which say what is wrong."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from boards_desktop.db.schema_files import schemas_dir
from boards_desktop.db.start_check import prepare_database, sqlite_up_to_date
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
