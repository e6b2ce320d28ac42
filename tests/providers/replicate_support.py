"""Helpers of the Replicate tests: the fake served, the app pointed at it, and a progress stream watched."""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.app_harness import AppClient, running_app
from tests.events.served import serving
from tests.fakes.harness import FakeServer, serve_fake
from tests.fakes.replicate import FakeReplicate
from tests.jobs.support import wait_until

API = "/v1"
FLUX = "replicate-flux-schnell"
KLING = "replicate-kling-video"
FLUX_CREATE = "/v1/models/black-forest-labs/flux-schnell/predictions"
KLING_CREATE = "/v1/models/kwaivgi/kling-v2.1/predictions"
VERSION_CREATE = "/v1/predictions"
POLLS = "/v1/predictions/*"
QUICK_CLOSE = {"BOARDS_SHUTDOWN_GRACE": "0.1"}


@asynccontextmanager
async def replicate_fake(**options: Any) -> AsyncIterator[tuple[FakeReplicate, FakeServer]]:
    fake = FakeReplicate(**options)
    async with serve_fake(fake.app, clock=fake.clock) as server:
        yield fake, server


@asynccontextmanager
async def app_on_replicate(
    database_url: str, data_dir: Path, server: FakeServer, token: str | None, **environment: str
) -> AsyncIterator[AppClient]:
    """The app with its Replicate base URL at the fake, and `token` (None: none) in its environment.

    The app is also served on a socket (`client.sse`): httpx's ASGI transport hands a response over
    only when it is finished, and a progress stream is read while the job runs (see `Watch`).
    """
    env = {"BOARDS_REPLICATE_BASE_URL": f"{server.url}{API}", **environment}
    if token is not None:
        env["REPLICATE_API_TOKEN"] = token
    async with running_app(database_url, data_dir, **env) as client, serving(client.app) as url:
        headers = {"Authorization": f"Bearer {client.token}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as sse:
            client.sse = sse
            client.watches = []
            try:
                yield client
            finally:
                for watch in client.watches:
                    watch.close()
                await asyncio.gather(*(watch.task for watch in client.watches), return_exceptions=True)


class Watch:
    """A generation's SSE progress stream, read in the background while the test moves the fake on."""

    def __init__(self, client: AppClient, generation_id: str) -> None:
        self.events: list[dict[str, Any]] = []
        self._client = client
        self._path = f"/api/sse/generations/{generation_id}/progress"
        self.task = asyncio.create_task(self._read())
        client.watches.append(self)

    def close(self) -> None:
        self.task.cancel()

    async def _read(self) -> None:
        async with self._client.sse.stream("GET", self._path, headers={"Accept": "text/event-stream"}) as response:
            assert response.status_code == 200
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    self.events.append(json.loads(line[5:].strip()))
                    if self.events[-1]["status"] in ("completed", "failed", "cancelled"):
                        return

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20.0) -> dict[str, Any]:
        """The first event for which `predicate` holds, once it has arrived."""

        async def seen() -> bool:
            if self.task.done():
                self.task.result()
            return any(predicate(event) for event in self.events)

        await wait_until(seen, timeout=timeout)
        return next(event for event in self.events if predicate(event))

    async def started(self) -> None:
        """Until the stream has sent the current state: from here on, no change is missed."""
        await self.until(lambda _event: True)

    async def saying(self, words: str, timeout: float = 20.0) -> dict[str, Any]:
        return await self.until(lambda event: words in (event.get("message") or ""), timeout)

    async def finished(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        await asyncio.wait_for(self.task, timeout)
        return self.events


async def created(fake: FakeReplicate, count: int = 1) -> None:
    """Until the fake has taken `count` predictions (a held create has reached it)."""

    async def enough() -> bool:
        return len(fake.created) >= count

    await wait_until(enough)


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [event.get("message") or "" for event in events]


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: `width * height * 3` bytes or more (an upload beyond 256 KB)."""
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
