"""Start-up refusals in one line: the real CLI in a subprocess, for each thing an artist or admin can get wrong.

Every case is tried with `serve`, the window's path (no display here, so it would serve) and a `db`
command: exit status 2, exactly one line on stderr, no traceback, no password anywhere in the
output, and nothing changed (a corrupt database file keeps every byte). Under `uvicorn --factory`
the refusal is one line on the `boards` logger and start-up fails.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from boards_desktop.db.engine import Database
from tests.benchmarks.startup import free_port
from tests.postgres_server import ThrowawayPostgres, find_bin_dir
from tests.serve_process import BOARDS_DESKTOP, one_line, run, serve_env

PASSWORD = "pw-Sekr1t-do-not-show"
COMMANDS = {
    "serve": [*BOARDS_DESKTOP, "serve", "--port", "0"],
    "window": BOARDS_DESKTOP,
    "db status": [*BOARDS_DESKTOP, "db", "status"],
    "db upgrade": [*BOARDS_DESKTOP, "db", "upgrade"],
}
FACTORY = [sys.executable, "-m", "uvicorn", "--factory", "boards_desktop.app:create_app", "--host", "127.0.0.1"]


@dataclass
class Case:
    env: dict[str, str]
    says: list[str]  # what the one line must contain
    unchanged: Path | None = None  # a file whose bytes must stay as they were
    command_prefix: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def postgres_with_password() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server of this module's own whose logins need a password (the suite's trusts everyone)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: the refused-login cases need a server of their own")
    server = ThrowawayPostgres(bin_dir, password=PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pg_url(server: ThrowawayPostgres, *, password: str = PASSWORD, database: str = "postgres") -> str:
    user = server.admin_url.split("://", 1)[1].split(":", 1)[0]
    return f"postgresql://{user}:{password}@127.0.0.1:{server.port}/{database}"


def _without_root_powers() -> list[str]:
    """A prefix that makes an administrator's process obey permission bits (as the artist's would)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a read-only folder cannot be made read-only for the app")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def _read_only(path: Path, prefix: list[str]) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IXUSR if path.is_dir() else stat.S_IRUSR)
    probe = path / "probe" if path.is_dir() else path
    tried = subprocess.run(
        [*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'a')"], check=False, capture_output=True
    )
    if tried.returncode == 0:
        pytest.skip(f"{path} stays writable here (a file system without permissions?)")


def _upgraded(data: Path) -> None:
    result = run([*BOARDS_DESKTOP, "db", "upgrade"], serve_env(data))
    assert result.returncode == 0, result.stderr


