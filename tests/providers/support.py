"""Helpers of the provider tests: the app pointed at a fake, and a search for a secret everywhere it must not be."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Self

from PIL import Image
from sqlalchemy import text

from boards_desktop.providers import PROVIDERS
from boards_desktop.providers.fal import FalProvider
from tests.app_harness import AppClient, running_app
from tests.fakes.fal import OPENAPI_PATH, FakeFal
from tests.fakes.harness import FakeServer, serve_fake
from tests.fakes.openai import FakeOpenAI


@asynccontextmanager
async def openai_fake(**options) -> AsyncIterator[tuple[FakeOpenAI, FakeServer]]:
    fake = FakeOpenAI(**options)
    async with serve_fake(fake.app) as server:
        yield fake, server


@asynccontextmanager
async def app_on_openai(
    database_url: str, data_dir: Path, server: FakeServer, key: str | None, **environment: str
) -> AsyncIterator[AppClient]:
    """The app with its OpenAI base URL at the fake, and `key` (None: none) in its environment."""
    env = {"BOARDS_OPENAI_BASE_URL": f"{server.url}/v1", **environment}
    if key is not None:
        env["OPENAI_API_KEY"] = key
    async with running_app(database_url, data_dir, **env) as client:
        yield client


def png(width: int, height: int, colour=(200, 40, 40, 255), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour[: len(mode)] if mode != "RGBA" else colour).save(buffer, "PNG")
    return buffer.getvalue()


async def upload_image(client: AppClient, board_id: str, content: bytes, name: str = "input.png") -> str:
    response = await client.http.post(
        "/api/uploads/artifact",
        data={"board_id": board_id, "artifact_type": "image"},
        files={"file": (name, content, "image/png")},
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def places_holding(client: AppClient, data_dir: Path, secret: str) -> list[str]:
    """Where `secret` is written: the log files, any file of the data folder, any row of the database."""
    found = []
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    database_file = client.services.settings.sqlite_path
    if database_file is not None:
        files += [database_file.with_name(database_file.name + suffix) for suffix in ("", "-wal")]
    for path in files:
        if path.is_file() and secret.encode() in path.read_bytes():
            found.append(str(path))
    async with client.services.database.read() as session:
        if client.services.database.is_sqlite:
            tables = (await session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))).scalars()
        else:
            tables = (
                await session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
            ).scalars()
        for table in list(tables):
            rows = (await session.execute(text(f'SELECT * FROM "{table}"'))).all()
            if any(secret in str(value) for row in rows for value in row):
                found.append(f"table {table}")
    return found


class QuickFal(FalProvider):
    """fal's provider polling every few hundredths of a second: the tests' fake clock moves per poll."""

    POLL_FIRST = 0.01
    POLL_MAX = 0.03


FAL_PROVIDERS = {**PROVIDERS, "fal": QuickFal}


@asynccontextmanager
async def fal_fake(**options) -> AsyncIterator[tuple[FakeFal, FakeServer]]:
    fake = FakeFal(**options)
    async with serve_fake(fake) as server:
        yield fake.bind(server), server


@asynccontextmanager
async def app_on_fal(
    database_url: str, data_dir: Path, server: FakeServer, key: str | None, **environment: str
) -> AsyncIterator[AppClient]:
    """The app with fal's queue and OpenAPI documents at the fake, and `key` (None: none) in its environment."""
    env = {
        "BOARDS_FAL_BASE_URL": server.url,
        "BOARDS_FAL_OPENAPI_URL": f"{server.url}{OPENAPI_PATH}",
        **environment,
    }
    if key is not None:
        env["FAL_KEY"] = key
    async with running_app(database_url, data_dir, providers=FAL_PROVIDERS, **env) as client:
        yield client


class ClockDriver:
    """Moves a fake's clock `step` seconds each time the app has asked for a status again.

    Every poll then sees the next state (each queue place, each log line), whatever the machine's
    speed: no timing in the tests. `async with ClockDriver(server):` runs it in the background.
    """

    def __init__(self, server: FakeServer, step: float = 1.0, pattern: str = "*/status") -> None:
        self.server = server
        self.step = step
        self.pattern = pattern
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        seen = len(self.server.requests_to("GET", self.pattern))
        while True:
            await asyncio.sleep(0.005)
            now = len(self.server.requests_to("GET", self.pattern))
            if now > seen:
                seen = now
                self.server.clock.advance(self.step)

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
