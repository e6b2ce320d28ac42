"""Only the artist gets in: the API token, the window's session cookie, Host and Origin checks, CSP.

- `AppSecurity`: the secrets of one running app; `app.state.security` from `create_app`, and
  `services.security` once started. `security.launch_url(base_url)` makes the window's one-time URL.
- `install_gate(app, security)`: the ASGI gate in front of every route and WebSocket.
- `set_listen_address(app, host, port)`: the server tells the gate which address it bound.
"""

from __future__ import annotations

from typing import Any

from boards_desktop.security.gate import OPEN_PATHS, SecurityGate
from boards_desktop.security.hosts import is_loopback
from boards_desktop.security.keys import AppSecurity
from boards_desktop.security.launch import LAUNCH_CODE_SECONDS, LAUNCH_PATH
from boards_desktop.security.token import TOKEN_FILE_NAME, TokenFileError, load_or_create_token, token_path

__all__ = [
    "LAUNCH_CODE_SECONDS",
    "LAUNCH_PATH",
    "OPEN_PATHS",
    "TOKEN_FILE_NAME",
    "AppSecurity",
    "SecurityGate",
    "TokenFileError",
    "install_gate",
    "is_loopback",
    "load_or_create_token",
    "set_listen_address",
    "token_path",
]


def install_gate(app: Any, security: AppSecurity) -> None:
    """Put the gate in front of the app's router: it sees requests before routing (404s included)."""
    app.asgi_handler = SecurityGate(app.asgi_handler, security)
    app.state.security = security


def set_listen_address(app: Any, host: str, port: int) -> None:
    """Called by the server once its socket is bound: Host headers must then carry this port."""
    app.state.security.listen_on(host, port)
