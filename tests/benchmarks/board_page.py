"""The board page over real HTTP: p50 latency, requests per second and the server's CPU per request.

Run: .venv/bin/python -m tests.benchmarks.board_page [--generations 100000] [--runs 400] [--seconds 8]

Seeds a library (by default design.md's: 100,000 generations over 200 boards) on SQLite, starts
`boards-desktop serve` on it as a separate process (the job queue paused, so that only requests use
its CPU), and sends the board page's query (a board, its owner and 50 generations) over keep-alive
HTTP/1.1 connections: one client one request after another, then 8 and then 32 concurrent clients.
The seeded pending jobs are cancelled first (see `main`). The server's CPU is read from /proc (user + system time of the whole process, every thread) before
and after each phase, so it is the server's own cost per request, not the client's. The client is a
minimal HTTP/1.1 writer/reader on asyncio streams so that it takes as little of the shared CPU as
possible. Budget (design.md): at most 3 ms of server CPU per board page; 8 and 32 clients at 10x
upstream's 21-30 and 12-27 requests per second. Then it waits 10 s and prints the server's resident
memory (budget: under 150 MB once idle again after 32 clients). Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.app_harness import read_token, running_app
from tests.benchmarks.queries import BOARD_PAGE
from tests.benchmarks.seed import seed_library

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and all its threads so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Connection:
    """One keep-alive HTTP/1.1 connection that sends the same request again and again."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
        self.reader, self.writer, self.request = reader, writer, request

    @classmethod
    async def open(cls, port: int, request: bytes) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, request)

    async def send(self) -> bytes:
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = head.split(b" ", 2)[1]
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        )
        body = await self.reader.readexactly(length)
        if status != b"200":
            raise RuntimeError(f"HTTP {status.decode()}: {body[:300]!r}")
        return body

    def close(self) -> None:
        self.writer.close()


def board_request(port: int, token: str, board_id: str) -> bytes:
    body = json.dumps({"query": BOARD_PAGE, "variables": {"id": board_id}}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def sequential(pid: int, port: int, request: bytes, runs: int) -> None:
    connection = await Connection.open(port, request)
    answer = json.loads(await connection.send())
    assert not answer.get("errors") and len(answer["data"]["board"]["generations"]) == 50, answer
    for _ in range(20):
        await connection.send()
    times = []
    cpu_before = cpu_seconds(pid)
    for _ in range(runs):
        started = time.perf_counter()
        await connection.send()
        times.append(time.perf_counter() - started)
    cpu = cpu_seconds(pid) - cpu_before
    connection.close()
    ordered = sorted(times)
    print(
        f"1 client, {runs} requests one after another: p50 {statistics.median(times) * 1000:.2f} ms, "
        f"p95 {ordered[int(runs * 0.95) - 1] * 1000:.2f} ms, {runs / sum(times):.0f} req/s, "
        f"server CPU {cpu / runs * 1000:.2f} ms per request"
    )


async def concurrent(pid: int, port: int, request: bytes, clients: int, seconds: float) -> None:
    connections = [await Connection.open(port, request) for _ in range(clients)]
    await asyncio.gather(*(c.send() for c in connections))
    done = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def client(connection: Connection) -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await connection.send()
            latencies.append(time.perf_counter() - started)
            done += 1

    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    for connection in connections:
        connection.close()
    print(
        f"{clients} clients for {seconds:.0f} s: {done / elapsed:.0f} req/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"server CPU {cpu / done * 1000:.2f} ms per request"
    )


async def seed(workdir: Path, generations: int) -> tuple[str, Path]:
    url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    data_dir = workdir / "data"
    async with running_app(url, data_dir, BOARDS_CONCURRENCY_LOCAL="0") as client:
        ids = await seed_library(client.services.database, client.services.actor, generations=generations)
    return url, Path(data_dir), str(ids["board_id"])  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--keep", type=Path, help="seed into (or reuse) this folder and keep it")
    args = parser.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="boards-board-page-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        marker = workdir / "board-id"
        if marker.exists():
            url, data_dir, board_id = (
                f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                workdir / "data",
                marker.read_text(),
            )
        else:
            started = time.perf_counter()
            url, data_dir, board_id = asyncio.run(seed(workdir, args.generations))
            marker.write_text(board_id)
            print(f"seeded {args.generations:,} generations over 200 boards in {time.perf_counter() - started:.0f} s")
        # The seeded library has pending jobs of generators this app does not have; the queue would
        # look at them on every poll, and its CPU would be counted as the requests'. They end here.
        with sqlite3.connect(workdir / "bench.db") as db:
            db.execute("UPDATE generations SET status = 'cancelled' WHERE status IN ('pending', 'processing')")
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            "BOARDS_CONCURRENCY_LOCAL": "0",
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            port = int(server.stdout.readline().strip().rsplit(":", 1)[1])  # type: ignore[union-attr]
            request = board_request(port, read_token(data_dir), board_id)
            time.sleep(2)
            print(f"server idle after start: {rss_mb(server.pid):.0f} MB")
            # What the server spends with no request (its queue's polls): counted in every phase below.
            idle_before = cpu_seconds(server.pid)
            time.sleep(5)
            print(f"server CPU while idle: {(cpu_seconds(server.pid) - idle_before) / 5 * 1000:.1f} ms per second")
            asyncio.run(sequential(server.pid, port, request, args.runs))
            asyncio.run(concurrent(server.pid, port, request, 8, args.seconds))
            asyncio.run(concurrent(server.pid, port, request, 32, args.seconds))
            time.sleep(10)
            print(f"server after 32 clients, then 10 s idle: {rss_mb(server.pid):.0f} MB (budget < 150 MB)")
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
