"""Shared fixtures: a database on each engine, and the real app on it.

Tests that take `database_url` run twice: on SQLite (a file in the test's folder) and on
PostgreSQL (a database of its own on a throwaway server). Where PostgreSQL is not installed the
PostgreSQL runs are skipped with a reason, unless `BOARDS_REQUIRE_POSTGRES=1` (CI), which turns
that into a failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.app_harness import AppClient, running_app
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, drop_postgres_database, find_bin_dir
from tests.s3_server import ThrowawayS3

ENGINES = ["sqlite", "postgresql"]
_postgres_ran = False


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    url = os.environ.get("BOARDS_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("BOARDS_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (BOARDS_REQUIRE_POSTGRES=1) but its binaries are not installed")
        pytest.skip("PostgreSQL is not installed: database tests ran on SQLite only")
    server = ThrowawayPostgres(bin_dir)
    server.start()
    try:
        yield server.admin_url
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database on each engine, dropped after the test."""
    global _postgres_ran
    if engine_name == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    url = asyncio.run(create_postgres_database(admin_url))
    _postgres_ran = True
    try:
        yield url
    finally:
        asyncio.run(drop_postgres_database(admin_url, url))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _postgres_ran:
        terminalreporter.write_line("PostgreSQL: database tests ran on SQLite and on PostgreSQL")
    else:
        terminalreporter.write_line("PostgreSQL: not run (not installed or not selected): SQLite only")


# --- where media lives: the local folder, or a bucket on a throwaway S3 server -----------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[ThrowawayS3]:
    server = ThrowawayS3()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def media_backend() -> str:
    """ "folder" (the default) or "bucket"; a module runs on both with
    `pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)`."""
    return "folder"


MEDIA_BACKENDS = ["folder", "bucket"]
# Media tests that touch the database: the folder on each engine, the bucket on SQLite (the engine
# plays no part in where files go; the team scenario runs the bucket on PostgreSQL).
ENGINES_AND_BACKENDS = pytest.mark.parametrize(
    ("engine_name", "media_backend"), [("sqlite", "folder"), ("postgresql", "folder"), ("sqlite", "bucket")]
)


@pytest.fixture
def storage_environment(media_backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings that put an app's media where `media_backend` says (a fresh bucket per test)."""
    if media_backend == "folder":
        return {}
    server: ThrowawayS3 = request.getfixturevalue("s3_server")
    return server.environment(server.new_bucket())


# --- the real app, in process, spoken to over HTTP (ASGI) -------------------------------------


@pytest.fixture
async def client(database_url: str, tmp_path: Path, storage_environment: dict[str, str]) -> AsyncIterator[AppClient]:
    """The app on a fresh database, on each engine."""
    async with running_app(database_url, tmp_path / "data", **storage_environment) as app_client:
        yield app_client


@pytest.fixture
async def other_client(
    database_url: str, tmp_path: Path, client: AppClient, storage_environment: dict[str, str]
) -> AsyncIterator[AppClient]:
    """A second installation (another artist) on the same database (and media storage) as `client`."""
    async with running_app(database_url, tmp_path / "data-other", **storage_environment) as app_client:
        yield app_client
