"""The ASGI gate in front of the whole app: every HTTP request and WebSocket handshake passes here
before routing, so routes added later (SSE, uploads, media, the GraphQL WebSocket) are covered too.

In order: the Host must be ours (DNS rebinding), an Origin must be ours and a state-changing request
must not come from another site (another page in the artist's browser), then the secret: the
bearer token or the session cookie. `/health` needs no secret; `/auth/launch` turns a launch code
into the session cookie. A read of stored media may carry a signature instead of the secret
(security.media_signing); a page of an origin the artist allowed gets CORS and must send the token
(security.cors). A refusal is JSON saying what was wrong and how to get in (for a GraphQL POST, a
GraphQL error). A refused WebSocket handshake is closed before it is accepted, which every ASGI
server turns into a 403: the denial-response extension could carry the JSON, but browsers never
show it to the page, and uvicorn logs an error after each such response.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from boards_desktop.security.headers import GRAPHQL_PATH, secure_headers
from boards_desktop.security.keys import AppSecurity
from boards_desktop.security.launch import LAUNCH_PATH
from boards_desktop.security.media_signing import check_signed_media

OPEN_PATHS = frozenset({"/health"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_OWN_SITE = frozenset({"same-origin", "none"})  # what Sec-Fetch-Site says of the app's own page and of typed URLs
_FALLBACK_HOST = "127.0.0.1"
_POLICY_VIOLATION = 1008

Scope = dict[str, Any]


class SecurityGate:
    def __init__(self, app: Any, security: AppSecurity) -> None:
        self.app = app
        self.security = security

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        host = headers.get(b"host", b"").decode("latin-1")
        path = scope["path"]
        if not self.security.hosts.allows(host):
            # The foreign name goes nowhere near our headers: the policy names our own host instead.
            secure_send = _with_secure_headers(send, _FALLBACK_HOST, path)
            await _refuse(scope, secure_send, 421, "FORBIDDEN_HOST", _host_message(host, self.security))
            return
        # An origin the artist allowed (BOARDS_ALLOWED_ORIGINS) gets CORS and token-only checks: see security.cors.
        cross_origin = self.security.cors.allowed_origin(headers, host)
        if cross_origin is not None:
            preflight = self.security.cors.is_preflight(scope, headers)
            send = self.security.cors.with_headers(send, cross_origin, preflight=preflight)
            if preflight:
                await self.security.cors.answer_preflight(_with_secure_headers(send, host, path))
                return
        secure_send = _with_secure_headers(send, host, path)
        if cross_origin is not None:
            refusal = self._cross_origin_refusal(scope, headers)
        else:
            refusal = self._refusal(scope, headers, host)
        if refusal is not None:
            await _refuse(scope, secure_send, *refusal)
        elif path == LAUNCH_PATH and scope["type"] == "http":
            await self._launch(scope, secure_send)
        else:
            await self.app(scope, receive, secure_send)

    def _refusal(self, scope: Scope, headers: dict[bytes, bytes], host: str) -> tuple[int, str, str] | None:
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").lower() != f"http://{host.lower()}":
            return (
                403,
                "FORBIDDEN_ORIGIN",
                (
                    f"requests from another web page ({origin.decode('latin-1')}) are refused; "
                    "use the app's window, or call the API from a script with the token"
                ),
            )
        method = scope.get("method", "GET")
        if method not in _SAFE_METHODS and _from_another_site(scope):
            return 403, "FORBIDDEN_ORIGIN", "changes requested by another site are refused; use the app's window"
        path = scope["path"]
        if path in OPEN_PATHS or path == LAUNCH_PATH:
            return None
        if not self.security.ready:
            return 503, "STARTING", "the app is still starting; try again in a moment"
        if self._authenticated(headers):
            return None
        return self._signed_media_refusal(scope)

    def _cross_origin_refusal(self, scope: Scope, headers: dict[bytes, bytes]) -> tuple[int, str, str] | None:
        """A page of an allowed origin: the API token, or a media signature; the window's cookie never counts."""
        if scope["path"] in OPEN_PATHS:
            return None
        if not self.security.ready:
            return 503, "STARTING", "the app is still starting; try again in a moment"
        scheme, _, credential = headers.get(b"authorization", b"").partition(b" ")
        if scheme.lower() == b"bearer" and self.security.token_matches(credential.strip()):
            return None
        return self._signed_media_refusal(scope)

    def _signed_media_refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """What a request without the secret gets: in, with a valid media signature (see
        security.media_signing); 404 with a bad or expired one; 401 otherwise."""
        signed = check_signed_media(scope, self.security.media_signer)
        if signed is None:
            return 401, "UNAUTHENTICATED", self._login_hint(scope)
        if signed:
            return None
        return 404, "NOT_FOUND", "this media link has expired or is not valid; ask the API for a fresh one"

    def _authenticated(self, headers: dict[bytes, bytes]) -> bool:
        authorization = headers.get(b"authorization", b"")
        scheme, _, credential = authorization.partition(b" ")
        if scheme.lower() == b"bearer" and self.security.token_matches(credential.strip()):
            return True
        session = _cookie(headers.get(b"cookie", b""), self.security.cookie_name.encode("ascii"))
        return session is not None and self.security.session_matches(session)

    def _login_hint(self, scope: Scope) -> str:
        name = self.security.token_file.name
        hint = (
            f"this request needs the API token: send the header 'Authorization: Bearer <token>' with the token "
            f"kept in the file '{name}' in the Boards data folder; or open the app's window"
        )
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if {"token", "access_token", "api_token"} & query.keys():
            hint += " (a token in the URL is never accepted: URLs end up in logs and history)"
        return hint

    async def _launch(self, scope: Scope, send: Any) -> None:
        codes = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("code", [])
        if len(codes) != 1 or not self.security.redeem_launch_code(codes[0]):
            await _refuse(
                scope,
                send,
                401,
                "UNAUTHENTICATED",
                (
                    "this launch link was already used or has expired; start Boards again to open its window, "
                    f"or use the API token kept in '{self.security.token_file.name}' in the Boards data folder"
                ),
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", b"/"),
                    (b"set-cookie", self.security.session_cookie().encode("ascii")),
                    (b"cache-control", b"no-store"),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


def _headers(scope: Scope) -> dict[bytes, bytes]:
    # A repeated header keeps its first value: for Host and Origin a second one is an attack, not a list.
    found: dict[bytes, bytes] = {}
    for name, value in scope.get("headers", ()):
        found.setdefault(name.lower(), value)
    return found


def _from_another_site(scope: Scope) -> bool:
    """Whether Sec-Fetch-Site says anything but our own page (or none): any case, any repetition.

    A browser sends one lower-case value; anything else (`CROSS-SITE`, `cross-site, cross-site`, two
    headers, an empty one) was not written by a browser for our own page, so it counts as another site.
    """
    values = [
        part.strip().lower()
        for name, value in scope.get("headers", ())
        if name.lower() == b"sec-fetch-site"
        for part in value.decode("latin-1").split(",")
    ]
    return any(value not in _OWN_SITE for value in values)


def _cookie(header: bytes, name: bytes) -> bytes | None:
    for part in header.split(b";"):
        key, equals, value = part.strip().partition(b"=")
        if equals and key == name:
            return value.strip()
    return None


def _host_message(host: str, security: AppSecurity) -> str:
    port = security.hosts.port
    expected = f"127.0.0.1:{port} or localhost:{port}" if port is not None else "127.0.0.1 or localhost"
    shown = host[:100] if host else "(none)"
    return f"this server answers only to {expected}, not to the host name {shown!r}; open the app's own address"


def _with_secure_headers(send: Any, host: str, path: str) -> Any:
    async def secure_send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": secure_headers(list(message.get("headers", [])), host=host, path=path)}
        await send(message)

    return secure_send


async def _refuse(scope: Scope, send: Any, status: int, code: str, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": _POLICY_VIOLATION, "reason": code})
        return
    if status == 401 and scope["path"] == GRAPHQL_PATH and scope.get("method") == "POST":
        # GraphQL clients look for auth failures among GraphQL errors (extensions.code), not at the status.
        body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    else:
        # `detail` is where FastAPI clients (upstream's) read the message; `error` and `code` are ours.
        body = json.dumps({"error": message, "code": code, "detail": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="boards"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
