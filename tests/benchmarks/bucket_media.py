"""Media in a bucket against media in the local folder: jobs in flight, and a teammate's round trip.

1. In flight: N OpenAI jobs (the fake answers each after `--latency` seconds) on one app, run by
   `boards-desktop serve` as for an artist, once with media in the media folder and once in a bucket
   of an S3 server on loopback (moto's; a real bucket across the internet adds its latency to each
   upload). Printed for each: the wall time from the first submission to the last completion, the
   first and half-way completions, failures and the app's peak memory.
2. Round trip: two apps (A and B, each with its own data folder) on one PostgreSQL database and one
   bucket. A runs the jobs (B's app runs none of the test provider); for each job, the time from its
   completion event on A's board stream to its thumbnail read on B (B's completion event, then a
   GET of the thumbnail URL in it). The jobs run one at a time; median and worst are printed.

Run: `python -m tests.benchmarks.bucket_media [--jobs 200] [--latency 3] [--round-trips 20]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.app_harness import TEST_GENERATORS, read_token
from tests.benchmarks.remote_in_flight import measure, scenario_of
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir
from tests.s3_server import ThrowawayS3

QUEUE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-fast",
  artifactType: IMAGE, inputParams: {}}) { id } }"""


async def in_flight(s3: ThrowawayS3, jobs: int, latency: float) -> None:
    for where in ("folder", "bucket"):
        scenario = scenario_of("openai", latency, 0)
        if where == "bucket":
            scenario.environment.update(s3.environment(s3.new_bucket()))
        with tempfile.TemporaryDirectory() as folder:
            figures = await measure(f"sqlite+aiosqlite:///{folder}/boards.db", Path(folder) / "data", jobs, scenario)
        print(
            f"{where:>6}: {jobs} OpenAI jobs (fake latency {latency:g} s), {figures['peak_calls']} in flight at once: "
            f"all done in {figures['wall']:.2f} s (first {figures['first_done']:.2f} s, half {figures['half_done']:.2f} s), "
            f"{figures['failed']} failed; app peak memory {figures['peak_mib']:.0f} MiB"
        )


@asynccontextmanager
async def serve(data_dir: Path, database_url: str, **extra: str) -> AsyncIterator[httpx.AsyncClient]:
    env = {
        **os.environ,
        **TEST_GENERATORS,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        "BOARDS_LOG_LEVEL": "WARNING",
        **extra,
    }
    app = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "boards_desktop", "serve", "--port", "0", env=env, stdout=subprocess.PIPE
    )
    try:
        assert app.stdout is not None
        url = (await app.stdout.readline()).decode().strip().rsplit(" ", 1)[1]
        headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
            yield http
    finally:
        app.terminate()
        await app.wait()


async def data(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
    assert not body.get("errors"), body
    return body["data"]  # type: ignore[no-any-return]


async def completions(http: httpx.AsyncClient, board: str, into: asyncio.Queue, ready: asyncio.Event) -> None:
    """Each completion event of the board's stream: (its time, the generation id, its thumbnail URL)."""
    async with http.stream("GET", f"/api/sse/boards/{board}", timeout=None) as stream:
        ready.set()
        async for line in stream.aiter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("status") == "completed":
                    await into.put((time.perf_counter(), event["job_id"], event.get("thumbnail_url")))


async def round_trips(s3: ThrowawayS3, count: int) -> None:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("round trip: PostgreSQL is not installed, skipped")
        return
    postgres = ThrowawayPostgres(bin_dir)
    postgres.start()
    try:
        url = await create_postgres_database(postgres.admin_url)
        storage = s3.environment(s3.new_bucket())
        with tempfile.TemporaryDirectory() as folder:
            async with (
                serve(Path(folder) / "a", url, **storage) as a,
                serve(Path(folder) / "b", url, BOARDS_CONCURRENCY_TEST="0", **storage) as b,
            ):
                board = (await data(a, 'mutation { createBoard(input: {title: "trip"}) { id } }'))["createBoard"]["id"]
                b_id = (await data(b, "{ me { id } }"))["me"]["id"]
                await data(
                    a,
                    "mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u}) { id } }",
                    {"b": board, "u": b_id},
                )
                on_a: asyncio.Queue = asyncio.Queue()
                on_b: asyncio.Queue = asyncio.Queue()
                ready_a, ready_b = asyncio.Event(), asyncio.Event()
                watchers = [
                    asyncio.create_task(completions(a, board, on_a, ready_a)),
                    asyncio.create_task(completions(b, board, on_b, ready_b)),
                ]
                await ready_a.wait()
                await ready_b.wait()
                trips: list[float] = []
                for _ in range(count):
                    generation = (await data(a, QUEUE, {"b": board}))["createGeneration"]["id"]
                    done_on_a, id_a, _thumb = await asyncio.wait_for(on_a.get(), 60)
                    _seen_on_b, id_b, thumbnail = await asyncio.wait_for(on_b.get(), 60)
                    assert id_a == id_b == generation, (id_a, id_b, generation)
                    response = await b.get(thumbnail)
                    assert response.status_code == 200 and response.content[8:12] == b"WEBP", response.status_code
                    trips.append(time.perf_counter() - done_on_a)
                for watcher in watchers:
                    watcher.cancel()
        trips_ms = sorted(trip * 1000 for trip in trips)
        print(
            f"round trip, completed on A to thumbnail read on B (PostgreSQL, one bucket), {count} jobs: "
            f"median {statistics.median(trips_ms):.0f} ms, worst {trips_ms[-1]:.0f} ms"
        )
    finally:
        postgres.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--round-trips", type=int, default=20)
    args = parser.parse_args()
    s3 = ThrowawayS3()
    s3.start()
    try:
        await in_flight(s3, args.jobs, args.latency)
        await round_trips(s3, args.round_trips)
    finally:
        s3.stop()


if __name__ == "__main__":
    asyncio.run(main())
