"""Idle memory of the whole app (server, queue, workers; no window): budget 150 MB.

Starts `boards-desktop serve` on a fresh data folder, waits for it to settle, and prints its
resident memory; then runs 200 `local-title-card` jobs and prints it again once idle; then 32
clients read the board page (its 50 newest generations) over keep-alive connections for 10 s, and
it prints the memory 10 s after they stopped (budget: under 150 MB on SQLite). Linux only (reads
/proc). Run: `python -m tests.benchmarks.idle_memory`. tests/benchmarks/board_page.py measures the
same on a library of 100,000 generations.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.app_harness import read_token
from tests.benchmarks.board_page import board_request, concurrent

CREATE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "local-title-card",
  artifactType: IMAGE, inputParams: {prompt: "Memory", width: 512, height: 512}}) { id } }"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            url = server.stdout.readline().strip().rsplit(" ", 1)[1]
            time.sleep(3)
            print(f"idle after start: {rss_mb(server.pid):.0f} MB")
            headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
            with httpx.Client(base_url=url, headers=headers, timeout=60) as http:

                def data(query: str, variables: dict | None = None) -> dict:
                    return http.post("/graphql", json={"query": query, "variables": variables or {}}).json()["data"]

                board = data('mutation { createBoard(input: {title: "m"}) { id } }')["createBoard"]["id"]
                for _ in range(200):
                    data(CREATE, {"b": board})
                query = "query($b: UUID!) { recentGenerations(boardId: $b, status: COMPLETED, limit: 500) { id } }"
                while len(data(query, {"b": board})["recentGenerations"]) < 200:
                    time.sleep(0.2)
            time.sleep(3)
            print(f"idle after 200 jobs: {rss_mb(server.pid):.0f} MB")
            port = int(url.rsplit(":", 1)[1])
            request = board_request(port, read_token(data_dir), board)
            asyncio.run(concurrent(server.pid, port, request, 32, 10))
            time.sleep(10)
            print(f"after 32 clients on the board page, then 10 s idle: {rss_mb(server.pid):.0f} MB (budget < 150 MB)")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
