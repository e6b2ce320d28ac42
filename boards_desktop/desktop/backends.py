"""Which web engine the window uses on Linux: the system's WebKitGTK, or Qt WebEngine.

WebKitGTK (pywebview's GTK backend, through PyGObject) comes first: it is the desktop's own web
engine, installed with GNOME and most others, so a bundle need not carry one (Qt WebEngine is most
of the Qt bundle's 600 MB). Qt is used where it is installed and WebKitGTK is not.
`BOARDS_WINDOW_BACKEND=gtk` or `=qt` chooses one. macOS and Windows always use pywebview's native
backend (WKWebView, WebView2): no choice there.

Nothing here starts a toolkit: whether GTK or Qt can actually open a window on this display is
asked in a child process (gui_check).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

Backend = Literal["gtk", "qt"]
BACKENDS: tuple[Backend, ...] = get_args(Backend)
BACKEND_ENV = "BOARDS_WINDOW_BACKEND"
INSTALL_WEBKIT = "sudo apt install gir1.2-webkit2-4.1"  # Debian and Ubuntu's name; said as is elsewhere too
WEBKIT_VERSION = "4.1"  # WebKit2GTK's API version with libsoup 3, the one current distributions ship


@dataclass(frozen=True)
class BackendChoice:
    """The backend to use (None on macOS and Windows: pywebview's native one), or why none can be."""

    backend: Backend | None
    missing: str | None = None


def choose_backend(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> BackendChoice:
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return BackendChoice(None, None if _installed("webview") else _missing_pywebview("desktop"))
    if not _installed("webview"):
        return BackendChoice(None, _missing_pywebview("gtk"))
    wanted = env.get(BACKEND_ENV, "").strip().lower()
    if wanted and wanted not in BACKENDS:
        return BackendChoice(None, f"{BACKEND_ENV}={wanted!r} is not a window backend; use gtk or qt, or unset it")
    if wanted:
        backend: Backend = "gtk" if wanted == "gtk" else "qt"
        missing = gtk_missing() if backend == "gtk" else qt_missing()
        return (
            BackendChoice(backend, None)
            if missing is None
            else BackendChoice(None, f"{missing} ({BACKEND_ENV}={wanted})")
        )
    gtk = gtk_missing()
    if gtk is None:
        return BackendChoice("gtk")
    if qt_missing() is None:
        return BackendChoice("qt")
    return BackendChoice(None, gtk)


def gtk_missing() -> str | None:
    """What the GTK backend lacks here (a line for the artist saying what to install), or None."""
    if not _installed("gi"):
        return (
            f"the window needs WebKitGTK {WEBKIT_VERSION} and PyGObject ({INSTALL_WEBKIT}, "
            "then pip install 'boards-desktop[gtk]')"
        )
    try:
        import gi
    except ImportError:  # a bundle's PyGObject on a system without GObject Introspection's library
        return f"the window needs WebKitGTK {WEBKIT_VERSION}, which is not installed ({INSTALL_WEBKIT})"
    repository = gi.Repository.get_default()  # reads the typelib search path; loads no library
    if WEBKIT_VERSION not in repository.enumerate_versions("WebKit2"):
        return f"the window needs WebKitGTK {WEBKIT_VERSION}, which is not installed ({INSTALL_WEBKIT})"
    return None


def qt_missing() -> str | None:
    missing = [name for name in ("qtpy", "PySide6") if not _installed(name)]
    if missing:
        return f"the window's Qt backend needs {', '.join(missing)} (pip install 'boards-desktop[desktop]')"
    return None


def _missing_pywebview(extra: str) -> str:
    return f"the window needs pywebview, which is not installed (pip install 'boards-desktop[{extra}]')"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None
