"""Remote jobs in flight at once: N OpenAI generations against the OpenAI fake, all waiting together.

The app runs as it does for an artist (`boards-desktop serve` in a process of its own) with
`BOARDS_CONCURRENCY_OPENAI=N`; the fake runs in this process on 127.0.0.1 and answers each call
after `--latency` seconds (a real image takes tens), so every job is in flight at the same time.
Printed: the most calls the fake held at once, the wall time from the first submission to the last
completion (ideal: the latency plus the app's own work), and the app's peak memory (VmHWM).

Run: `python -m tests.benchmarks.remote_in_flight [--jobs 200] [--latency 3] [--sqlite-only]`.
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
from tests.fakes.harness import serve_fake
from tests.fakes.openai import FakeOpenAI

CREATE_MANY = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }"


class Counting:
    """The fake's app, counting the calls it holds at once."""

    def __init__(self, app) -> None:
        self.app = app
        self.now = 0
        self.peak = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


async def measure(database_url: str, data_dir: Path, jobs: int, latency: float) -> dict[str, float]:
    fake = FakeOpenAI(latency=latency)
    counting = Counting(fake.app)
    async with serve_fake(counting) as server:
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            "BOARDS_OPENAI_BASE_URL": f"{server.url}/v1",
            "BOARDS_CONCURRENCY_OPENAI": str(jobs),
            "OPENAI_API_KEY": fake.api_key,
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
                item = {"boardId": board, "generatorName": "openai-image", "artifactType": "IMAGE",
                        "inputParams": {"prompt": "a kite", "quality": "low"}}  # fmt: skip
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
    failed = sum(1 for status in finished.values() if status != "completed")
    return {"wall": wall, "peak_calls": counting.peak, "peak_mib": peak_kib / 1024, "failed": failed}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
    for engine in engines:
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder) / "data"
            if engine == "sqlite":
                figures = await measure(f"sqlite+aiosqlite:///{folder}/boards.db", data_dir, args.jobs, args.latency)
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
                    figures = await measure(url, data_dir, args.jobs, args.latency)
                finally:
                    server.stop()
        print(
            f"{engine}: {args.jobs} OpenAI jobs, fake latency {args.latency:g} s: {figures['peak_calls']} in flight at "
            f"once, all done in {figures['wall']:.2f} s ({figures['failed']} failed); app peak memory "
            f"{figures['peak_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    asyncio.run(main())
