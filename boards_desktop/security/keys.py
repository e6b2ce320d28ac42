"""The secrets of one running app: the API token, the window's session, launch codes, our own Host.

The session cookie's value is a random secret made when the process starts and kept in memory,
not derived from the token: a copied cookie dies with the process and never leads back to the
token, and nothing is lost by that, since the window gets a fresh launch code at every start.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

from boards_desktop.logs import register_secret
from boards_desktop.security.cors import CorsPolicy
from boards_desktop.security.hosts import AllowedHosts
from boards_desktop.security.launch import LAUNCH_CODE_SECONDS, LAUNCH_PATH, LaunchCodes
from boards_desktop.security.media_signing import MediaSigner
from boards_desktop.security.token import load_or_create_token, token_path

_COOKIE_PREFIX = "boards_session"


class AppSecurity:
    """Who may talk to this app. `load()` (in the lifespan, once the data folder exists) reads the token."""

    def __init__(self, data_dir: Path, *, allowed_origins: Iterable[str] = ()) -> None:
        self.token_file = token_path(data_dir)
        self.hosts = AllowedHosts()
        self.cors = CorsPolicy(allowed_origins)
        self.media_signer: MediaSigner | None = None  # from the token, once loaded
        self._token: bytes | None = None
        self._session = secrets.token_urlsafe(32)
        self._codes = LaunchCodes()
        register_secret(self._session, lasting=True)

    def load(self) -> None:
        token = load_or_create_token(self.token_file.parent)
        register_secret(token, lasting=True)
        self._token = token.encode("ascii")
        self.media_signer = MediaSigner(self._token)

    @property
    def ready(self) -> bool:
        return self._token is not None

    def listen_on(self, host: str, port: int) -> None:
        """The address the server is bound to: Host headers must then name this port."""
        self.hosts.listen_on(host, port)

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two installations on 127.0.0.1 must not overwrite each other's.
        port = self.hosts.port
        return f"{_COOKIE_PREFIX}_{port}" if port is not None else _COOKIE_PREFIX

    def token_matches(self, candidate: bytes) -> bool:
        return self._token is not None and hmac.compare_digest(candidate, self._token)

    def session_matches(self, candidate: bytes) -> bool:
        return hmac.compare_digest(candidate, self._session.encode("ascii"))

    def launch_url(self, base_url: str, lifetime: float = LAUNCH_CODE_SECONDS) -> str:
        """A one-time URL that logs the window (or a browser) in: `<base_url>/auth/launch?code=...`.

        `base_url` is the server's own URL, e.g. `http://127.0.0.1:8123`. The code works once,
        within `lifetime` seconds.
        """
        code = self._codes.issue(lifetime)
        register_secret(code)
        return f"{base_url.rstrip('/')}{LAUNCH_PATH}?{urlencode({'code': code})}"

    def redeem_launch_code(self, code: str) -> bool:
        return self._codes.redeem(code)

    def session_cookie(self) -> str:
        # No Secure flag: the server speaks plain http on loopback, where browsers would drop it.
        # No Max-Age: the cookie ends with the browser session, as the secret ends with the process.
        return f"{self.cookie_name}={self._session}; HttpOnly; SameSite=Strict; Path=/"
