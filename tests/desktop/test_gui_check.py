"""When no window can be shown, the app says why in one line and serves without one."""

from __future__ import annotations

import signal

from boards_desktop.desktop.gui_check import missing_display
from tests.desktop.support import BOARDS_DESKTOP, Launch, desktop_env, needs_gui, wait_for_instance


def test_which_displays_count(tmp_path) -> None:
    assert missing_display({}) == "no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    assert missing_display({"DISPLAY": ":987"}) == "the display ':987' cannot be reached"
    assert missing_display({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}) == (
        "the display 'wayland-9' cannot be reached"
    )
    (tmp_path / "wayland-9").touch()
    assert missing_display({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}) is None
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}) is None  # chosen knowingly: no display needed


@needs_gui
def test_when_qt_cannot_start_the_app_serves_without_a_window(tmp_path) -> None:
    data = tmp_path / "data"
    app = Launch(BOARDS_DESKTOP, desktop_env(data, QT_QPA_PLATFORM="no-such-platform"), tmp_path)
    try:
        info = wait_for_instance(data, app)
        app.wait_for_output("Press Ctrl+C to stop.")
        lines = [line for line in app.stderr.splitlines() if "cannot open a window" in line]
        assert len(lines) == 1, app.stderr
        assert "Qt cannot start" in lines[0] and lines[0].endswith("serving without one"), app.stderr
        assert info["mode"] == "headless"
    finally:
        assert app.stop(signal.SIGINT) == 0, app.stderr