def _case(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Case:
    data = tmp_path / "data"
    if name == "unreachable postgresql":
        url = f"postgresql://boards:{PASSWORD}@127.0.0.1:{free_port()}/boards"  # nothing listens there
        return Case(serve_env(data, url), ["cannot reach the PostgreSQL server at 127.0.0.1:", "start it"])
    if name == "wrong password":
        server = request.getfixturevalue("postgres_with_password")
        url = _pg_url(server, password=PASSWORD + "-wrong")
        return Case(serve_env(data, url), ["refused the login of user", "check the user and password"])
    if name == "missing database":
        server = request.getfixturevalue("postgres_with_password")
        url = _pg_url(server, database="no_such_boards")
        return Case(serve_env(data, url), ["has no database 'no_such_boards'", "createdb no_such_boards"])
    if name == "port=abc":
        url = f"postgresql://boards:{PASSWORD}@127.0.0.1:abc/boards"
        return Case(serve_env(data, url), ["BOARDS_DATABASE_URL=", "the port 'abc' is not a number", ":***@"])
    if name == "port=abc in the query":
        url = f"postgresql://boards:{PASSWORD}@127.0.0.1/boards?port=abc"
        return Case(serve_env(data, url), ["the port 'abc' is not a number"])
    if name == "malformed url":
        url = f"mysql://boards:{PASSWORD}@db.example/boards"
        return Case(serve_env(data, url), ["not a database URL we can use", "mysql://boards:***@db.example"])
    if name == "in-memory sqlite":
        return Case(serve_env(data, "sqlite:///:memory:"), ["an in-memory database cannot hold boards"])
    if name == "corrupt sqlite file":
        data.mkdir()
        (data / "boards.db").write_bytes(b"these bytes are not a SQLite database\n" * 200)
        return Case(serve_env(data), ["is not a SQLite database", "left untouched"], unchanged=data / "boards.db")
    if name == "read-only data folder":
        prefix = _without_root_powers()
        data.mkdir()
        _read_only(data, prefix)
        return Case(serve_env(data), [f"the data folder {data} cannot be written (permission denied)"], None, prefix)
    if name == "read-only media folder":
        prefix = _without_root_powers()
        (data / "media").mkdir(parents=True)
        _read_only(data / "media", prefix)
        return Case(serve_env(data), [f"the media folder {data / 'media'} cannot be written"], None, prefix)
    if name == "read-only database file":
        prefix = _without_root_powers()
        _upgraded(data)
        _read_only(data / "boards.db", prefix)
        return Case(
            serve_env(data), [f"the database file {data / 'boards.db'} cannot be written"], data / "boards.db", prefix
        )
    raise AssertionError(name)


CASES = [
    "unreachable postgresql",
    "wrong password",
    "missing database",
    "port=abc",
    "port=abc in the query",
    "malformed url",
    "in-memory sqlite",
    "corrupt sqlite file",
    "read-only data folder",
    "read-only media folder",
    "read-only database file",
]


@pytest.mark.parametrize("name", CASES)
def test_each_refusal_is_one_line_with_status_2_and_no_secret(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = _case(name, tmp_path, request)
    before = case.unchanged.read_bytes() if case.unchanged else None
    for command_name, command in COMMANDS.items():
        result = run([*case.command_prefix, *command], case.env)
        output = result.stdout + result.stderr
        assert result.returncode == 2, (command_name, output)
        line = one_line(result.stderr)
        assert line.startswith("boards-desktop: "), (command_name, line)
        for words in case.says:
            assert words in line, (command_name, words, line)
        assert PASSWORD not in output, (command_name, output)
        assert "running at" not in result.stdout, command_name
        if case.unchanged is not None:
            assert case.unchanged.read_bytes() == before, command_name


@pytest.mark.parametrize(
    "name", ["unreachable postgresql", "wrong password", "corrupt sqlite file", "read-only data folder", "port=abc"]
)
def test_under_uvicorn_the_factory_refuses_in_one_logged_line(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    case = _case(name, tmp_path, request)
    before = case.unchanged.read_bytes() if case.unchanged else None
    result = run([*case.command_prefix, *FACTORY, "--port", str(free_port())], case.env)
    assert result.returncode != 0, result.stderr
    ours = [line for line in result.stderr.splitlines() if "boards" in line and "cannot start: " in line]
    assert len(ours) == 1, result.stderr
    assert all(words in ours[0] for words in case.says), ours[0]
    assert "Traceback" not in result.stderr and PASSWORD not in result.stdout + result.stderr
    assert "Application startup complete" not in result.stderr
    if case.unchanged is not None:
        assert case.unchanged.read_bytes() == before


def test_a_table_dropped_behind_the_apps_back_is_named_in_db_diffs_words(tmp_path: Path, database_url: str) -> None:
    data = tmp_path / "data"
    env = serve_env(data, database_url)
    assert run([*BOARDS_DESKTOP, "db", "upgrade"], env).returncode == 0
    asyncio.run(_execute(database_url, "DROP TABLE favourites"))
    diff = run([*BOARDS_DESKTOP, "db", "diff"], env)
    assert diff.returncode == 1 and "table favourites: missing from the database" in diff.stdout.splitlines()

    for command_name in ("serve", "window", "db upgrade"):
        result = run(COMMANDS[command_name], env)
        assert result.returncode == 2, (command_name, result.stderr)
        line = one_line(result.stderr)
        assert "the database lacks what this version needs: table favourites: missing from the database" in line
        assert "`boards-desktop db diff --sql` prints the statements that restore it" in line
    # The refusal changed nothing: db diff still sees the same difference.
    assert run([*BOARDS_DESKTOP, "db", "diff"], env).stdout == diff.stdout

    factory = run([*FACTORY, "--port", str(free_port())], env)
    ours = [line for line in factory.stderr.splitlines() if "cannot start: " in line]
    assert factory.returncode != 0 and len(ours) == 1 and "table favourites: missing" in ours[0], factory.stderr
    assert "Traceback" not in factory.stderr


async def _execute(url: str, statement: str) -> None:
    database = Database(url)
    try:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(statement)
    finally:
        await database.dispose()
