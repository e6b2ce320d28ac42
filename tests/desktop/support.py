"""Running the real `boards-desktop` in subprocesses: environments, waiting, reading what it said."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from boards_desktop.desktop.backends import BACKEND_ENV, gtk_missing, qt_missing
from tests.app_harness import app_environment

ROOT = Path(__file__).resolve().parents[2]
BOARDS_DESKTOP = [sys.executable, "-m", "boards_desktop"]
_NOT_A_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")

# The window backends installed here: WebKitGTK (gtk extra, gir1.2-webkit2-4.1) and Qt (desktop extra).
WINDOW_BACKENDS = [
    backend
    for backend, missing in (("gtk", gtk_missing), ("qt", qt_missing))
    if importlib.util.find_spec("webview") is not None and missing() is None
]
needs_gui = pytest.mark.skipif(
    not WINDOW_BACKENDS, reason="no window backend is installed (the gtk or desktop extra, and WebKitGTK for gtk)"
)
needs_xvfb = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
# Window tests run once per installed backend; `window_env` gives each what it needs to show its window.
each_backend = pytest.mark.parametrize("backend", WINDOW_BACKENDS or ["none"])


def desktop_env(data_dir: Path, *, display: str | None = None, offscreen: bool = False, **extra: str) -> dict[str, str]:
    """The environment of one installation in `data_dir`; no display unless one is named."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_A_DISPLAY and not k.startswith("BOARDS_")}
    env.update(app_environment(f"sqlite+aiosqlite:///{data_dir / 'boards.db'}", data_dir))
    env["PYTHONUNBUFFERED"] = "1"
    if display is not None:
        env["DISPLAY"] = display
    if offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def window_env(data_dir: Path, backend: str, request: pytest.FixtureRequest, **extra: str) -> dict[str, str]:
    """The environment of an app whose window uses `backend`: Qt draws offscreen, GTK needs an X display (Xvfb)."""
    if backend == "qt":
        return desktop_env(data_dir, offscreen=True, **{BACKEND_ENV: "qt", **extra})
    if shutil.which("Xvfb") is None:
        pytest.skip("the GTK window needs an X display: Xvfb is not installed")
    return desktop_env(data_dir, display=request.getfixturevalue("x_display"), **{BACKEND_ENV: backend, **extra})


@contextmanager
def virtual_display() -> Iterator[str]:
    """A virtual X display of its own, the size of the window (no window manager: it opens at 0,0)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x820x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    try:
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


class Launch:
    """One `boards-desktop` process, its output kept in files (pipes could fill and block it)."""

    def __init__(self, command: list[str], env: dict[str, str], folder: Path, name: str = "app") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.stdout_path, self.stderr_path = folder / f"{name}.out", folder / f"{name}.err"
        self.started = time.monotonic()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 60.0) -> float:
        """Seconds from launch until `text` appeared on stdout or stderr."""
        wait_for(lambda: text in self.stdout or text in self.stderr, timeout, f"{text!r} in the output", self)
        return time.monotonic() - self.started

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            name = signal.Signals(sig).name
            raise AssertionError(f"the app did not exit within {timeout} s of {name}\n{self.stderr}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_for(check: Callable[[], Any], timeout: float, what: str, launch: Launch | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if launch is not None and launch.process.poll() is not None:
            value = check()
            if value:
                return value
            raise AssertionError(f"the app exited ({launch.process.returncode}) before {what}:\n{launch.stderr}")
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}" + (f":\n{launch.stderr}" if launch else ""))


def instance_info(data_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((data_dir / "instance.json").read_text())
    except (OSError, ValueError):
        return None


def wait_for_instance(data_dir: Path, launch: Launch, timeout: float = 60.0) -> dict[str, Any]:
    """The instance file once the app is serving (its port known)."""

    def serving() -> dict[str, Any] | None:
        info = instance_info(data_dir)
        return info if info and info.get("port") and info.get("pid") == launch.process.pid else None

    return wait_for(serving, timeout, "the instance to serve", launch)


def log_text(data_dir: Path) -> str:
    path = data_dir / "logs" / "boards.log"
    return path.read_text(errors="replace") if path.exists() else ""
