"""Shared fixtures: a database on each engine, and the real app on it.

Tests that take `database_url` run twice: on SQLite (a file in the test's folder) and on
PostgreSQL (a database of its own on a throwaway server). Where PostgreSQL is not installed the
PostgreSQL runs are skipped with a reason, unless `BOARDS_REQUIRE_POSTGRES=1` (CI), which turns
that into a failure.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.postgres_server import ThrowawayPostgres, find_bin_dir

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


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_postgres_database(admin_url: str) -> str:
    """A new empty database on the server; returns its SQLAlchemy URL."""
    name = f"boards_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_url(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = _asyncpg_url(admin_url).rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_postgres_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(_asyncpg_url(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


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


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    if _postgres_ran:
        terminalreporter.write_line("PostgreSQL: database tests ran on SQLite and on PostgreSQL")
    else:
        terminalreporter.write_line("PostgreSQL: not run (not installed or not selected): SQLite only")


# --- the real app, in process, spoken to over HTTP (ASGI) -------------------------------------

from contextlib import asynccontextmanager  # noqa: E402

import httpx  # noqa: E402
from litestar import Litestar  # noqa: E402

from boards_desktop.app import create_app  # noqa: E402
from boards_desktop.settings import load_settings  # noqa: E402


class AppClient:
    """An HTTP client for one running app (one installation: its own data folder and user)."""

    def __init__(self, app: Litestar, http: httpx.AsyncClient) -> None:
        self.app = app
        self.http = http

    @property
    def services(self):  # noqa: ANN201
        return self.app.state.services

    async def graphql(self, query: str, variables: dict | None = None) -> dict:
        """POST a GraphQL operation; returns the whole response body (data and errors)."""
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code in (200, 400), response.text
        return response.json()

    async def data(self, query: str, variables: dict | None = None) -> dict:
        """The `data` of an operation that must succeed."""
        body = await self.graphql(query, variables)
        assert not body.get("errors"), body["errors"]
        return body["data"]


@asynccontextmanager
async def running_app(database_url: str, data_dir: Path) -> AsyncIterator[AppClient]:
    settings = load_settings(
        {"BOARDS_DATA_DIR": str(data_dir), "BOARDS_DATABASE_URL": database_url, "BOARDS_CONFIG_FILE": str(data_dir / "none.toml")}
    )
    app = create_app(settings)
    async with asgi_lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield AppClient(app, http)


@asynccontextmanager
async def asgi_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Run the app's ASGI lifespan in a task of its own, as a server does.

    pytest-asyncio may set a fixture up and tear it down in different tasks; the lifespan's
    cancel scopes must stay inside one task, so it gets its own.
    """
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        await task
        raise RuntimeError(started.get("message", "the app did not start"))
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


@pytest.fixture
async def client(database_url: str, tmp_path: Path) -> AsyncIterator[AppClient]:
    """The app on a fresh database, on each engine."""
    async with running_app(database_url, tmp_path / "data") as app_client:
        yield app_client


@pytest.fixture
async def other_client(database_url: str, tmp_path: Path, client: AppClient) -> AsyncIterator[AppClient]:
    """A second installation (another artist) on the same database as `client`."""
    async with running_app(database_url, tmp_path / "data-other") as app_client:
        yield app_client
