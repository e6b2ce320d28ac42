"""First-token latency of a streamed text: from the server writing its first token to the page's
event stream carrying it; and the app's overhead per text job over the server's own time.

Run: .venv/bin/python -m tests.benchmarks.first_token_latency [--jobs 30] [--tokens 40] [--token-delay 0.005]

The fake OpenAI-compatible server (tests/fakes/openai_compatible.py, found as Ollama) and the app
(served by uvicorn on 127.0.0.1) run in this process; a plain HTTP client in a thread of its own
reads the board's event stream (`GET /api/sse/boards/{id}`), as the page's EventSource does. One
monotonic clock: the fake notes when it wrote the first token (t0), the reader when the first event
with text of that job arrived, and when its `completed` event arrived. Jobs run one after another.

Figures: t0 -> first text seen (what the artist waits for once the model has started), submit ->
completed (the whole job as the page sees it) against the fake's own time from the request to
[DONE], whose difference is what the app adds per job.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.app_harness import running_app
from tests.events.served import serving
from tests.fakes.harness import serve_fake
from tests.fakes.openai_compatible import FakeOpenAICompatible

MODEL = "llama3.2:3b"
GENERATOR = f"chat/ollama/{MODEL}"
CREATE = "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }"


class _Reader(threading.Thread):
    """The page's event stream of one board: when each job's first text and its completion arrived."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.connected = threading.Event()
        self.first_text: dict[str, float] = {}
        self.completed: dict[str, float] = {}
        self.stop = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            headers = {"Authorization": f"Bearer {self.token}"}
            with httpx.Client(timeout=None, headers=headers) as http, http.stream("GET", self.url) as response:
                response.raise_for_status()
                self.connected.set()
                for line in response.iter_lines():
                    if self.stop:
                        return
                    if not line.startswith("data:"):
                        continue
                    arrived = time.perf_counter()
                    payload = json.loads(line[5:])
                    job = str(payload.get("job_id"))
                    if payload.get("text") and job not in self.first_text:
                        self.first_text[job] = arrived
                    if payload.get("status") == "completed" and job not in self.completed:
                        self.completed[job] = arrived
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            self.error = exc
            self.connected.set()


def _line(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return (
        f"{label:42s} median {statistics.median(ordered) * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms  "
        f"max {ordered[-1] * 1000:7.2f} ms  ({len(ordered)} jobs)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=30)
    parser.add_argument("--tokens", type=int, default=40, help="tokens per answer")
    parser.add_argument("--token-delay", type=float, default=0.005, help="seconds between two tokens at the fake")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="boards-first-token-"))
    fake = FakeOpenAICompatible(reply=" ".join(f"word{i}" for i in range(args.tokens)), token_delay=args.token_delay)
    try:
        async with serve_fake(fake) as server:
            fake.bind(server)
            database = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            async with running_app(database, workdir / "data", BOARDS_OLLAMA_URL=f"{server.url}/v1") as app:
                while not (app.services.generators.get(GENERATOR) and await _available(app)):
                    await asyncio.sleep(0.05)
                board = (await app.data('mutation { createBoard(input: {title: "Latency"}) { id } }'))["createBoard"][
                    "id"
                ]
                async with serving(app.app) as base_url:
                    reader = _Reader(f"{base_url}/api/sse/boards/{board}", app.token)
                    reader.start()
                    await asyncio.to_thread(reader.connected.wait, 30)
                    submitted: dict[str, float] = {}
                    for index in range(args.jobs):
                        started = time.perf_counter()
                        request = {"boardId": board, "generatorName": GENERATOR, "artifactType": "TEXT",
                                   "inputParams": {"prompt": f"job {index}"}}  # fmt: skip
                        job = (await app.data(CREATE, {"i": request}))["createGeneration"]["id"]
                        submitted[job] = started
                        while job not in reader.completed:
                            if reader.error:
                                raise reader.error
                            await asyncio.sleep(0.002)
                    reader.stop = True
        streams = fake.streams
        jobs = list(submitted)
        first_seen = [reader.first_text[job] - stream.first_token_at for job, stream in zip(jobs, streams, strict=True)
                      if stream.first_token_at is not None and job in reader.first_text]  # fmt: skip
        whole = [reader.completed[job] - submitted[job] for job in jobs]
        print(
            f"{args.jobs} text jobs of {args.tokens} tokens, {args.token_delay * 1000:.1f} ms between tokens (SQLite)"
        )
        print(_line("first token written -> seen on the stream", first_seen))
        print(_line("submit -> completed seen on the stream", whole))
        own = [s.finished_at - s.started_at for s in streams if s.finished_at is not None]
        print(_line("the fake's own time (request -> [DONE])", own))
        added = [w - o for w, o in zip(whole, own, strict=True)]
        print(_line("what the app adds per job", added))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def _available(app) -> bool:
    listed = (await app.data("{ generators { name available } }"))["generators"]
    return any(g["name"] == GENERATOR and g["available"] for g in listed)


if __name__ == "__main__":
    asyncio.run(main())
