"""The desktop app: the window, one instance per data folder, the JavaScript bridge, the server in a thread.

`run_app(settings, browser=False)` is what `boards-desktop` runs with no command. The window needs
the `desktop` extra (pywebview, PySide6, qtpy); without it, or without a display, the app says so
and serves without a window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boards_desktop.desktop.launcher import run_app

__all__ = ["run_app"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the server and the ASGI factory import the instance lock from this
    # package, and need nothing of the window.
    if name == "run_app":
        from boards_desktop.desktop.launcher import run_app

        return run_app
    raise AttributeError(name)
