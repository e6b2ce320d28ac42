"""A second launch asks the running instance to come forward: `POST /api/desktop/activate`.

The request carries the installation's API token (the second launch reads it from the same data
folder), so only the artist's own processes can ask. The running instance brings its window to
the front; when it has none (`--browser`, or no display) it answers with a fresh one-time launch
URL that the second launch opens in the browser, since launch codes live in the first's memory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, post

from boards_desktop.security import token_path

ACTIVATE_PATH = "/api/desktop/activate"
_STATE_KEY = "desktop_bring_forward"

log = logging.getLogger("boards.desktop")


class InstanceUnreachable(RuntimeError):
    """The running instance did not answer; the message says what to do."""


@post(ACTIVATE_PATH, sync_to_thread=False, status_code=200, include_in_schema=False)
def _activate(request: Request[Any, Any, Any]) -> dict[str, Any]:
    bring_forward: Callable[[], bool] | None = request.app.state.get(_STATE_KEY)
    if bring_forward is not None and bring_forward():
        log.info("another launch asked for the window: brought it forward")
        return {"window": True}
    log.info("another launch asked for the app: answered with a launch URL for its browser")
    base_url = str(request.base_url).rstrip("/")
    return {"window": False, "launch_url": request.app.state.security.launch_url(base_url)}


def install_activation(app: Litestar, bring_forward: Callable[[], bool] | None = None) -> None:
    """Add the endpoint to `app`; `bring_forward()` raises the window and says whether there was one."""
    app.register(_activate)
    set_bring_forward(app, bring_forward)


def set_bring_forward(app: Litestar, bring_forward: Callable[[], bool] | None) -> None:
    app.state[_STATE_KEY] = bring_forward


def ask_to_come_forward(base_url: str, data_dir: Path, timeout: float = 10.0) -> dict[str, Any]:
    """Tell the instance at `base_url` that the artist launched the app again; returns its answer."""
    try:
        token = token_path(data_dir).read_text(encoding="ascii").strip()
    except OSError as exc:
        raise InstanceUnreachable(f"cannot read the API token of the running instance ({exc})") from None
    import httpx  # here, not at the top: `serve` registers the endpoint and answers before httpx is needed

    try:
        response = httpx.post(
            base_url + ACTIVATE_PATH,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise InstanceUnreachable(f"it does not answer at {base_url} ({exc})") from None
    if response.status_code != 200:
        raise InstanceUnreachable(f"it answered {response.status_code} at {base_url}: {response.text[:200]}")
    answer: dict[str, Any] = response.json()
    return answer
