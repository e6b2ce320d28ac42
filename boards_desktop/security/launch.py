"""One-time launch codes: how the app's window (or `--browser`) gets its session cookie.

The window opens `http://127.0.0.1:<port>/auth/launch?code=...`; the code is random, expires
quickly and works once, so a launch URL seen later (shell history, a screenshot) opens nothing.
Codes live in memory only. They are kept by their SHA-256 digest: looking a guess up in a dict
then reveals nothing about the real codes through timing.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time

LAUNCH_PATH = "/auth/launch"
LAUNCH_CODE_SECONDS = 120.0  # long enough for a cold browser start, short enough to be useless later


class LaunchCodes:
    def __init__(self) -> None:
        self._expiry: dict[bytes, float] = {}
        # The window thread issues codes while the server's event loop redeems them.
        self._lock = threading.Lock()

    def issue(self, lifetime: float = LAUNCH_CODE_SECONDS) -> str:
        code = secrets.token_urlsafe(24)
        now = time.monotonic()
        with self._lock:
            self._expiry = {digest: until for digest, until in self._expiry.items() if until > now}
            self._expiry[_digest(code)] = now + lifetime
        return code

    def redeem(self, code: str) -> bool:
        """True once for a live code; False for an unknown, used or expired one."""
        with self._lock:
            until = self._expiry.pop(_digest(code), None)
        return until is not None and time.monotonic() < until


def _digest(code: str) -> bytes:
    return hashlib.sha256(code.encode("utf-8", "surrogateescape")).digest()
