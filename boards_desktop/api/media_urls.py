"""Media URLs as clients get them: absolute and signed, built for the request that asks.

The database keeps a stored file's URL relative (`/api/storage/<key>`), since the app's port
changes with every launch and a team shares one database. Every answer that hands a URL out
(GraphQL's `storageUrl`, `thumbnailUrl`, `additionalFiles`, `coverThumbnails`, the SSE and
subscription payloads, the upload's answer) passes it through `MediaUrls`, which makes it:
- absolute, on `BOARDS_PUBLIC_URL` when set, else on the scheme and Host the request came in on
  (the gate has checked that Host): upstream's clients parse it with `new URL(...)`, and a page on
  another origin puts it in `<img src>`;
- signed (security.media_signing) for the user the request runs as, so that tags, which send no
  header, can load it while that user may read the board.
A URL that is not one of ours (a provider's, a `file:` URL from an old row) passes unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from boards_desktop.security.media_signing import EXPIRES_PARAM, SIGNATURE_PARAM, USER_PARAM, MediaSigner, expiry
from boards_desktop.services import Services

STORAGE_PREFIX = "/api/storage/"
_REFIX_SECONDS = 60.0
_HTTP_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


class MediaUrls:
    """Turns stored media URLs into the absolute, signed URLs one client is given."""

    def __init__(self, base_url: str, signer: MediaSigner | None, lifetime_seconds: float, user: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._user = user  # the user the URLs are issued to: reads check their role on the board
        self._signer = signer
        self._lifetime = lifetime_seconds
        # One expiry for all the URLs of a response; a stream that stays open takes a new one now and then.
        self._expires = 0
        self._expires_fixed_at = -_REFIX_SECONDS

    @classmethod
    def as_stored(cls) -> MediaUrls:
        """URLs left relative and unsigned (work done outside any request)."""
        return cls("", None, 0.0)

    def __call__(self, url: str | None) -> str | None:
        if not url or not url.startswith(STORAGE_PREFIX):
            return url
        path = url.split("?", 1)[0]
        if self._signer is None:
            return self.base_url + path
        now = time.monotonic()
        if now - self._expires_fixed_at >= _REFIX_SECONDS:
            self._expires, self._expires_fixed_at = expiry(self._lifetime, time.time()), now
        signature = self._signer.signature(unquote(path), self._expires, self._user)
        query = f"{EXPIRES_PARAM}={self._expires}&{USER_PARAM}={self._user}&{SIGNATURE_PARAM}={signature}"
        return f"{self.base_url}{path}?{query}"

    def all(self, urls: Iterable[str]) -> list[str]:
        return [self(url) or url for url in urls]

    def artifacts(self, artifacts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """`[{url, type, metadata}]` with each `url` made absolute and signed."""
        return [{**artifact, "url": self(artifact.get("url"))} for artifact in artifacts]

    def sse_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """An event's SSE payload (jobs.events) with its `artifacts` and `thumbnail_url` for this client."""
        return {
            **payload,
            "artifacts": self.artifacts(payload.get("artifacts") or ()),
            "thumbnail_url": self(payload.get("thumbnail_url")),
        }


def media_urls_for(scope: Mapping[str, Any], services: Services) -> MediaUrls:
    """The URLs of one request (HTTP or WebSocket): on the public URL, or on the address it came in on.

    The app's own window always gets its own address: its page allows media from its origin only
    (CSP), and a public URL is where others reach the app, not necessarily where the window does.
    """
    settings = services.settings
    headers = _first_headers(scope)
    public = settings.public_url
    if public is not None and not _from_the_window(headers, services.security):
        base = public
    else:
        base = _request_origin(scope, headers)
    signer = getattr(services.security, "media_signer", None)
    # Every request runs as the installation's user (boards_desktop.identity): its URLs are issued to it.
    return MediaUrls(base, signer, settings.media_url_ttl_hours * 3600.0, str(services.actor.user_id))


def _first_headers(scope: Mapping[str, Any]) -> dict[bytes, bytes]:
    # The gate checked the first of a repeated header (Host, Cookie); a second one is never used.
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(name.lower(), value)
    return found


def _from_the_window(headers: Mapping[bytes, bytes], security: Any) -> bool:
    """True when the request carries the window's session cookie."""
    if security is None:
        return False
    wanted = security.cookie_name.encode("ascii")
    for part in headers.get(b"cookie", b"").split(b";"):
        key, equals, value = part.strip().partition(b"=")
        if equals and key == wanted:
            return bool(security.session_matches(value.strip()))
    return False


def _request_origin(scope: Mapping[str, Any], headers: Mapping[bytes, bytes]) -> str:
    scheme = _HTTP_SCHEMES.get(str(scope.get("scheme", "http")), "http")
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("127.0.0.1", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"
