"""A WebSocket handshake spoken to the app through ASGI, as uvicorn speaks it, and what came back."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Handshake:
    accepted: bool = False
    status: int | None = None  # of an HTTP denial response
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    closed_with: int | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.body)


async def websocket_handshake(
    app: Any, path: str, headers: dict[str, str], *, host: str = "127.0.0.1", denial_extension: bool = True
) -> Handshake:
    """Open a WebSocket at `path`; leave at once if accepted."""
    scope = {
        "type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", host.encode())] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "subprotocols": ["graphql-transport-ws"], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80),
        "state": {}, "extensions": {"websocket.http.response": {}} if denial_extension else {},
    }
    result = Handshake()
    connected = False

    async def receive() -> dict:
        nonlocal connected
        if not connected:
            connected = True
            return {"type": "websocket.connect"}
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            result.accepted = True
        elif kind == "websocket.close":
            result.closed_with = message.get("code", 1000)
        elif kind == "websocket.http.response.start":
            result.status = message["status"]
            result.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif kind == "websocket.http.response.body":
            result.body += message.get("body", b"")

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return result
