"""CPU used by an idle app, nothing queued: budget 0.01 CPU-second per 10 s (design.md).

Each server runs in a process of its own; after it answers and settles, the benchmark reads the
process's user and system time from /proc/<pid>/stat at the start and the end of a quiet window
and prints the difference per 10 s. Measured in the same run:

- baseline: a bare Litestar app (one route) under uvicorn, as `uvicorn.run` starts it;
- `boards-desktop serve` on SQLite, nobody connected;
- the same with what an open window holds: the queue's and a board's event streams;
- `boards-desktop serve` on a throwaway PostgreSQL (when its binaries are installed), both ways.

Linux only (reads /proc). Run: `python -m tests.benchmarks.idle_cpu [--seconds 60] [--sqlite-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from tests.app_harness import read_token

SETTLE_SECONDS = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

BARE_APP = """
import sys, socket
import uvicorn
from litestar import Litestar, get

@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
sock.bind(("127.0.0.1", 0))
print(f"running at http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
config = uvicorn.Config(Litestar([health]), log_level="warning", access_log=False)
uvicorn.Server(config).run(sockets=[sock])
"""


def cpu_seconds(pid: int) -> float:
    """User plus system time of the process (all its threads) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14 and 15 of the file


async def idle_cpu(
    command: list[str], env: dict[str, str], seconds: float, hold: Callable[[str], Awaitable[None]] | None = None
) -> float:
    """CPU-seconds per 10 s used by the server `command` while idle (while `hold(url)` runs, if given)."""
    server = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.PIPE)
    holding: asyncio.Task[None] | None = None
    try:
        assert server.stdout is not None
        url = (await server.stdout.readline()).decode().strip().rsplit(" ", 1)[1]
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for _ in range(500):  # the bare app says its URL before it listens
                try:
                    (await http.get("/health")).raise_for_status()
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.02)
        if hold is not None:
            holding = asyncio.create_task(hold(url))
        await asyncio.sleep(SETTLE_SECONDS)
        before, started = cpu_seconds(server.pid), time.monotonic()
        await asyncio.sleep(seconds)
        used, elapsed = cpu_seconds(server.pid) - before, time.monotonic() - started
        if holding is not None and holding.done():
            holding.result()  # a stream that ended early: say why instead of printing a figure
            raise RuntimeError("the event streams ended during the measurement")
        return used / elapsed * 10
    finally:
        if holding is not None:
            holding.cancel()
            await asyncio.gather(holding, return_exceptions=True)
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=30)


def window_streams(data_dir: Path) -> Callable[[str], Awaitable[None]]:
    """What an open window keeps: the queue's event stream and a board's, read until cancelled."""

    async def hold(url: str) -> None:
        headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=None) as http:
            answer = await http.post(
                "/graphql", json={"query": 'mutation { createBoard(input: {title: "idle"}) { id } }'}
            )
            board = answer.json()["data"]["createBoard"]["id"]

            async def read(path: str) -> None:
                async with http.stream("GET", path) as stream:
                    stream.raise_for_status()
                    async for _line in stream.aiter_lines():
                        pass

            await asyncio.gather(read("/api/sse/queue"), read(f"/api/sse/boards/{board}"))

    return hold


async def measure_app(label: str, database_url: str, data_dir: Path, seconds: float) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        "BOARDS_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"]
    alone = await idle_cpu(command, env, seconds)
    print(f"{label}, nobody connected: {alone:.4f} CPU-s per 10 s", flush=True)
    streams = await idle_cpu(command, env, seconds, window_streams(data_dir))
    print(f"{label}, a window's two event streams open: {streams:.4f} CPU-s per 10 s", flush=True)


async def run(seconds: float, sqlite_only: bool) -> None:
    bare = await idle_cpu([sys.executable, "-c", BARE_APP], dict(os.environ), seconds)
    print(f"baseline, bare Litestar app under uvicorn: {bare:.4f} CPU-s per 10 s", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        await measure_app("SQLite", f"sqlite+aiosqlite:///{root / 'sqlite' / 'boards.db'}", root / "sqlite", seconds)
        if sqlite_only:
            return
        from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("PostgreSQL: not measured (no PostgreSQL binaries)")
            return
        server = ThrowawayPostgres(bin_dir)
        server.start()
        try:
            database_url = await create_postgres_database(server.admin_url)
            await measure_app("PostgreSQL", database_url, root / "postgres", seconds)
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each quiet window")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(f"CPU used over {args.seconds:g} s idle (budget: 0.01 CPU-s per 10 s)", flush=True)
    asyncio.run(run(args.seconds, args.sqlite_only))


if __name__ == "__main__":
    main()
