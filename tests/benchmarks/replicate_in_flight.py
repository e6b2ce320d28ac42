"""Replicate predictions in flight at once: N FLUX schnell generations against the Replicate fake.

The app runs as it does for an artist (`boards-desktop serve` in a process of its own) with
`BOARDS_CONCURRENCY_REPLICATE=N`; the fake runs in this process on 127.0.0.1 with its clock running:
every prediction boots for `--boot` seconds and runs for `--run` seconds (tqdm lines in its logs),
so the app holds N creates (`Prefer: wait=5`), then polls N predictions with backoff, then downloads
N images. Printed: the most requests the fake held at once, how many polls it answered, the wall
time from the first submission to the last completion (ideal: boot + run plus the app's own work),
and the app's peak memory (VmHWM).

Run: `python -m tests.benchmarks.replicate_in_flight [--jobs 200] [--boot 2] [--run 8] [--sqlite-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.app_harness import read_token
from tests.benchmarks.remote_in_flight import CREATE_MANY, Counting
from tests.fakes.harness import FakeClock, serve_fake
from tests.fakes.replicate import FakeReplicate


async def measure(database_url: str, data_dir: Path, jobs: int, boot: float, run: float) -> dict[str, float]:
    fake = FakeReplicate(clock=FakeClock(running=True), boot_seconds=boot, run_seconds=run)
    counting = Counting(fake.app)
    async with serve_fake(counting, clock=fake.clock) as server:
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            "BOARDS_REPLICATE_BASE_URL": f"{server.url}/v1",
            "BOARDS_CONCURRENCY_REPLICATE": str(jobs),
            "REPLICATE_API_TOKEN": fake.token,
        }
        app = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "boards_desktop", "serve", "--port", "0", env=env, stdout=subprocess.PIPE
        )
        try:
            url = (await app.stdout.readline()).decode().strip().rsplit(" ", 1)[1]
            headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http:

                async def data(query: str, variables: dict | None = None) -> dict:
                    body = (await http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
                    assert not body.get("errors"), body
                    return body["data"]

                board = (await data('mutation { createBoard(input: {title: "bench"}) { id } }'))["createBoard"]["id"]
                finished: dict[str, str] = {}
                listening = asyncio.Event()

                async def watch() -> None:
                    async with http.stream("GET", f"/api/sse/boards/{board}") as stream:
                        listening.set()
                        async for line in stream.aiter_lines():
                            if line.startswith("data:"):
                                event = json.loads(line[5:])
                                if event["status"] in ("completed", "failed", "cancelled"):
                                    finished[event["job_id"]] = event["status"]
                                    if len(finished) >= jobs:
                                        return

                watcher = asyncio.create_task(watch())
                await listening.wait()
                item = {"boardId": board, "generatorName": "replicate-flux-schnell", "artifactType": "IMAGE",
                        "inputParams": {"prompt": "a kite", "megapixels": "0.25"}}  # fmt: skip
                started = time.perf_counter()
                for offset in range(0, jobs, 100):
                    await data(CREATE_MANY, {"i": [item] * min(100, jobs - offset)})
                await asyncio.wait_for(watcher, 600)
                wall = time.perf_counter() - started
            status = Path(f"/proc/{app.pid}/status")
            peak_kib = next(
                (int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM")), 0
            )
        finally:
            app.terminate()
            await app.wait()
    return {
        "wall": wall,
        "peak_calls": counting.peak,
        "polls": len(server.requests_to("GET", "/v1/predictions/*")),
        "created": len(fake.created),
        "peak_mib": peak_kib / 1024,
        "failed": sum(1 for status in finished.values() if status != "completed"),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--boot", type=float, default=2.0)
    parser.add_argument("--run", type=float, default=8.0)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
    for engine in engines:
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder) / "data"
            if engine == "sqlite":
                figures = await measure(
                    f"sqlite+aiosqlite:///{folder}/boards.db", data_dir, args.jobs, args.boot, args.run
                )
            else:
                from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

                bin_dir = find_bin_dir()
                if bin_dir is None:
                    print("postgresql: not installed, skipped")
                    continue
                server = ThrowawayPostgres(bin_dir)
                server.start()
                try:
                    url = await create_postgres_database(server.admin_url)
                    figures = await measure(url, data_dir, args.jobs, args.boot, args.run)
                finally:
                    server.stop()
        print(
            f"{engine}: {args.jobs} Replicate predictions, each {args.boot:g} s booting + {args.run:g} s running: "
            f"{figures['created']} created, {figures['peak_calls']} requests held at once, {figures['polls']} polls, "
            f"all done in {figures['wall']:.2f} s ({figures['failed']} failed); app peak memory "
            f"{figures['peak_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    asyncio.run(main())
