"""A throwaway PostgreSQL server on loopback for the test session.

`BOARDS_TEST_POSTGRES_URL` (an admin URL such as postgresql://postgres@127.0.0.1:5432/postgres)
points the tests at a server someone else started. Otherwise, where PostgreSQL's binaries are
installed, one is created in a temporary folder, listening on 127.0.0.1 on a free port, and
removed at the end. Each test then gets a database of its own on it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates + [os.path.dirname(shutil.which("initdb") or "")]:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayPostgres:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="boards-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        # initdb and pg_ctl refuse to run as root: run them as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def admin_url(self) -> str:
        user = "postgres" if self.as_user else os.environ.get("USER", "postgres")
        return f"postgresql://{user}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if self.as_user:
            shutil.chown(self.root, "postgres")
        subprocess.run(
            [*self.as_user, str(self.bin_dir / "initdb"), "-D", str(self.data), "-A", "trust",
             "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True,
        )
        subprocess.run(
            [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
             "-w", "-t", "30", "-o",
             f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off -c synchronous_commit=off "
             f"-c full_page_writes=off -c max_connections=200 -k {self.root}", "start"],
            check=True, capture_output=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("PostgreSQL did not start; see " + str(self.root / "log"))

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)
