"""The real app as an artist starts it: `boards-desktop serve` in a subprocess, killed or stopped at will.

Shared by the drills (`tests/reliability/`) and the mixed-load benchmark. Each process gets the
settings of one installation in its environment; its stderr goes to a file of the test, so that a
traceback printed by a server that was later killed is still there to be found.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.app_harness import read_token

REPO = Path(__file__).resolve().parents[2]
# The drills' own generator beside the suite's test generators (tests/plugins/generators.py).
DRILL_GENERATORS = "tests.plugins.generators,tests.reliability.drill_generators"
_READY = "Boards Desktop is running at "


def installation_environment(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess of one installation, with no BOARDS_* setting of the caller's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOARDS_")}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_GENERATOR_MODULES": DRILL_GENERATORS,
            "BOARDS_CONCURRENCY_HELD": "0",
            **extra,
        }
    )
    return env


class ServeProcess:
    """One `boards-desktop serve --port 0`; `url` and `token` once it said it is running."""

    def __init__(self, env: Mapping[str, str], stderr_path: Path, *, timeout: float = 60) -> None:
        self.stderr_path = stderr_path
        with stderr_path.open("a") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"],
                cwd=REPO,
                env=dict(env),
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith(_READY):
            self.process.kill()
            self.process.wait(timeout)
            raise AssertionError(f"serve did not start: {line!r}; stderr:\n{stderr_path.read_text()[-4000:]}")
        self.url = line.rsplit(" ", 1)[1]
        self.token = read_token(Path(env["BOARDS_DATA_DIR"]))
        self.headers = {"Authorization": f"Bearer {self.token}"}

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self, timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers, timeout=timeout)

    def async_client(self, timeout: float = 30, **options: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.url, headers=self.headers, timeout=timeout, **options)  # type: ignore[arg-type]

    def kill(self) -> None:
        """SIGKILL: nothing gets to clean up. Returns once the process is gone."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self, timeout: float = 60) -> bool:
        """SIGTERM, as a service manager stops it; whether it ended as a stop should.

        uvicorn shuts down gracefully, then raises the signal it caught again, so a clean stop ends
        with status 0 or "terminated by SIGTERM".
        """
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout) in (0, -signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)
            raise AssertionError(f"serve did not stop within {timeout} s of SIGTERM") from None


def graphql(client: httpx.Client, query: str, variables: Mapping[str, object] | None = None) -> dict[str, Any]:
    """The `data` of an operation that must succeed."""
    response = client.post("/graphql", json={"query": query, "variables": dict(variables or {})})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


def run_cli(env: Mapping[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`boards-desktop <args>` of the installation, to the end."""
    return subprocess.run(
        [sys.executable, "-m", "boards_desktop", *args],
        cwd=REPO,
        env=dict(env),
        check=False,  # the caller reads the exit status
        capture_output=True,
        text=True,
        timeout=timeout,
    )
