"""Serving a fake provider for a test: an ASGI app on 127.0.0.1 (a free port), faults on demand.

    async with serve_fake(app, clock=FakeClock()) as server:
        server.url                      # "http://127.0.0.1:<port>": point a base URL setting here
        server.faults.add("POST", "/v1/images/generations", Fault.status(429, headers={"Retry-After": "1"}))
        server.requests                 # every request received, in order (method, path, headers, body)
        server.files.add(data, "image/png", ttl=3600)   # an output file served over HTTP, expiring
        server.clock.advance(5)         # move the fake's state machines on

`serve_fake(app, port=p)` serves on a given port (`free_port()` finds one): a fake engine can be
down, then started, or stopped and started again where the app expects it. `server.drop_connections()`
cuts every open connection (WebSockets too) while the server stays up.

The server is uvicorn in the test's own event loop, so the app under test (in process) and the fake
talk over a real TCP socket, and everything stops with the block. WebSockets work too (ComfyUI's
`/ws`): `Fault.drop()` on a WebSocket path cuts the socket.

Faults, matched by method and path (`fnmatch` patterns, e.g. "/v1/predictions/*"), `times` times
(None: until removed), before the app sees the request:
- `Fault.status(code, body, headers)`: answer that instead (a 401, a 429 with `Retry-After`, a 500);
- `Fault.drop()`: read the request, then close the connection without a word (the answer is lost);
- `Fault.cut()`: send the status line and headers of the app's answer, then close mid-body;
- `Fault.slow(seconds)`: wait (real time), then let the app answer;
- `Fault.hold()`: wait until `fault.release()`, then let the app answer (no timing in tests).
Expired outputs: `files.add(..., ttl=...)` answers 404 once the clock passes the expiry, or
`files.expire_all()`.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from boards_desktop.server import bind_socket

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]
FILES_PREFIX = "/_files/"


class FakeClock:
    """The fakes' idea of time: it moves only when a test says so (`advance`), unless `running`.

    State machines read `now()`: "queued until 2 s after submission, running until 5 s" then
    happens when the test advances the clock, not when the machine gets round to it.
    """

    def __init__(self, start: float = 1_700_000_000.0, *, running: bool = False, speed: float = 1.0) -> None:
        self._offset = start
        self._running = running
        self._speed = speed
        self._real_start = time.monotonic()

    def now(self) -> float:
        if self._running:
            return self._offset + (time.monotonic() - self._real_start) * self._speed
        return self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclass
class Fault:
    kind: str  # status | drop | cut | slow | hold
    status_code: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    hits: int = 0  # how many requests it has struck
    _released: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @classmethod
    def status(cls, code: int, body: Any = b"", headers: dict[str, str] | None = None) -> Fault:
        """Answer `code`; a dict or list body is sent as JSON."""
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("content-type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        return cls("status", code, body, headers)

    @classmethod
    def drop(cls) -> Fault:
        return cls("drop")

    @classmethod
    def cut(cls) -> Fault:
        return cls("cut")

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        return cls("slow", seconds=seconds)

    @classmethod
    def hold(cls) -> Fault:
        return cls("hold")

    def release(self) -> None:
        self._released.set()


@dataclass
class _Rule:
    method: str
    path: str
    fault: Fault
    times: int | None


class Faults:
    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    def add(self, method: str, path: str, fault: Fault, *, times: int | None = 1) -> Fault:
        """Strike the next `times` matching requests (None: every one until `clear`)."""
        self._rules.append(_Rule(method.upper(), path, fault, times))
        return fault

    def clear(self) -> None:
        for rule in self._rules:
            rule.fault.release()
        self._rules.clear()

    def match(self, method: str, path: str) -> Fault | None:
        for rule in self._rules:
            if rule.method in (method, "*") and fnmatch.fnmatchcase(path, rule.path):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                rule.fault.hits += 1
                return rule.fault
        return None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names; repeated ones joined with ", "
    body: bytes
    at: float  # the fake clock's time


@dataclass
class _File:
    data: bytes
    content_type: str
    expires_at: float | None


class OutputFiles:
    """Files a fake hands out as URLs (its outputs), served at `/_files/<token>/<name>` until they expire."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._files: dict[str, _File] = {}
        self.base_url = ""

    def add(self, data: bytes, content_type: str, *, name: str = "output", ttl: float | None = None) -> str:
        token = secrets.token_hex(8)
        expires = self._clock.now() + ttl if ttl is not None else None
        self._files[f"{token}/{name}"] = _File(data, content_type, expires)
        return f"{self.base_url}{FILES_PREFIX}{token}/{name}"

    def expire_all(self) -> None:
        for stored in self._files.values():
            stored.expires_at = self._clock.now() - 1

    def get(self, key: str) -> _File | None:
        stored = self._files.get(key)
        if stored is None or (stored.expires_at is not None and self._clock.now() >= stored.expires_at):
            return None
        return stored


