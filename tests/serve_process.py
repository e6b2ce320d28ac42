"""`boards-desktop serve` (and the other ways to start the app) as real processes, for the tests of
start-up, of one server per data folder and of shutdown: environments, the printed URL, the API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.app_harness import app_environment, read_token
from tests.desktop.support import Launch

ROOT = Path(__file__).resolve().parents[1]
BOARDS_DESKTOP = [sys.executable, "-m", "boards_desktop"]
_NOT_A_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def serve_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of one installation in `data_dir` (SQLite inside it unless a URL is given), no display."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_A_DISPLAY and not k.startswith("BOARDS_")}
    env.update(app_environment(database_url or f"sqlite+aiosqlite:///{data_dir / 'boards.db'}", data_dir))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def run(command: list[str], env: dict[str, str], timeout: float = 90.0) -> subprocess.CompletedProcess[str]:
    """A command that is expected to end by itself (a refusal, a `db` command)."""
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


class Started(Launch):
    """One long-running process (`serve`, `uvicorn --factory`), its output kept in files; stopped with a deadline
    that only guards against a hang."""

    def stop(self, sig: int = signal.SIGTERM, deadline: float = 20.0) -> int:
        """Send `sig` and wait; `deadline` only guards against a hang (it is no measure of speed)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.wait(deadline, f"after {signal.Signals(sig).name}")

    def wait(self, deadline: float = 20.0, what: str = "") -> int:
        """The exit status; a process still running after `deadline` seconds is killed and the test fails."""
        try:
            return self.process.wait(deadline)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"still running {deadline} s {what}:\n{self.stderr}") from None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Serve(Started):
    """`boards-desktop serve` on a data folder, with an API client once it prints its URL."""

    def __init__(self, env: dict[str, str], folder: Path, name: str = "serve") -> None:
        super().__init__([*BOARDS_DESKTOP, "serve", "--port", "0"], env, folder, name)
        self.data_dir = Path(env["BOARDS_DATA_DIR"])
        prefix = "Boards Desktop is running at "
        line = wait_for(
            lambda: next((s for s in self.stdout.splitlines() if s.startswith(prefix)), None), 90, "its URL", self
        )
        self.url = line.removeprefix(prefix).strip()
        self.http = httpx.Client(
            base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {read_token(self.data_dir)}"}
        )

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body
        return body["data"]  # type: ignore[no-any-return]

    def stop(self, sig: int = signal.SIGTERM, deadline: float = 20.0) -> int:
        self.http.close()
        return super().stop(sig, deadline)


def wait_for(check: Callable[[], Any], timeout: float, what: str, started: Started | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if started is not None and started.process.poll() is not None:
            value = check()
            if value:
                return value
            raise AssertionError(f"exited ({started.process.returncode}) before {what}:\n{started.stderr}")
        time.sleep(0.05)
    raise AssertionError(
        f"timed out after {timeout} s waiting for {what}" + (f":\n{started.stderr}" if started else "")
    )


def one_line(stderr: str) -> str:
    """The single line a refusal prints on stderr (asserting that there is exactly one, and no traceback)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]
