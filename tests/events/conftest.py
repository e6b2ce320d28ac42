"""Fixtures of the event tests: the app served over a real socket, and an SSE reader.

httpx's ASGI transport hands a response over only once the app has finished it, so a stream that
stays open (keep-alives, the board stream) is read from the same app served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from tests.app_harness import AppClient
from tests.events.served import serving


@dataclass
class Served:
    """An app already running in this process (its lifespan done by the harness), now also on a socket."""

    url: str
    http: httpx.AsyncClient  # sends the installation's API token, as a script would
    token: str


@asynccontextmanager
async def _served(app_client: AppClient) -> AsyncIterator[Served]:
    async with serving(app_client.app) as url:
        headers = {"Authorization": f"Bearer {app_client.token}"}
        async with httpx.AsyncClient(base_url=url, timeout=10, headers=headers) as http:
            yield Served(url, http, app_client.token)


@pytest.fixture
async def served(client: AppClient) -> AsyncIterator[Served]:
    async with _served(client) as value:
        yield value


@pytest.fixture
async def served_other(other_client: AppClient) -> AsyncIterator[Served]:
    async with _served(other_client) as value:
        yield value


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


async def open_stream(http: httpx.AsyncClient, path: str, stack) -> SSEReader:
    """Open an SSE stream inside an AsyncExitStack; it closes when the stack does."""
    response = await stack.enter_async_context(http.stream("GET", path))
    assert response.status_code == 200, (await response.aread()).decode()
    return SSEReader(response)