class FakeServer:
    def __init__(self, app: ASGIApp, clock: FakeClock) -> None:
        self.app = app
        self.clock = clock
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.files = OutputFiles(clock)
        self.url = ""
        self._transports: dict[tuple[str, int], asyncio.Transport] = {}

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def drop_connections(self) -> int:
        """Cut every open connection at once, WebSockets included (a network blink); how many."""
        transports = list(self._transports.values())
        for transport in transports:
            transport.abort()
        return len(transports)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper() and fnmatch.fnmatchcase(r.path, path)]

    # -- the ASGI front: recording, faults, files ---------------------------------------------------

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "WEBSOCKET" if scope["type"] == "websocket" else "")
        if scope["type"] == "http":
            body = await _read_body(receive)
            receive = _replay(body)
        else:
            body = b""
        self.requests.append(
            RecordedRequest(
                method, path, scope.get("query_string", b"").decode(), _headers(scope), body, self.clock.now()
            )
        )
        fault = self.faults.match(method, path)
        if fault is not None:
            if fault.kind == "status":
                await _respond(send, fault.status_code, fault.body, fault.headers)
                return
            if fault.kind == "drop":
                await self._abort(scope)
                return
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
            elif fault.kind == "hold":
                await fault._released.wait()
            elif fault.kind == "cut":
                send = self._cutting(scope, send)
        if scope["type"] == "http" and method == "GET" and path.startswith(FILES_PREFIX):
            stored = self.files.get(path[len(FILES_PREFIX) :])
            if stored is None:
                await _respond(send, 404, b'{"detail": "Not found"}', {"content-type": "application/json"})
            else:
                await _respond(send, 200, stored.data, {"content-type": stored.content_type})
            return
        await self.app(scope, receive, send)

    async def _abort(self, scope: dict) -> None:
        transport = self._transports.get(tuple(scope.get("client") or ()))
        if transport is not None:
            transport.abort()
        for _ in range(3):  # let the server see the connection gone before the app returns
            await asyncio.sleep(0)

    def _cutting(self, scope: dict, send):
        async def cutting_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                await send(message)
                await send({"type": "http.response.body", "body": b"{", "more_body": True})
                await self._abort(scope)
                raise _Cut
            await send(message)

        return cutting_send

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


class _Cut(Exception):
    pass


@asynccontextmanager
async def serve_fake(app: ASGIApp, *, clock: FakeClock | None = None, port: int = 0) -> AsyncIterator[FakeServer]:
    """`app` on 127.0.0.1 while the block runs: on a free port, or on `port` (an engine started again
    where it was, as after a ComfyUI restart; see `free_port`)."""
    server = FakeServer(app, clock or FakeClock())
    sock = bind_socket("127.0.0.1", port)
    server.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.files.base_url = server.url
    transports = server._transports

    class TrackingProtocol(H11Protocol):
        # The fault `drop` needs the connection itself: kept by the client's address (scope["client"]).
        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            peer = transport.get_extra_info("peername")
            if peer:
                transports[(peer[0], peer[1])] = transport

        def connection_lost(self, exc) -> None:
            peer = self.transport.get_extra_info("peername") if self.transport else None
            if peer:
                transports.pop((peer[0], peer[1]), None)
            super().connection_lost(exc)

    async def front(scope, receive, send) -> None:
        try:
            await server(scope, receive, send)
        except _Cut:
            pass

    config = uvicorn.Config(
        front,
        http=TrackingProtocol,
        ws="websockets-sansio",
        lifespan="on",
        log_level="critical",
        access_log=False,
        timeout_graceful_shutdown=1,
    )
    runner = uvicorn.Server(config)
    task = asyncio.create_task(runner.serve(sockets=[sock]))
    try:
        while not runner.started:
            if task.done():
                await task
            await asyncio.sleep(0.005)
        yield server
    finally:
        server.faults.clear()
        runner.should_exit = True
        for transport in list(transports.values()):
            transport.abort()  # held or long-polled requests must not keep the server up
        await task


def free_port() -> int:
    """A port nothing listens on (yet): for a fake that starts later, or an engine that is down."""
    sock = bind_socket("127.0.0.1", 0)
    try:
        return sock.getsockname()[1]
    finally:
        sock.close()


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes):
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client is still there; the app waits for nothing more
        return {"type": "http.disconnect"}

    return receive


def _headers(scope: dict) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


async def _respond(send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
