"""The app's window: pywebview (WebKitGTK or Qt on Linux, see backends; the native ones on macOS and Windows).

`AppWindow` is made on the main thread, before `run()` starts the GUI loop there; its other
methods may be called from any thread (pywebview hands them to the GUI thread).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from boards_desktop.desktop.backends import choose_backend
from boards_desktop.desktop.bridge import DesktopBridge, bind_window
from boards_desktop.desktop.shell import failed_page, starting_page
from boards_desktop.desktop.webview_csp import allow_strict_csp, evaluate

log = logging.getLogger("boards.desktop")

TITLE = "Boards"
SIZE = (1280, 820)
MIN_SIZE = (800, 560)
BACKGROUND = "#161616"  # the colour the window shows before the page paints


def icon_path() -> Path | None:
    """The window icon: `assets/` beside the package in a checkout, or inside a bundle."""
    bundle = getattr(sys, "_MEIPASS", None)  # not Path(""): that is the current folder, and GTK wants a full path
    roots = ([Path(bundle)] if bundle else []) + [Path(__file__).resolve().parents[2]]
    for root in roots:
        candidate = (root / "assets" / "icon-256.png").resolve()
        if candidate.is_file():
            return candidate
    return None


def prepare_qt_environment() -> None:
    """Settings QtWebEngine needs before it starts (Linux)."""
    if not sys.platform.startswith("linux") or choose_backend().backend != "qt":
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ:
        # Chromium refuses to run its sandbox as root; without this the page never loads.
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
        log.info("running as root: QtWebEngine's sandbox is off")
    os.environ.setdefault("QT_API", "pyside6")  # qtpy would otherwise take a GPL PyQt if one is installed


def preload_gui_modules() -> None:
    """Import the window's modules ahead (while the GUI probe runs), so the window opens sooner.

    Importing makes no window and starts no GUI: on Linux, Qt can end the process only when its
    application starts (boards_desktop.desktop.gui_check), not when its modules are imported. An
    import that fails is left to the probe and to `AppWindow` to report.
    """
    prepare_qt_environment()
    try:
        import webview

        backend = choose_backend().backend  # what `run()` starts on Linux (None elsewhere: the native one)
        if backend == "gtk":
            import webview.platforms.gtk
        elif backend == "qt":
            import webview.platforms.qt  # noqa: F401
    except Exception:
        log.debug("the window's modules could not be imported ahead", exc_info=True)


class _WithoutRefusals(logging.Filter):
    """pywebview logs every exception of a bridge call with its traceback; a refusal is not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "BridgeError:" not in record.getMessage()


# How long `show_app` waits for the shell to be drawn before it loads the app over it anyway.
_SHELL_SECONDS = 10.0


class AppWindow:
    """The window; with no `url` it opens on the start-up shell, and `show_app` loads the app later."""

    def __init__(self, url: str | None, bridge: DesktopBridge, *, launched_at: float | None = None) -> None:
        import webview

        allow_strict_csp()
        logging.getLogger("pywebview").addFilter(_WithoutRefusals())
        self._webview = webview
        self._launched_at = launched_at or time.monotonic()
        self._minimized = False
        self.loaded = threading.Event()  # the app's page (not the shell) loaded
        self.shell_shown = threading.Event()
        self._app_requested = url is not None
        window = webview.create_window(
            TITLE,
            url,
            html=starting_page() if url is None else None,
            js_api=bridge,
            width=SIZE[0],
            height=SIZE[1],
            min_size=MIN_SIZE,
            background_color=BACKGROUND,
            text_select=True,
        )
        assert window is not None  # None only when an `initialized` handler cancels it; there is none
        self.window = window
        bind_window(bridge, self.window)
        events = self.window.events
        events.loaded += self._on_loaded
        events.minimized += lambda: self._set_minimized(True)
        events.restored += lambda: self._set_minimized(False)
        events.maximized += lambda: self._set_minimized(False)
        if choose_backend().backend == "gtk":
            from boards_desktop.desktop.gtk_backend import keep_local_storage

            events.before_show += keep_local_storage

    def run(self, when_started: Callable[[AppWindow], None] | None = None) -> None:
        """Show the window and run the GUI loop on this (main) thread until the window closes."""
        icon = icon_path()
        gui = choose_backend().backend  # None: pywebview's native backend (macOS, Windows)
        args = (self,) if when_started else None
        self._webview.start(when_started, args, gui=gui, icon=str(icon) if icon else None)

    def bring_forward(self) -> bool:
        if self._minimized:
            self.window.restore()
        # Raising a window across the desktop is refused to plain requests on some systems;
        # passing through "always on top" is what every backend honours.
        self.window.on_top = True
        self.window.on_top = False
        return True

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression in the page (pywebview's evaluate_js needs eval)."""
        return evaluate(self.window, expression)

    def close(self) -> None:
        self.window.destroy()

    def show_app(self, url: str) -> None:
        """Go from the shell to the app (from any thread once the GUI loop runs)."""
        # After the shell is drawn: a shell still loading would otherwise count as the app's page.
        self.shell_shown.wait(_SHELL_SECONDS)
        self._app_requested = True
        self.window.load_url(url)

    def show_failure(self, reason: str, what_to_do: str) -> None:
        """The shell says why the app could not start (the window stays open until the artist closes it)."""
        self.shell_shown.wait(_SHELL_SECONDS)
        self.window.load_html(failed_page(reason, what_to_do))

    def _on_loaded(self) -> None:
        since_launch = time.monotonic() - self._launched_at
        if not self._app_requested:
            if not self.shell_shown.is_set():
                log.info("window: shell shown %.2f s after launch", since_launch)
            self.shell_shown.set()
            return
        first = not self.loaded.is_set()
        self.loaded.set()
        if first:
            log.info("window: page loaded %.2f s after launch", since_launch)

    def _set_minimized(self, value: bool) -> None:
        self._minimized = value
