"""Can this session show a window? Answered before we depend on it, because Qt cannot be asked nicely.

Qt ends the whole process (qFatal) when its platform plugin cannot start: no display, a display
that refuses us, a missing libxcb-cursor. So on Linux the first check is cheap (is a backend
installed, is a display named, does its socket exist), and for Qt the real one starts it in a child
process, alongside the server's start-up. GTK answers in the app's own process: PyGObject's Gtk
starts GTK with `Gtk.init_check`, which says False instead of ending the process, and loading
WebKitGTK's library fails with an exception; a child would cost a second launch of the app
(a second of a bundle's start-up, tests/benchmarks/bundle_launch.py). macOS and Windows always
have their native backends.

`python -m boards_desktop.desktop.gui_check` is Qt's child (a bundle runs itself with
`BOARDS_DESKTOP_GUI_PROBE=1` instead, see `probe_command`), and checks GTK as the app does.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from boards_desktop.desktop.backends import BACKEND_ENV, WEBKIT_VERSION, Backend, choose_backend

PROBE_ENV = "BOARDS_DESKTOP_GUI_PROBE"
_PROBE_SECONDS = 20.0
_TOOLKIT_NAMES: dict[Backend, str] = {"gtk": "GTK", "qt": "Qt"}


def missing_backend() -> str | None:
    """Why no GUI backend can be used (a line for the artist saying what to install), or None."""
    return choose_backend().missing


def missing_display(environ: Mapping[str, str] | None = None) -> str | None:
    """Why there is no display to open a window on (a line for the artist), or None."""
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if environ is None else environ
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")) and choose_backend(env).backend == "qt":
        return None  # offscreen, vnc, eglfs...: the artist (or a test) chose it knowingly
    wayland, x_display = env.get("WAYLAND_DISPLAY"), env.get("DISPLAY")
    if wayland and _wayland_socket(env, wayland).exists():
        return None
    if x_display and _x_display_reachable(x_display):
        return None
    if not wayland and not x_display:
        return "no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    return f"the display {x_display or wayland!r} cannot be reached"


def probe_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]  # the bundle's entry point answers the probe when PROBE_ENV is set
    return [sys.executable, "-m", "boards_desktop.desktop.gui_check"]


def start_probe() -> subprocess.Popen[bytes] | None:
    """Start the probe of Qt in a child (Linux only); `probe_result` collects its verdict (GTK's too)."""
    backend = choose_backend().backend
    if not sys.platform.startswith("linux") or backend != "qt":
        return None
    return subprocess.Popen(
        probe_command(),
        env={**os.environ, PROBE_ENV: "1", BACKEND_ENV: backend},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def probe_result(probe: subprocess.Popen[bytes] | None) -> str | None:
    """Why the toolkit cannot start (a line for the artist), or None when it can.

    GTK is asked here, in the app's process (after `preload_gui_modules`, which imports it).
    """
    if probe is None:
        if sys.platform.startswith("linux") and choose_backend().backend == "gtk":
            return gtk_cannot_start()
        return None
    toolkit = _TOOLKIT_NAMES[choose_backend().backend or "qt"]
    try:
        _, err = probe.communicate(timeout=_PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        probe.kill()
        probe.communicate()
        return f"{toolkit} did not start within {_PROBE_SECONDS:.0f} s"
    if probe.returncode == 0:
        return None
    lines = [line.strip() for line in err.decode(errors="replace").splitlines() if line.strip()]
    reason = next((line for line in lines if "plugin" in line.lower() or "display" in line.lower()), None)
    return f"{toolkit} cannot start ({reason or (lines[-1] if lines else f'exit status {probe.returncode}')})"


def run_probe() -> int:
    """The child's side: can the chosen toolkit start here (a QApplication, or GTK with WebKitGTK)?"""
    if choose_backend().backend == "gtk":
        reason = gtk_cannot_start()
        if reason is not None:
            print(reason, file=sys.stderr)
        return 0 if reason is None else 1
    from qtpy.QtWidgets import QApplication

    app = QApplication([sys.argv[0]])
    app.processEvents()
    return 0


def gtk_cannot_start() -> str | None:
    """Why GTK with WebKitGTK cannot open a window here (a line for the artist), or None; in this process."""
    try:
        import gi

        gi.require_version("Gtk", "3.0")
        gi.require_version("WebKit2", WEBKIT_VERSION)
        from gi.repository import Gtk, WebKit2

        # Loads the web engine's library: a broken WebKitGTK install fails here, not in the window.
        WebKit2.get_major_version()
    except Exception as exc:  # noqa: BLE001 - whatever fails to load, the window cannot be shown
        return f"GTK cannot start ({exc})"
    started, _ = Gtk.init_check(sys.argv[:1])  # already done by PyGObject's import: then the same answer, at once
    if not started:
        display = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY") or "no display"
        return f"GTK cannot start (cannot open the display {display!r})"
    return None


def _wayland_socket(env: Mapping[str, str], name: str) -> Path:
    runtime = env.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}")
    return Path(name) if name.startswith("/") else Path(runtime) / name


def _x_display_reachable(display: str) -> bool:
    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        if not os.path.exists(path):
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            return sock.connect_ex(path) == 0
    try:
        with socket.create_connection((host, 6000 + int(number)), timeout=1.0):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    raise SystemExit(run_probe())
