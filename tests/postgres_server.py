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
import uuid
from pathlib import Path

import asyncpg


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
    """`password`: logins need it (scram-sha-256), for tests of a refused login; otherwise all are trusted."""

    def __init__(self, bin_dir: Path, *, password: str | None = None) -> None:
        self.bin_dir = bin_dir
        self.password = password
        self.root = Path(tempfile.mkdtemp(prefix="boards-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        # initdb and pg_ctl refuse to run as root: run them as the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def admin_url(self) -> str:
        user = "postgres" if self.as_user else os.environ.get("USER", "postgres")
        login = f"{user}:{self.password}" if self.password else user
        return f"postgresql://{login}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if self.as_user:
            shutil.chown(self.root, "postgres")
        auth = ["-A", "trust"]
        if self.password:
            password_file = self.root / "password"
            password_file.write_text(self.password + "\n")
            if self.as_user:
                shutil.chown(password_file, "postgres")
            auth = ["-A", "scram-sha-256", f"--pwfile={password_file}"]
        subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data),
                *auth,
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.root / "log"),
                "-w",
                "-t",
                "30",
                "-o",
                (
                    f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off -c synchronous_commit=off "
                    f"-c full_page_writes=off -c max_connections=200 -k {self.root}"
                ),
                "start",
            ],
            check=True,
            capture_output=True,
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
            check=False,  # best effort: the folder goes next whether or not the server was still running
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_postgres_database(admin_url: str) -> str:
    """A new empty database on the server; returns its SQLAlchemy URL."""
    name = f"boards_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(_asyncpg_url(admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = _asyncpg_url(admin_url).rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"


async def drop_postgres_database(admin_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(_asyncpg_url(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()
