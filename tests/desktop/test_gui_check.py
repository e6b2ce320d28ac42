"""When no window can be shown, the app says why in one line and serves without one (or, on a
desktop without a window backend, opens the browser instead); which backend it chooses on Linux.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from boards_desktop.desktop.backends import BACKEND_ENV, choose_backend
from boards_desktop.desktop.gui_check import missing_display
from tests.desktop.support import (
    BOARDS_DESKTOP,
    WINDOW_BACKENDS,
    Launch,
    desktop_env,
    needs_gui,
    wait_for,
    wait_for_instance,
)


def test_which_displays_count(tmp_path) -> None:
    assert missing_display({}) == "no display (DISPLAY and WAYLAND_DISPLAY are not set)"
    assert missing_display({"DISPLAY": ":987"}) == "the display ':987' cannot be reached"
    assert missing_display({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}) == (
        "the display 'wayland-9' cannot be reached"
    )
    (tmp_path / "wayland-9").touch()
    assert missing_display({"WAYLAND_DISPLAY": "wayland-9", "XDG_RUNTIME_DIR": str(tmp_path)}) is None
    if "qt" in WINDOW_BACKENDS:  # chosen knowingly: Qt needs no display offscreen
        assert missing_display({"QT_QPA_PLATFORM": "offscreen", BACKEND_ENV: "qt"}) is None
    if "gtk" in WINDOW_BACKENDS:  # GTK has no offscreen platform: Qt's setting changes nothing for it
        no_display = missing_display({"QT_QPA_PLATFORM": "offscreen", BACKEND_ENV: "gtk"})
        assert no_display == "no display (DISPLAY and WAYLAND_DISPLAY are not set)"


@needs_gui
def test_the_backend_chosen_on_each_system() -> None:
    assert choose_backend({}).backend == WINDOW_BACKENDS[0]  # GTK first when both are installed
    for backend in WINDOW_BACKENDS:
        assert choose_backend({BACKEND_ENV: backend.upper()}).backend == backend
    refused = choose_backend({BACKEND_ENV: "webkit"})
    assert refused.backend is None
    assert refused.missing == f"{BACKEND_ENV}='webkit' is not a window backend; use gtk or qt, or unset it"
    for platform in ("darwin", "win32"):  # pywebview's native backend, whatever is asked
        assert choose_backend({BACKEND_ENV: "qt"}, platform=platform).backend is None


@needs_gui
@pytest.mark.skipif("qt" not in WINDOW_BACKENDS, reason="the desktop extra (Qt) is not installed")
def test_when_qt_cannot_start_the_app_serves_without_a_window(tmp_path) -> None:
    data = tmp_path / "data"
    env = desktop_env(data, QT_QPA_PLATFORM="no-such-platform", **{BACKEND_ENV: "qt"})
    app = Launch(BOARDS_DESKTOP, env, tmp_path)
    try:
        info = wait_for_instance(data, app)
        app.wait_for_output("Press Ctrl+C to stop.")
        lines = [line for line in app.stderr.splitlines() if "cannot open a window" in line]
        assert len(lines) == 1, app.stderr
        assert "Qt cannot start" in lines[0] and lines[0].endswith("serving without one"), app.stderr
        assert info["mode"] == "headless"
    finally:
        assert app.stop(signal.SIGINT) == 0, app.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the backend is chosen on Linux only")
def test_without_a_window_backend_a_desktop_gets_the_browser(tmp_path, x_display) -> None:
    """A backend that cannot be used (here one that does not exist): one line, then the browser opens."""
    data = tmp_path / "data"
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"  # what Python's webbrowser runs for $BROWSER: records the URL
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    # No xdg-open on this PATH, so the app asks Python's webbrowser, which runs $BROWSER.
    env = desktop_env(data, display=x_display, PATH=str(tmp_path), BROWSER=str(browser), **{BACKEND_ENV: "webkit"})
    app = Launch(BOARDS_DESKTOP, env, tmp_path)
    try:
        info = wait_for_instance(data, app)
        url = wait_for(lambda: opened.exists() and opened.read_text().strip(), 60, "the browser to be asked", app)
        app.wait_for_output("Press Ctrl+C to stop.")
        lines = [line for line in app.stderr.splitlines() if "cannot open a window" in line]
        said = (
            f"boards-desktop: cannot open a window: {BACKEND_ENV}='webkit' is not a window backend; use gtk or qt, "
            "or unset it; opening it in the browser instead"
        )
        assert lines == [said], app.stderr
        assert url.startswith(f"http://127.0.0.1:{info['port']}/") and info["mode"] == "browser"
    finally:
        assert app.stop(signal.SIGINT) == 0, app.stderr


def _can_hide_folders() -> bool:
    tools = ("unshare", "mount")
    return sys.platform.startswith("linux") and os.geteuid() == 0 and all(shutil.which(tool) for tool in tools)


@pytest.mark.skipif("gtk" not in WINDOW_BACKENDS, reason="the gtk extra or WebKitGTK is not installed")
@pytest.mark.skipif(not _can_hide_folders(), reason="hiding WebKitGTK needs root and unshare (a mount namespace)")
def test_without_webkitgtk_the_app_says_what_to_install_and_opens_the_browser(tmp_path, x_display) -> None:
    """The system's typelibs hidden in a mount namespace of the app's own, as on a system without WebKitGTK."""
    import gi

    repository = gi.Repository.get_default()
    repository.require("WebKit2", "4.1", 0)  # loads the typelib only (in the test's process), to find its folder
    typelibs = Path(repository.get_typelib_path("WebKit2")).parent
    empty = tmp_path / "empty"
    empty.mkdir()
    data = tmp_path / "data"
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    env = desktop_env(data, display=x_display, BROWSER=str(browser), **{BACKEND_ENV: "gtk"})
    env["PATH"] = str(tmp_path)  # no xdg-open: Python's webbrowser runs $BROWSER
    hidden = f"{shutil.which('mount')} --bind {empty} {typelibs} && exec " + " ".join(BOARDS_DESKTOP)
    app = Launch([str(shutil.which("unshare")), "-m", "/bin/sh", "-c", hidden], env, tmp_path)
    try:
        wait_for(lambda: opened.exists() and opened.read_text().strip(), 60, "the browser to be asked", app)
        app.wait_for_output("Press Ctrl+C to stop.")
        lines = [line for line in app.stderr.splitlines() if "cannot open a window" in line]
        said = (
            "boards-desktop: cannot open a window: the window needs WebKitGTK 4.1, which is not installed "
            f"(sudo apt install gir1.2-webkit2-4.1) ({BACKEND_ENV}=gtk); opening it in the browser instead"
        )
        assert lines == [said], app.stderr
    finally:
        assert app.stop(signal.SIGINT) == 0, app.stderr
