"""ComfyUI jobs through the app: N text-to-image jobs against the fake ComfyUI, all in ComfyUI's queue at once.

The app runs as it does for an artist (`boards-desktop serve` in a process of its own) with
`BOARDS_CONCURRENCY_COMFYUI=N`, so every job is submitted and waits in ComfyUI's own queue, which
runs one prompt at a time (the fake's clock runs in real time: `--steps` sampler steps of
`--step-ms` each). Printed: the wall time from the first submission to the last completion, the
time the engine itself spent (the floor), the app's share per job, how many requests each job
cost ComfyUI (submission, reconciling, the result), and the app's peak memory (VmHWM).

Run: `python -m tests.benchmarks.comfyui_queue [--jobs 200] [--steps 4] [--step-ms 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.app_harness import read_token
from tests.fakes.comfyui import FakeComfyUI
from tests.fakes.harness import FakeClock, serve_fake

CREATE_MANY = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }"


async def measure(data_dir: Path, jobs: int, steps: int, step_seconds: float) -> dict[str, float]:
    fake = FakeComfyUI(clock=FakeClock(running=True), step_seconds=step_seconds, node_seconds=step_seconds)
    database_url = f"sqlite+aiosqlite:///{data_dir.parent / 'boards.db'}"
    async with serve_fake(fake.app, clock=fake.clock) as server:
        env = {
            **os.environ,
            "BOARDS_DATA_DIR": str(data_dir),
            "BOARDS_DATABASE_URL": database_url,
            "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
            "BOARDS_LOG_LEVEL": "WARNING",
            "BOARDS_COMFYUI_URL": server.url,
            "BOARDS_CONCURRENCY_COMFYUI": str(jobs),
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

                for _ in range(100):  # the engine's first check, in the background
                    listed = (await data("{ generators { name available } }"))["generators"]
                    if any(g["name"] == "comfyui/text-to-image" and g["available"] for g in listed):
                        break
                    await asyncio.sleep(0.1)
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
                item = {
                    "boardId": board,
                    "generatorName": "comfyui/text-to-image",
                    "artifactType": "IMAGE",
                    "inputParams": {"prompt": "a kite", "steps": steps, "width": 256, "height": 256},
                }
                started = time.perf_counter()
                for offset in range(0, jobs, 100):
                    await data(CREATE_MANY, {"i": [item] * min(100, jobs - offset)})
                await asyncio.wait_for(watcher, 1200)
                wall = time.perf_counter() - started
            status = Path(f"/proc/{app.pid}/status")
            peak_kib = next(
                (int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM")), 0
            )
        finally:
            app.terminate()
            await app.wait()
    per_path = collections.Counter(request.path.split("/")[1] or "/" for request in server.requests)
    # The engine's own time per prompt: 7 nodes, the sampler's steps instead of one of them.
    engine = jobs * (6 * step_seconds + steps * step_seconds)
    return {
        "wall": wall,
        "engine": engine,
        "failed": sum(1 for status in finished.values() if status != "completed"),
        "requests": dict(per_path),
        "peak_mib": peak_kib / 1024,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--step-ms", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = await measure(Path(folder) / "data", args.jobs, args.steps, args.step_ms / 1000)
    per_job = {path: round(count / args.jobs, 2) for path, count in sorted(figures["requests"].items())}
    print(
        f"sqlite: {args.jobs} ComfyUI jobs in its queue at once: all done in {figures['wall']:.2f} s "
        f"({figures['failed']} failed); the engine's own time {figures['engine']:.2f} s, so the app adds "
        f"{1000 * (figures['wall'] - figures['engine']) / args.jobs:.0f} ms a job; requests to ComfyUI per job: "
        f"{per_job}; app peak memory {figures['peak_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    asyncio.run(main())
