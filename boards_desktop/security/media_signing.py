"""Signed media URLs: links to stored media that `<img>`, `<video>` and downloads load without a header.

A tag on a page cannot send the API token, and a page on another origin cannot send the window's
cookie, so the API hands out media URLs that carry their own proof:
`?expires=<unix time>&user=<user id>&signature=<s>`, where `s` is an HMAC-SHA256 of the URL's path,
its expiry and the user it was issued to. The signature proves the URL is ours, not that its holder may
still read the board: the storage endpoint checks that user's role on the board at every read, so a
teammate removed from a board gets 404 even with a URL they already hold. The key is derived from the API token,
so links survive a restart of the app and die with the token (delete `api-token` to revoke them all).
A signature opens one file for reading (GET or HEAD of that one `/api/storage/...` path), nothing else.

Expiries are rounded up to a step (an hour for the default day), so the same file gets the same URL
for that long: browsers cache media by URL, and a board's grid that asks again would otherwise load
every thumbnail anew.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import time
from typing import Any
from urllib.parse import parse_qs

EXPIRES_PARAM = "expires"
SIGNATURE_PARAM = "signature"
USER_PARAM = "user"
STORAGE_PREFIX = "/api/storage/"
_READ_METHODS = frozenset({"GET", "HEAD"})
_KEY_LABEL = b"boards-desktop media url v1"  # a key of its own: a signature never helps guess the token
_MAX_STEP_SECONDS = 3600.0
_CACHE_LIMIT = 20_000  # two URLs for each of a 10,000-generation board: a few MB


class MediaSigner:
    """Signs and checks media URL paths with a key derived from the app's secret."""

    def __init__(self, secret: bytes) -> None:
        self._mac = hmac.new(hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest(), digestmod=hashlib.sha256)
        self._cache: dict[tuple[str, int, str], str] = {}

    def query(self, path: str, lifetime_seconds: float, *, user: str, now: float | None = None) -> str:
        """`expires=...&user=...&signature=...` for `path` (decoded, e.g. `/api/storage/b/g/output.png`)."""
        expires = expiry(lifetime_seconds, time.time() if now is None else now)
        signature = self.signature(path, expires, user)
        return f"{EXPIRES_PARAM}={expires}&{USER_PARAM}={user}&{SIGNATURE_PARAM}={signature}"

    def verify(self, path: str, expires: str, signature: str, *, user: str, now: float | None = None) -> bool:
        """True when `signature` is ours for `path` and `user` and `expires` has not passed."""
        if not expires.isdigit() or len(expires) > 12 or not user or len(user) > 64:
            return False
        deadline = int(expires)
        if deadline <= (time.time() if now is None else now):
            return False
        return hmac.compare_digest(self.signature(path, deadline, user), signature)

    def signature(self, path: str, expires: int, user: str) -> str:
        """The signature of `path` for `user` until `expires` (unix time); computed once, then remembered."""
        cached = self._cache.get((path, expires, user))
        if cached is not None:
            return cached
        mac = self._mac.copy()
        mac.update(f"{expires}\n{user}\n{path}".encode("utf-8", "surrogateescape"))
        signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # expiries move on every step: old entries are dead weight
        self._cache[(path, expires, user)] = signature
        return signature


def expiry(lifetime_seconds: float, now: float) -> int:
    """`now + lifetime`, rounded up to a step (at most an hour, a quarter of the lifetime when shorter)."""
    step = max(1.0, min(_MAX_STEP_SECONDS, lifetime_seconds / 4))
    return int(math.ceil((now + lifetime_seconds) / step) * step)


def check_signed_media(scope: dict[str, Any], signer: MediaSigner | None) -> bool | None:
    """For the security gate: None when the request is not a read of `/api/storage/...` carrying a
    signature (the usual checks apply), True when its signature is valid, False when it is bad or expired."""
    query = scope.get("query_string", b"")
    if SIGNATURE_PARAM.encode() not in query:
        return None
    params = parse_qs(query.decode("latin-1"))
    signatures = params.get(SIGNATURE_PARAM)
    if signatures is None:
        return None
    path = scope.get("path", "")
    if scope.get("type") != "http" or scope.get("method") not in _READ_METHODS or not path.startswith(STORAGE_PREFIX):
        return None  # a signature opens stored media for reading, and nothing else
    return signed_user(params, path, signer) is not None


def signed_user(params: dict[str, list[str]], path: str, signer: MediaSigner | None) -> str | None:
    """The user a signed media URL was issued to, when its signature is valid for `path`; else None."""
    expires, users, signatures = (params.get(name, []) for name in (EXPIRES_PARAM, USER_PARAM, SIGNATURE_PARAM))
    if signer is None or len(signatures) != 1 or len(expires) != 1 or len(users) != 1:
        return None
    return users[0] if signer.verify(path, expires[0], signatures[0], user=users[0]) else None
