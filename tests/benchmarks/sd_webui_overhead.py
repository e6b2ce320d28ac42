"""What the app adds to each Stable Diffusion WebUI job over the engine's own time.

The fake WebUI does no work at all (`step_seconds=0`): its answer comes as soon as it has made
the PNGs. The engine's own time is a `POST /sdapi/v1/txt2img` sent straight to it; the app's time
is from `createGeneration` to the `completed` event on the board's SSE stream (and, as a baseline,
the same for a built-in tool that makes a picture of the same size with no engine), the app running as
it does for an artist (`boards-desktop serve` in a process of its own). Jobs run one after another
(the WebUI runs one at a time). Printed: the median and 90th percentile of both, the difference
(the app's overhead per job), and the requests each job cost the engine.

Run: `python -m tests.benchmarks.sd_webui_overhead [--jobs 40] [--size 512]`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.app_harness import read_token
from tests.fakes.harness import FakeClock, serve_fake
from tests.fakes.sd_webui import FakeSDWebUI

CREATE = "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }"


async def measure(data_dir: Path, jobs: int, size: int) -> dict[str, object]:
    fake = FakeSDWebUI(clock=FakeClock(running=True), step_seconds=0.0)
    database_url = f"sqlite+aiosqlite:///{data_dir.parent / 'boards.db'}"
    params = {"prompt": "a kite", "steps": 20, "width": size, "height": size, "seed": 1}
    async with serve_fake(fake.app, clock=fake.clock) as server:
        # The engine alone, over HTTP from this process.
        engine: list[float] = []
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as direct:
            for _ in range(jobs):
                started = time.perf_counter()
                response = await direct.post("/sdapi/v1/txt2img", json={**params, "batch_size": 1, "n_iter": 1})
                response.raise_for_status()
                engine.append(time.perf_counter() - started)
        server.requests.clear()
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            "BOARDS_SD_WEBUI_URL": server.url,
            "BOARDS_COMFYUI_URL": "http://127.0.0.1:9",  # nothing there: its checks fail at once
        }
        app = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "boards_desktop", "serve", "--port", "0", env=env, stdout=subprocess.PIPE
        )
        try:
            assert app.stdout is not None
            url = (await app.stdout.readline()).decode().strip().rsplit(" ", 1)[1]
            headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
            async with httpx.AsyncClient(base_url=url, headers=headers, timeout=300) as http:

                async def data(query: str, variables: dict | None = None) -> dict:
                    body = (await http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
                    assert not body.get("errors"), body
                    return body["data"]

                for _ in range(100):  # the engine's first check, in the background
                    listed = (await data("{ generators { name available } }"))["generators"]
                    if any(g["name"] == "sdwebui/text-to-image" and g["available"] for g in listed):
                        break
                    await asyncio.sleep(0.1)
                board = (await data('mutation { createBoard(input: {title: "bench"}) { id } }'))["createBoard"]["id"]
                ends: asyncio.Queue[tuple[str, str, float]] = asyncio.Queue()
                listening = asyncio.Event()

                async def watch() -> None:
                    async with http.stream("GET", f"/api/sse/boards/{board}") as stream:
                        listening.set()
                        async for line in stream.aiter_lines():
                            if line.startswith("data:"):
                                event = json.loads(line[5:])
                                if event.get("status") in ("completed", "failed", "cancelled"):
                                    await ends.put((event["job_id"], event["status"], time.perf_counter()))

                watcher = asyncio.create_task(watch())
                await listening.wait()

                async def one_by_one(generator: str, inputs: dict) -> tuple[list[float], int]:
                    item = {"boardId": board, "generatorName": generator, "artifactType": "IMAGE"}
                    times, failed = [], 0
                    for _ in range(jobs):
                        started = time.perf_counter()
                        submitted.append(fake.clock.now())
                        job = (await data(CREATE, {"i": {**item, "inputParams": inputs}}))["createGeneration"]["id"]
                        while True:
                            job_id, status, ended = await asyncio.wait_for(ends.get(), 120)
                            if job_id == job:
                                break
                        failed += status != "completed"
                        times.append(ended - started)
                        finished.append(fake.clock.now())
                    return times, failed

                submitted: list[float] = []
                finished: list[float] = []
                # The baseline: a built-in tool making a picture of the same size, no engine involved.
                built_in, _ = await one_by_one("local-title-card", {"prompt": "a kite", "width": size, "height": size})
                server.requests.clear()
                submitted.clear()
                finished.clear()
                fake.timings.clear()
                through_app, failed = await one_by_one("sdwebui/text-to-image", params)
                # Where the app's time goes: before the engine has the request, and after its answer.
                before = [received - sent for sent, (received, _) in zip(submitted, fake.timings, strict=True)]
                after = [done - answered for done, (_, answered) in zip(finished, fake.timings, strict=True)]
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
        finally:
            app.terminate()
            await app.wait()
    per_path = collections.Counter(
        request.path for request in server.requests if request.path.startswith(("/sdapi", "/internal"))
    )
    return {
        "engine": engine,
        "app": through_app,
        "built_in": built_in,
        "before": before,
        "after": after,
        "failed": failed,
        "requests": per_path,
    }


def _ms(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = await measure(Path(folder) / "data", args.jobs, args.size)
    engine, app, built_in = figures["engine"], figures["app"], figures["built_in"]
    assert isinstance(engine, list) and isinstance(app, list) and isinstance(built_in, list)
    requests = figures["requests"]
    assert isinstance(requests, collections.Counter)
    per_job = {path: round(count / args.jobs, 2) for path, count in sorted(requests.items())}
    print(
        f"sqlite: {args.jobs} WebUI jobs one after another, {args.size}x{args.size}, engine doing no work "
        f"({figures['failed']} failed)\n"
        f"  engine alone (POST txt2img): median {statistics.median(engine) * 1000:.1f} ms, p90 {_ms(engine, 0.9):.1f} ms\n"
        f"  through the app (createGeneration -> completed event): median {statistics.median(app) * 1000:.1f} ms, "
        f"p90 {_ms(app, 0.9):.1f} ms\n"
        f"  baseline, a built-in tool's {args.size}x{args.size} title card through the app: median "
        f"{statistics.median(built_in) * 1000:.1f} ms, p90 {_ms(built_in, 0.9):.1f} ms\n"
        f"  of which: submission to the engine receiving it, median {statistics.median(figures['before']) * 1000:.1f} ms; "
        f"its answer to the completed event, median {statistics.median(figures['after']) * 1000:.1f} ms\n"
        f"  the app adds {1000 * (statistics.median(app) - statistics.median(engine)):.1f} ms a job (median)\n"
        f"  requests to the engine per job (checks included): {per_job}"
    )


if __name__ == "__main__":
    asyncio.run(main())
