"""A WebSocket handshake spoken to the app through ASGI, as uvicorn speaks it, and what came back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any


@dataclass
class Handshake:
    accepted: bool = False
    closed_with: int | None = None  # a close before accepting: the server answers 403
    reason: str = ""


async def websocket_handshake(app: Any, path: str, headers: dict[str, str], *, host: str = "127.0.0.1") -> Handshake:
    """Open a WebSocket at `path`; leave at once if accepted."""
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", host.encode())] + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
        "extensions": {"websocket.http.response": {}},
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
            result.reason = message.get("reason", "")

    await asyncio.wait_for(app(scope, receive, send), timeout=10)
    return result
