"""CORS for the web pages the artist allowed (`BOARDS_ALLOWED_ORIGINS`): a separate web front end.

By default no other origin may call the API (the gate refuses a foreign Origin). An origin listed in
the setting may: its preflight (OPTIONS with `Access-Control-Request-Method`) is answered here, and
its requests get `Access-Control-Allow-Origin` with its own origin, never `*`. Such a page still
needs the API token in `Authorization: Bearer`: the window's session cookie never counts for another
origin, so an allowed page cannot ride on the artist's window (which is also why allowing
credentials costs nothing). The Host check (DNS rebinding) stays in front of all this.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

_ALLOWED_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# Authorization carries the token; X-Tenant is sent by the upstream GraphQL client when configured.
_ALLOWED_HEADERS = b"Authorization, Content-Type, Accept, X-Tenant, Last-Event-ID, Range, If-None-Match"
# What a page may read from responses: downloads' names, ranges, the zip export's count.
_EXPOSED_HEADERS = b"Content-Disposition, Content-Length, Content-Range, Accept-Ranges, ETag, X-Boards-Skipped"
_PREFLIGHT_CACHE_SECONDS = b"600"

Send = Callable[[dict[str, Any]], Awaitable[None]]


class CorsPolicy:
    """The origins (as browsers write them: `scheme://host[:port]`) that may call the API."""

    def __init__(self, origins: Iterable[str] = ()) -> None:
        self.origins = frozenset(origins)

    def allowed_origin(self, headers: dict[bytes, bytes], host: str) -> str | None:
        """The request's Origin when it is another origin that the artist allowed; None otherwise."""
        raw = headers.get(b"origin")
        if raw is None or not self.origins:
            return None
        origin = raw.decode("latin-1").lower()
        if origin == f"http://{host.lower()}":
            return None  # the app's own page: no CORS needed
        return origin if origin in self.origins else None

    @staticmethod
    def is_preflight(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
        return scope.get("method") == "OPTIONS" and b"access-control-request-method" in headers

    @staticmethod
    def with_headers(send: Send, origin: str, *, preflight: bool) -> Send:
        """`send` that adds the CORS headers for `origin` (and a preflight's answer) to the response."""
        added = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
            (b"vary", b"Origin"),
        ]
        if preflight:
            added += [
                (b"access-control-allow-methods", _ALLOWED_METHODS),
                (b"access-control-allow-headers", _ALLOWED_HEADERS),
                (b"access-control-max-age", _PREFLIGHT_CACHE_SECONDS),
            ]
        else:
            added.append((b"access-control-expose-headers", _EXPOSED_HEADERS))

        async def cors_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        return cors_send

    @staticmethod
    async def answer_preflight(send: Send) -> None:
        """204 for an allowed origin's preflight; `send` adds the headers (see `with_headers`)."""
        await send({"type": "http.response.start", "status": 204, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
