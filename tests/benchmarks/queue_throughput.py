"""Queue throughput: 1,000 jobs of a fast built-in generator, submitted through GraphQL, run to the end.

The app runs as it does for an artist: `boards-desktop serve` in a process of its own. A client in
this process submits `local-title-card` jobs over HTTP (fifty requests in flight) and counts the
completions on the board's SSE stream. Printed: the wall time from the first submission to the last
completion and the rate in jobs per second (budget 300/s; upstream 71/s), on SQLite and, when the
PostgreSQL binaries are installed, on a throwaway PostgreSQL. Also printed: the CPU time the server
process used per job over the same span (Linux), which a busy machine inflates far less than the
wall time: its inverse is the rate one core could sustain.

`--lean-client` submits and listens through `lean_http` instead of httpx: on two cores httpx spent
about as much CPU per job as the server, so that the rate measured the client as much as the app.

`--batch N` submits N jobs per request through `createGenerations` instead. `--generator test-fast`
runs the test plugins' near no-op generator instead (it stores a 1x1 PNG: the queue's own cost,
with no drawing), loaded as an artist's own generators are.

Run: `python -m tests.benchmarks.queue_throughput [--jobs N] [--batch N] [--sqlite-only] [--local-concurrency N]
[--generator local-title-card|test-fast] [--lean-client]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.app_harness import read_token
from tests.benchmarks.idle_cpu import cpu_seconds
from tests.benchmarks.lean_http import LeanClient

CREATE = "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }"
CREATE_MANY = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }"
COMPLETED = "query($b: UUID!) { board(id: $b) { generationTotal(filter: {statuses: [COMPLETED]}) } }"
PARAMS = {
    "local-title-card": {"prompt": "Hi", "width": 128, "height": 128, "padding": 8},
    "test-fast": {"prompt": "Hi"},
}


async def measure(
    database_url: str,
    data_dir: Path,
    jobs: int,
    environment: dict[str, str],
    batch: int = 1,
    generator: str = "local-title-card",
    lean: bool = False,
) -> tuple[float, float, float]:
    env = {
        **os.environ,
        **environment,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        "BOARDS_LOG_LEVEL": "WARNING",
    }
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "boards_desktop", "serve", "--port", "0", env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert server.stdout is not None
        url = (await server.stdout.readline()).decode().strip().rsplit(" ", 1)[1]
        headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
        # Idle connections are dropped before the server's keep-alive timeout (uvicorn's 5 s) ends them:
        # reusing one the server is closing fails the request with a ReadError, which is no result.
        limits = httpx.Limits(max_connections=60, keepalive_expiry=2.0)
        async with (
            httpx.AsyncClient(base_url=url, headers=headers, timeout=120, limits=limits) as http,
            LeanClient(url, read_token(data_dir), 50 if lean else 0) as lean_http,
        ):

            async def data(query: str, variables: dict | None = None) -> dict:
                sent = {"query": query, "variables": variables or {}}
                body = (
                    await lean_http.post_json("/graphql", sent)
                    if lean
                    else (await http.post("/graphql", json=sent)).json()
                )
                assert not body.get("errors"), body
                return body["data"]

            board = (await data('mutation { createBoard(input: {title: "bench"}) { id } }'))["createBoard"]["id"]
            done: set[str] = set()
            listening = asyncio.Event()

            def heard(event: dict) -> bool:
                assert event["status"] != "failed", event
                if event["status"] == "completed":
                    done.add(event["job_id"])
                return len(done) == jobs

            async def watch() -> None:
                if lean:
                    async with lean_http.events(f"/api/sse/boards/{board}") as events:
                        listening.set()
                        async for event in events:
                            if heard(event):
                                return
                    return
                async with http.stream("GET", f"/api/sse/boards/{board}") as stream:
                    listening.set()
                    async for line in stream.aiter_lines():
                        if line.startswith("data:") and heard(json.loads(line[5:])):
                            return

            watcher = asyncio.create_task(watch())
            await listening.wait()
            item = {
                "boardId": board,
                "generatorName": generator,
                "artifactType": "IMAGE",
                "inputParams": PARAMS[generator],
            }
            started, cpu_before = time.perf_counter(), cpu_seconds(server.pid)
            if batch == 1:  # one createGeneration per job, fifty requests in flight
                for start in range(0, jobs, 50):
                    await asyncio.gather(*(data(CREATE, {"i": item}) for _ in range(start, min(start + 50, jobs))))
            else:  # createGenerations with `batch` jobs each, five requests in flight
                sizes = [min(batch, jobs - start) for start in range(0, jobs, batch)]
                for start in range(0, len(sizes), 5):
                    await asyncio.gather(
                        *(data(CREATE_MANY, {"i": [item] * size}) for size in sizes[start : start + 5])
                    )
            submitted = time.perf_counter() - started
            # Waiting for the stream: a stream that hears no completion for a minute while the database
            # has them all has missed some (the bug this benchmark once showed); say so instead of hanging.
            so_far = -1
            while not watcher.done():
                if len(done) == so_far:
                    total = await data(COMPLETED, {"b": board})
                    finished = total["board"]["generationTotal"]
                    if finished == jobs:
                        watcher.cancel()
                        raise RuntimeError(f"the board stream missed completions: {len(done)} of {jobs} reached it")
                so_far = len(done)
                await asyncio.wait({watcher}, timeout=60)
            await watcher
            return time.perf_counter() - started, submitted, cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=30)


def _report(engine: str, jobs: int, elapsed: float, submitted: float, cpu: float) -> None:
    print(
        f"{engine}: {jobs} jobs in {elapsed:.2f} s = {jobs / elapsed:.0f} jobs/s (submitting took {submitted:.2f} s); "
        f"server CPU {cpu * 1000 / jobs:.2f} ms per job",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--local-concurrency", help="BOARDS_CONCURRENCY_LOCAL (default: the app's)")
    parser.add_argument(
        "--batch", type=int, default=1, help="jobs per request (createGenerations); 1: createGeneration"
    )
    parser.add_argument("--generator", choices=sorted(PARAMS), default="local-title-card")
    parser.add_argument("--lean-client", action="store_true", help="a client of a few lines instead of httpx")
    args = parser.parse_args()
    environment = {"BOARDS_CONCURRENCY_LOCAL": args.local_concurrency} if args.local_concurrency else {}
    if args.generator == "test-fast":
        environment["BOARDS_GENERATOR_MODULES"] = "tests.plugins.generators"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite+aiosqlite:///{root / 'sqlite' / 'boards.db'}"
        _report(
            "SQLite",
            args.jobs,
            *asyncio.run(
                measure(url, root / "sqlite", args.jobs, environment, args.batch, args.generator, args.lean_client)
            ),
        )
        if args.sqlite_only:
            return
        from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("PostgreSQL: not measured (no PostgreSQL binaries)")
            return
        server = ThrowawayPostgres(bin_dir)
        server.start()
        try:
            database_url = asyncio.run(create_postgres_database(server.admin_url))
            _report(
                "PostgreSQL",
                args.jobs,
                *asyncio.run(
                    measure(
                        database_url,
                        root / "postgres",
                        args.jobs,
                        environment,
                        args.batch,
                        args.generator,
                        args.lean_client,
                    )
                ),
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
