"""Just enough HTTP/1.1 for a benchmark's client to cost little CPU: JSON POSTs and an SSE stream.

On the two cores the benchmarks run on, httpx's client spent about as much CPU per request as the
app spent answering it (queue_throughput: some 5 ms a job), so the figure measured the client as
much as the app. These keep-alive connections write a request as one buffer and read the answer
with a stream reader; nothing else (no redirects, no compression, no TLS).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Self
from urllib.parse import urlsplit


class LeanClient:
    """`size` keep-alive connections to the app at `url`, each used by one request at a time."""

    def __init__(self, url: str, token: str, size: int) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._head = f"Host: {self._host}:{self._port}\r\nAuthorization: Bearer {token}\r\n"
        self._size = size
        self._free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self._all: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Self:
        for _ in range(self._size):
            reader, writer = await asyncio.open_connection(self._host, self._port)
            self._all.append(writer)
            self._free.put_nowait((reader, writer))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self._all:
            writer.close()

    async def post_json(self, path: str, payload: Any) -> Any:
        body = json.dumps(payload).encode()
        reader, writer = await self._free.get()
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\n{self._head}Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status, headers = await _read_head(reader)
            if headers.get("transfer-encoding", "").lower() == "chunked":
                answer = b"".join([chunk async for chunk in _chunks(reader)])
            else:
                answer = await reader.readexactly(int(headers.get("content-length", "0")))
            assert status == 200, (status, answer[:500])
            return json.loads(answer)
        finally:
            self._free.put_nowait((reader, writer))

    @asynccontextmanager
    async def events(self, path: str) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """The `data:` of each frame of an SSE stream, on a connection of its own."""
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\n{self._head}Accept: text/event-stream\r\n\r\n".encode())
            status, headers = await _read_head(reader)
            assert status == 200 and headers.get("transfer-encoding", "").lower() == "chunked", (status, headers)
            yield _frames(reader)
        finally:
            writer.close()


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    status = int((await reader.readline()).split(b" ", 2)[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


async def _chunks(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        size = int((await reader.readline()).split(b";", 1)[0], 16)
        if size == 0:
            await reader.readline()  # the empty trailer
            return
        chunk = await reader.readexactly(size)
        await reader.readexactly(2)  # CRLF
        yield chunk


async def _frames(reader: asyncio.StreamReader) -> AsyncIterator[dict[str, Any]]:
    pending = b""
    async for chunk in _chunks(reader):
        pending += chunk
        *frames, pending = pending.split(b"\n\n")
        for frame in frames:
            for line in frame.split(b"\n"):
                if line.startswith(b"data:"):
                    yield json.loads(line[5:])
