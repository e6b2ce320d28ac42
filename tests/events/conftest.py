"""Fixtures of the event tests: the app served over a real socket, and an SSE reader.

httpx's ASGI transport hands a response over only once the app has finished it, so a stream that
stays open (keep-alives, the board stream) is read from the same app served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from boards_desktop.server import bind_socket
from tests.app_harness import AppClient


@dataclass
class Served:
    """An app already running in this process (its lifespan done by the harness), now also on a socket."""

    url: str
    http: httpx.AsyncClient  # sends the installation's API token, as a script would
    token: str


async def serve_on_socket(app_client: AppClient) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app_client.app, lifespan="off", log_level="warning", access_log=False,
                            timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.005)
    return server, task, f"http://127.0.0.1:{port}"


@pytest.fixture
async def served(client: AppClient) -> AsyncIterator[Served]:
    server, task, url = await serve_on_socket(client)
    try:
        headers = {"Authorization": f"Bearer {client.token}"}
        async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
            yield Served(url, http, client.token)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def served_other(other_client: AppClient) -> AsyncIterator[Served]:
    server, task, url = await serve_on_socket(other_client)
    try:
        headers = {"Authorization": f"Bearer {other_client.token}"}
        async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
            yield Served(url, http, other_client.token)
    finally:
        server.should_exit = True
        await task


@dataclass
class Frame:
    event: str | None  # the `event:` name; None for plain `data:` frames
    data: dict | None  # the JSON of `data:`; None for a comment
    comment: str | None = None


class SSEReader:
    """Frames of an open text/event-stream response, one at a time, each with a time limit."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self, timeout: float = 5.0) -> Frame | None:
        """The next frame; None when the stream has ended."""
        return await asyncio.wait_for(self._read(), timeout)

    async def rest(self, timeout: float = 5.0) -> list[Frame]:
        """Every frame until the server ends the stream (fails if it does not within `timeout`)."""
        frames = []
        while (frame := await self.next(timeout)) is not None:
            frames.append(frame)
        return frames

    async def _read(self) -> Frame | None:
        event: str | None = None
        data: list[str] = []
        comment: str | None = None
        async for line in self._lines:
            if line == "":
                if data or comment is not None:
                    return Frame(event, json.loads("\n".join(data)) if data else None, comment)
                continue
            if line.startswith(":"):
                comment = line[1:].strip()
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        return None


async def open_stream(http: httpx.AsyncClient, path: str, stack) -> SSEReader:  # noqa: ANN001
    """Open an SSE stream inside an AsyncExitStack; it closes when the stack does."""
    response = await stack.enter_async_context(http.stream("GET", path))
    assert response.status_code == 200, (await response.aread()).decode()
    return SSEReader(response)
