"""The page the window shows before the app's own: the top bar and colours of the app, and a status.

It is drawn from `ui/shell.html` alone (no scripts, no requests), so the window shows the app at once
while the server starts beside it; the window then goes to the app's launch URL. If the server
cannot start, the same page says why and what to do, instead of leaving the window blank.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

SHELL_FILE = Path(__file__).resolve().parent.parent / "ui" / "shell.html"
STARTING = "Starting…"


def starting_page() -> str:
    return _page("starting", escape(STARTING))


def failed_page(reason: str, what_to_do: str) -> str:
    """The shell saying that the app could not start: `reason` and `what_to_do` are plain text."""
    message = f"<h1>Boards could not start</h1><p>{escape(reason)}</p><p>{escape(what_to_do)}</p>"
    return _page("failed", message)


def _page(state: str, message_html: str) -> str:
    page = SHELL_FILE.read_text(encoding="utf-8")
    return page.replace("{{state}}", state).replace("{{message}}", message_html)
