"""The desktop app: the window, one instance per data folder, the JavaScript bridge, the server in a thread.

`run_app(settings, browser=False)` is what `boards-desktop` runs with no command. The window needs
the `desktop` extra (pywebview, PySide6, qtpy); without it, or without a display, the app says so
and serves without a window.
"""

from boards_desktop.desktop.launcher import run_app

__all__ = ["run_app"]
