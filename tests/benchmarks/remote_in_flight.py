"""Remote jobs in flight at once: N generations against a provider's fake, all waiting together.

The app runs as it does for an artist (`boards-desktop serve` in a process of its own) with
`BOARDS_CONCURRENCY_<PROVIDER>=N`; the fake runs in this process on 127.0.0.1, so every job is in
flight at the same time:
- `--provider openai`: the OpenAI Images fake answers each call after `--latency` seconds (a real
  image takes tens);
- `--provider fal`: the fal queue fake, its clock running in real time: each request waits
  `--queue` seconds in fal's queue (its place going down), then runs `--latency` seconds with its
  log, then its images are fetched from the fake's file server. The app polls with its real backoff.
Printed: the most jobs the fake held at once (calls in progress for OpenAI; requests submitted and
whose result was not fetched yet for fal), the wall time from the first submission to the last
completion (ideal: queue and latency plus the app's own work), the app's peak memory (VmHWM) and,
for fal, the status polls the app sent.

Run: `python -m tests.benchmarks.remote_in_flight [--provider openai|fal] [--jobs 200] [--latency 3]
[--queue 1.5] [--sqlite-only]`.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.app_harness import read_token
from tests.fakes.fal import OPENAPI_PATH, FakeFal
from tests.fakes.harness import FakeClock, serve_fake
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


class InQueue:
    """fal's fake, counting the requests it has taken whose result was not fetched yet (and the polls)."""

    def __init__(self, fake: FakeFal) -> None:
        self.fake = fake
        self.fetched: set[str] = set()
        self.peak = 0
        self.polls = 0
        self.last_submitted = 0.0  # perf_counter of the last submission, and of the last result fetched
        self.last_fetched = 0.0

    async def __call__(self, scope, receive, send) -> None:
        await self.fake(scope, receive, send)
        if scope["type"] != "http":
            return
        if scope["method"] == "POST":
            self.last_submitted = time.perf_counter()
            self.peak = max(self.peak, len(self.fake.submissions) - len(self.fetched))
            return
        parts = scope["path"].strip("/").split("/")
        if parts[-1] == "status":
            self.polls += 1
        elif len(parts) == 4 and parts[2] == "requests":
            self.fetched.add(parts[3])
            self.last_fetched = time.perf_counter()


@dataclass
class Scenario:
    provider: str
    generator: str
    params: dict[str, Any]
    environment: dict[str, str] = field(default_factory=dict)
    fake: Any = None
    counter: Any = None
    clock: FakeClock | None = None

    def bind(self, server) -> None:
        if isinstance(self.fake, FakeFal):
            self.fake.bind(server)
            base = server.url
            self.environment.update(
                BOARDS_FAL_BASE_URL=base, BOARDS_FAL_OPENAPI_URL=f"{base}{OPENAPI_PATH}", FAL_KEY=self.fake.api_key
            )
        else:
            self.environment.update(BOARDS_OPENAI_BASE_URL=f"{server.url}/v1", OPENAI_API_KEY=self.fake.api_key)


def scenario_of(provider: str, latency: float, queue_seconds: float) -> Scenario:
    if provider == "openai":
        fake = FakeOpenAI(latency=latency)
        return Scenario(
            "openai", "openai-image", {"prompt": "a kite", "quality": "low"}, fake=fake, counter=Counting(fake.app)
        )
    clock = FakeClock(running=True)
    places = 2
    fake = FakeFal(clock=clock, queue_ahead=places, seconds_per_place=queue_seconds / (places + 1), run_seconds=latency)
    return Scenario("fal", "fal-flux-dev", {"prompt": "a kite"}, fake=fake, counter=InQueue(fake), clock=clock)


async def measure(database_url: str, data_dir: Path, jobs: int, scenario: Scenario) -> dict[str, float]:
    async with serve_fake(scenario.counter, clock=scenario.clock) as server:
        scenario.bind(server)
        env = {
            **os.environ,
            **scenario.environment,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            f"BOARDS_CONCURRENCY_{scenario.provider.upper()}": str(jobs),
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
                finish_times: list[float] = []
                errors: dict[str, str] = {}
                listening = asyncio.Event()

                async def watch() -> None:
                    async with http.stream("GET", f"/api/sse/boards/{board}") as stream:
                        listening.set()
                        async for line in stream.aiter_lines():
                            if line.startswith("data:"):
                                event = json.loads(line[5:])
                                if event["status"] in ("completed", "failed", "cancelled"):
                                    finished[event["job_id"]] = event["status"]
                                    finish_times.append(time.perf_counter())
                                    if event["error_message"]:
                                        errors[event["job_id"]] = event["error_message"]
                                    if len(finished) >= jobs:
                                        return

                watcher = asyncio.create_task(watch())
                await listening.wait()
                item = {"boardId": board, "generatorName": scenario.generator, "artifactType": "IMAGE",
                        "inputParams": scenario.params}  # fmt: skip
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
    if errors:
        print(f"  first failure: {next(iter(errors.values()))}")
    counter = scenario.counter
    milestones = {
        "first_done": finish_times[0] - started,
        "half_done": finish_times[len(finish_times) // 2] - started,
        "all_submitted": getattr(counter, "last_submitted", started) - started,
        "all_fetched": getattr(counter, "last_fetched", started) - started,
    }
    return {
        **milestones,
        "wall": wall,
        "peak_calls": scenario.counter.peak,
        "peak_mib": peak_kib / 1024,
        "failed": failed,
        "polls": getattr(scenario.counter, "polls", 0),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", choices=["openai", "fal"], default="openai")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--queue", type=float, default=1.5, help="seconds each fal request waits in fal's queue")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite"] if args.sqlite_only else ["sqlite", "postgresql"]
    for engine in engines:
        scenario = scenario_of(args.provider, args.latency, args.queue)
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder) / "data"
            if engine == "sqlite":
                figures = await measure(f"sqlite+aiosqlite:///{folder}/boards.db", data_dir, args.jobs, scenario)
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
                    figures = await measure(url, data_dir, args.jobs, scenario)
                finally:
                    server.stop()
        if args.provider == "fal":
            what = f"fal jobs, {args.queue:g} s in fal's queue then {args.latency:g} s running"
            held = f"{figures['peak_calls']} in fal's queue at once ({figures['polls']} status polls)"
        else:
            what = f"OpenAI jobs, fake latency {args.latency:g} s"
            held = f"{figures['peak_calls']} in flight at once"
        print(
            f"{engine}: {args.jobs} {what}: {held}, all done in {figures['wall']:.2f} s ({figures['failed']} failed); "
            f"app peak memory {figures['peak_mib']:.0f} MiB"
        )
        steps = f"first done {figures['first_done']:.2f} s, half {figures['half_done']:.2f} s"
        if args.provider == "fal":
            steps += (
                f", all submitted {figures['all_submitted']:.2f} s, all results fetched {figures['all_fetched']:.2f} s"
            )
        print(f"  {steps}")


if __name__ == "__main__":
    asyncio.run(main())
