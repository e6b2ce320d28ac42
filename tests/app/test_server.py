"""The server as an artist's machine runs it: a real process, real sockets, real signals."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_runner import upgrade
from tests.app_harness import read_token
from tests.benchmarks.startup import free_port
from tests.db.support import LINEAGE, SCHEMAS


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "BOARDS_DATA_DIR": str(data_dir), "BOARDS_CONFIG_FILE": str(data_dir / "none.toml")}
    env.pop("BOARDS_DATABASE_URL", None)
    return env


def _get_json(url: str, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def test_serve_on_a_fresh_data_dir_prints_its_url_answers_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    process = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("Boards Desktop is running at http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[1]
        assert _get_json(f"{url}/health", time.monotonic() + 10) == {"status": "healthy", "version": "0.1.0"}
        assert (data_dir / "boards.db").is_file() and (data_dir / "media").is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal so the exit status tells why.
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
        assert "Traceback" not in process.stderr.read()


def test_serve_refuses_a_port_in_use_with_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "boards_desktop", "serve", "--port", str(port)],
            env=_env(tmp_path / "d"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "choose another --port" in result.stderr


def test_the_asgi_factory_starts_under_uvicorn(tmp_path: Path) -> None:
    port = free_port()
    data_dir = tmp_path / "factory"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "boards_desktop.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert _get_json(f"http://127.0.0.1:{port}/health", time.monotonic() + 20)["status"] == "healthy"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=json.dumps({"query": "{ __schema { queryType { name } } }"}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {read_token(data_dir)}"},
        )
        # A guard against a hang only: the first GraphQL request waits for the routes and the
        # engine, imported beside the server once /health answers (seconds on a busy machine).
        with urllib.request.urlopen(request, timeout=60) as response:
            assert json.loads(response.read())["data"]["__schema"]["queryType"]["name"] == "Query"
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_asgi_factory_refuses_an_edited_applied_file_with_one_logged_line(tmp_path: Path) -> None:
    data_dir, schemas = tmp_path / "data", tmp_path / "schemas"
    data_dir.mkdir()
    shutil.copytree(SCHEMAS, schemas)
    asyncio.run(_upgrade(f"sqlite+aiosqlite:///{data_dir / 'boards.db'}", schemas))
    edited = schemas / LINEAGE
    edited.write_text(edited.read_text() + "\n-- an innocent-looking edit\n")

    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "boards_desktop.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**_env(data_dir), "BOARDS_SCHEMAS_DIR": str(schemas)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0, result.stderr
    ours = [line for line in result.stderr.splitlines() if " boards: " in line]
    assert len(ours) == 1, result.stderr
    assert "ERROR boards: cannot start: " in ours[0]
    assert LINEAGE in ours[0] and "changed after they were applied" in ours[0] and "restore" in ours[0]


async def _upgrade(url: str, schemas: Path) -> None:
    database = Database(url)
    try:
        await upgrade(database, schemas)
    finally:
        await database.dispose()


def test_graphql_schema_command_prints_the_sdl() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "boards_desktop", "graphql-schema"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "type Query {" in result.stdout


def test_the_listening_socket_is_tcp_so_replies_are_not_held_back_by_nagle() -> None:
    # The event loop sets TCP_NODELAY only on accepted sockets whose protocol is TCP; a socket made
    # with protocol 0 left every kept-alive request waiting 40 ms for a delayed ACK.
    from boards_desktop.server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
