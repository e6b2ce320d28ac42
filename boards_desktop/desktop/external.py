"""Handing things to the operating system: a URL to the browser, a folder or file to the file manager.

A bundle on Linux runs with LD_LIBRARY_PATH pointing into itself; a system program started with
that environment (xdg-open, the browser, the file manager) would load the bundle's Qt and NSS
instead of its own and fail. Children therefore get the environment the bundle was started with.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import webbrowser
from pathlib import Path


class OpenFailed(RuntimeError):
    """The OS could not be asked to open something; the message says what to do instead."""


def file_manager_command(target: Path, platform: str = sys.platform) -> list[str]:
    """The command that shows `target` in the file manager: a file selected in its folder, or a folder."""
    is_file = target.is_file()
    if platform == "darwin":
        return ["open", "-R", str(target)] if is_file else ["open", str(target)]
    if platform == "win32":
        return ["explorer", f"/select,{target}"] if is_file else ["explorer", str(target)]
    # freedesktop has no portable "select this file"; opening its folder is what xdg-open can do.
    return ["xdg-open", str(target.parent if is_file else target)]


def show_in_file_manager(target: Path) -> None:
    command = file_manager_command(target)
    on_freedesktop = sys.platform not in ("darwin", "win32")
    if on_freedesktop and shutil.which(command[0], path=system_environment().get("PATH")) is None:
        raise OpenFailed(f"no file manager launcher (xdg-open) is installed; the file is at {target}")
    _spawn(command)


def open_url(url: str) -> None:
    """Open `url` in the artist's browser."""
    if sys.platform.startswith("linux") and shutil.which("xdg-open", path=system_environment().get("PATH")):
        _spawn(["xdg-open", url])
        return
    if not webbrowser.open(url):
        raise OpenFailed("no web browser could be started")


def system_environment() -> dict[str, str]:
    env = dict(os.environ)
    if getattr(sys, "frozen", False) and sys.platform.startswith("linux"):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)  # saved by PyInstaller's bootloader
        if original is not None:
            env["LD_LIBRARY_PATH"] = original
        else:
            env.pop("LD_LIBRARY_PATH", None)
    return env


def _spawn(command: list[str]) -> None:
    try:
        # Not waited for: the file manager or browser outlives this call (start_new_session keeps
        # it alive, and out of our terminal's Ctrl+C, after the app closes).
        subprocess.Popen(
            command,
            env=system_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=sys.platform != "win32",
        )
    except OSError as exc:
        raise OpenFailed(f"cannot run {command[0]} ({exc.strerror or exc})") from None
