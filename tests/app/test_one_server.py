"""One server per data folder, whatever starts it: `serve`, the window launcher, `uvicorn --factory`.

Real processes on real sockets: a second server on a data folder refuses in one line naming the
first, never touches its queue (each job runs once), and a lock left by a killed server is taken
over. On a shared PostgreSQL database the lock stays per data folder: two teammates' apps run.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from pathlib import Path

import httpx

from tests.benchmarks.startup import free_port
from tests.plugins.generators import read_records
from tests.postgres_server import create_postgres_database, drop_postgres_database
from tests.serve_process import BOARDS_DESKTOP, Serve, Started, one_line, run, serve_env, wait_for

JOBS = 4
CREATE_BOARD = 'mutation { createBoard(input: {title: "one server"}) { id } }'
QUEUE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-slow",
  artifactType: IMAGE, inputParams: {steps: 30, delay: 0.1}}) { id } }"""
STATUSES = "query($b: UUID!) { board(id: $b) { generations(limit: 100) { id status } } }"
FACTORY = [sys.executable, "-m", "uvicorn", "--factory", "boards_desktop.app:create_app", "--host", "127.0.0.1"]


def _statuses(server: Serve, board: str) -> dict[str, str]:
    return {g["id"]: g["status"] for g in server.data(STATUSES, {"b": board})["board"]["generations"]}


def _instance(data_dir: Path) -> dict:
    return json.loads((data_dir / "instance.json").read_text())


def test_a_second_serve_refuses_naming_the_first_which_runs_each_job_once(tmp_path: Path) -> None:
    data, runs = tmp_path / "data", tmp_path / "runs.jsonl"
    env = serve_env(data, BOARDS_TEST_GENERATOR_LOG=str(runs), BOARDS_CONCURRENCY_TEST=str(JOBS))
    first = Serve(env, tmp_path, "first")
    try:
        board = first.data(CREATE_BOARD)["createBoard"]["id"]
        ids = [first.data(QUEUE, {"b": board})["createGeneration"]["id"] for _ in range(JOBS)]
        wait_for(lambda: len({r["generation_id"] for r in read_records(runs)}) == JOBS, 30, "every job to start")

        # While the first runs them: a second `serve`, then the app under uvicorn, on the same folder.
        second = run([*BOARDS_DESKTOP, "serve", "--port", "0"], env)
        assert second.returncode == 2, second.stderr
        line = one_line(second.stderr)
        assert line.startswith(f"boards-desktop: Boards is already running with the data folder {data} ")
        assert f"at {first.url} (process {first.process.pid})" in line
        assert second.stdout == ""

        factory = run([*FACTORY, "--port", str(free_port())], env)
        assert factory.returncode != 0
        ours = [s for s in factory.stderr.splitlines() if " boards" in s and ("ERROR" in s or "INFO" in s)]
        assert len(ours) == 1 and "cannot start: Boards is already running" in ours[0], factory.stderr
        assert "Traceback" not in factory.stderr

        # The first never noticed: it finishes every job, each run exactly once.
        wait_for(lambda: set(_statuses(first, board).values()) == {"COMPLETED"}, 60, "every job to complete")
        assert first.http.get("/health").status_code == 200
        assert _instance(data)["pid"] == first.process.pid
    finally:
        status = first.stop()
    assert status in (0, -signal.SIGTERM), first.stderr
    events = read_records(runs)
    for generation_id in ids:
        assert [r["event"] for r in events if r["generation_id"] == generation_id] == ["start", "done"]
    assert "taking over" not in first.stderr and "Traceback" not in first.stderr


def test_the_window_launcher_after_serve_hands_over_to_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = serve_env(data)
    first = Serve(env, tmp_path, "first")
    try:
        launch = run(BOARDS_DESKTOP, env)
        assert launch.returncode == 0, launch.stderr
        assert f"Boards is already running at {first.url} (process {first.process.pid})" in launch.stdout
        # No display here: the running server answered with a one-time launch URL of its own, which works.
        launch_url = re.search(r"open (http://\S+/auth/launch\?code=\S+) to use it", launch.stdout).group(1)
        assert httpx.get(launch_url).status_code == 303
        assert _instance(data)["pid"] == first.process.pid
    finally:
        assert first.stop() in (0, -signal.SIGTERM), first.stderr


def test_a_second_app_refuses_while_uvicorn_runs_the_factory_on_the_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = serve_env(data)
    port = free_port()
    factory = Started([*FACTORY, "--port", str(port)], env, tmp_path, "factory")
    try:
        wait_for(lambda: _healthy(f"http://127.0.0.1:{port}"), 60, "the factory to answer", factory)
        assert _instance(data)["mode"] == "asgi"
        for command in ([*BOARDS_DESKTOP, "serve", "--port", "0"], BOARDS_DESKTOP):
            refused = run(command, env)
            assert refused.returncode == 2, refused.stderr
            line = one_line(refused.stderr)
            assert f"already running with the data folder {data} under another ASGI server" in line
            assert f"(process {factory.process.pid})" in line
        assert _healthy(f"http://127.0.0.1:{port}")
    finally:
        factory.stop()


def test_a_lock_left_by_a_killed_serve_is_taken_over(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = serve_env(data)
    crashed = Serve(env, tmp_path, "crashed")
    old_pid = crashed.process.pid
    crashed.stop(signal.SIGKILL)
    assert _instance(data)["pid"] == old_pid  # a killed process leaves its file behind

    again = Serve(env, tmp_path, "again")
    try:
        assert _instance(data)["pid"] == again.process.pid
        assert again.http.get("/health").status_code == 200
    finally:
        assert again.stop() in (0, -signal.SIGTERM), again.stderr


def test_on_one_postgresql_database_the_lock_is_per_data_folder(tmp_path: Path, postgres_admin_url: str) -> None:
    url = asyncio.run(create_postgres_database(postgres_admin_url))
    try:
        alice = Serve(serve_env(tmp_path / "alice", url), tmp_path, "alice")
        try:
            bob = Serve(serve_env(tmp_path / "bob", url), tmp_path, "bob")  # a teammate: starts and serves
            try:
                board = alice.data(CREATE_BOARD)["createBoard"]["id"]
                assert bob.http.get("/health").status_code == 200 and alice.url != bob.url
                refused = run([*BOARDS_DESKTOP, "serve", "--port", "0"], serve_env(tmp_path / "alice", url))
                assert refused.returncode == 2 and f"at {alice.url}" in one_line(refused.stderr)
                assert board in json.dumps(alice.data("{ myBoards { id } }"))
            finally:
                bob.stop()
        finally:
            alice.stop()
    finally:
        asyncio.run(drop_postgres_database(postgres_admin_url, url))


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
