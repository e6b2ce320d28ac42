"""The server's HTTP parser: httptools when installed, refusing an oversized request head as h11 does."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import uvicorn

from boards_desktop.http_protocol import http_protocol
from boards_desktop.server import MAX_REQUEST_HEAD_BYTES, bind_socket, server_config

pytest.importorskip("httptools")


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _status_of(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        while b"\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b" ", 2)[1]


async def test_a_head_up_to_the_limit_is_read_and_a_larger_one_refused() -> None:
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(_hello, http=http_protocol(4096), lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        fits = b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        too_long_url = b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        many = (
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"p" * 500) for i in range(10)) + b"\r\n"
        )
        assert await asyncio.to_thread(_status_of, port, fits) == b"200"
        assert await asyncio.to_thread(_status_of, port, too_long_url) == b"400"
        assert await asyncio.to_thread(_status_of, port, many) == b"400"
    finally:
        server.should_exit = True
        await task


def test_the_app_server_reads_with_httptools_and_the_app_limit() -> None:
    config = server_config(_hello)  # type: ignore[arg-type]
    config.load()
    assert config.http_protocol_class.__name__ == "BoundedHttpToolsProtocol"
    assert MAX_REQUEST_HEAD_BYTES == 128 * 1024
