"""The real app, in process, spoken to over HTTP through its ASGI interface (tests and benchmarks)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from litestar import Litestar

from boards_desktop.app import create_app
from boards_desktop.engine_start import ENGINE_KEY
from boards_desktop.security import TOKEN_FILE_NAME
from boards_desktop.settings import load_settings

# The test generators (tests/plugins/generators.py) are loaded as an artist's own would be; the
# `held` provider is paused, so its generations stay pending for as long as a test needs.
TEST_GENERATORS = {"BOARDS_GENERATOR_MODULES": "tests.plugins.generators", "BOARDS_CONCURRENCY_HELD": "0"}


def app_environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The settings of one test installation, as environment variables."""
    return {
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        **TEST_GENERATORS,
        **extra,
    }


class AppClient:
    """An HTTP client for one running app (one installation: its own data folder and user).

    `http` sends the installation's API token, as a script would; `token` is that token.
    """

    def __init__(self, app: Litestar, http: httpx.AsyncClient, token: str = "") -> None:
        self.app = app
        self.http = http
        self.token = token

    @property
    def services(self):
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
async def running_app(
    database_url: str, data_dir: Path, *, providers: Mapping[str, type] | None = None, **extra_environment: str
) -> AsyncIterator[AppClient]:
    """The app of one installation; `providers` replaces its provider classes (a test's own provider)."""
    settings = load_settings(app_environment(database_url, data_dir, **extra_environment))
    app = create_app(settings, providers=providers)
    async with asgi_lifespan(app):
        token = read_token(data_dir)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=headers) as http:
            yield AppClient(app, http, token)


def as_stored(url: str | None) -> str | None:
    """A media URL as the API gives it (absolute, signed) in the form the database keeps: `/api/storage/<key>`."""
    if url is None or not url.startswith(("http://", "https://")):
        return url
    return urlsplit(url).path


def as_stored_artifacts(artifacts: list[dict]) -> list[dict]:
    """An event's `artifacts` with each URL as stored (see `as_stored`)."""
    return [{**artifact, "url": as_stored(artifact["url"])} for artifact in artifacts]


def read_token(data_dir: Path) -> str:
    """The API token the app made in its data folder at start-up."""
    return (data_dir / TOKEN_FILE_NAME).read_text().strip()


@asynccontextmanager
async def asgi_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Run the app's ASGI lifespan in a task of its own, as a server does.

    pytest-asyncio may set a fixture up and tear it down in different tasks; the lifespan's
    cancel scopes must stay inside one task, so it gets its own.
    """
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        await task
        raise RuntimeError(started.get("message", "the app did not start"))
    # The engine starts beside the server (boards_desktop.engine_start); tests reach into its
    # services directly, so they start once it runs, as an HTTP request would.
    starting = app.state.get(ENGINE_KEY)
    if starting is not None:
        await starting.wait()
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task
