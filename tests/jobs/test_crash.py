"""The server killed with SIGKILL in the middle of jobs, then started again, finishes every job once.

A real `boards-desktop serve` process, a real socket, a real kill: nothing gets to clean up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.app_harness import TEST_GENERATORS, read_token
from tests.plugins.generators import read_records

pytestmark = pytest.mark.slow

JOBS = 12
CREATE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-slow",
  artifactType: IMAGE, inputParams: {steps: 20, delay: 0.05}}) { id } }"""


class Server:
    def __init__(self, data_dir: Path, database_url: str, log: Path) -> None:
        env = {
            **os.environ,
            **TEST_GENERATORS,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_TEST_GENERATOR_LOG": str(log),
            "BOARDS_CONCURRENCY_TEST": "4",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline().strip()
        assert line.startswith("Boards Desktop is running at "), line
        self.http = httpx.Client(
            base_url=line.rsplit(" ", 1)[1], timeout=10, headers={"Authorization": f"Bearer {read_token(data_dir)}"}
        )

    def data(self, query: str, variables: dict | None = None) -> dict:
        body = self.http.post("/graphql", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body
        return body["data"]

    def statuses(self, board_id: str) -> dict[str, str]:
        data = self.data(
            "query($b: UUID!) { board(id: $b) { generations(limit: 100) { id status } } }", {"b": board_id}
        )
        return {g["id"]: g["status"] for g in data["board"]["generations"]}

    def kill(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


def test_a_killed_server_finishes_every_job_exactly_once_after_a_restart(tmp_path: Path, database_url: str) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "runs.jsonl"
    first = Server(data_dir, database_url, log)
    board = first.data('mutation { createBoard(input: {title: "crash"}) { id } }')["createBoard"]["id"]
    ids = [first.data(CREATE, {"b": board})["createGeneration"]["id"] for _ in range(JOBS)]
    _wait(lambda: sum(s == "COMPLETED" for s in first.statuses(board).values()) >= 2)
    before = first.statuses(board)
    first.kill()
    killed_at = time.time()
    interrupted = {i for i in ids if before[i] != "COMPLETED"}
    assert any(before[i] == "PROCESSING" for i in ids) and interrupted, before

    second = Server(data_dir, database_url, log)
    try:
        _wait(lambda: set(second.statuses(board).values()) == {"COMPLETED"}, timeout=60)
        final = second.statuses(board)
    finally:
        second.stop()
    assert sorted(final) == sorted(ids)  # none lost, none duplicated
    runs = read_records(log)
    for generation_id in ids:
        after = [r["event"] for r in runs if r["generation_id"] == generation_id and r["at"] > killed_at]
        done_before = [
            r for r in runs if r["generation_id"] == generation_id and r["at"] < killed_at and r["event"] == "done"
        ]
        if generation_id in interrupted and not done_before:
            assert after == ["start", "done"], (generation_id, after)  # run once more, to the end
        elif generation_id not in interrupted:
            assert after == [], (generation_id, after)  # completed before the kill: never run again


def _wait(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
