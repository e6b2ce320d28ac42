"""Time from `EventBroker.publish` to an SSE client receiving the event; the budget (design.md) is 50 ms.

Run: .venv/bin/python -m tests.benchmarks.sse_latency [--events 300] [--interval 0.01] [--engine sqlite|postgresql|both]

The app is served by uvicorn on 127.0.0.1; the client is a plain HTTP client (httpx) in a thread of
its own, reading `GET /api/sse/generations/{id}/progress` as a browser would. Each event carries its
sequence number; the publisher notes the time of each publish and the client the time of each
arrival (one monotonic clock). Cases: SQLite (in memory), PostgreSQL within one app, and PostgreSQL
between two apps on one database (published in one, streamed by the other, through LISTEN/NOTIFY).
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

from boards_desktop.jobs.events import GenerationEvent
from tests.app_harness import AppClient, running_app
from tests.events.helpers import create_board, seed_generation
from tests.events.served import serving
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir


class _Reader(threading.Thread):
    """An SSE client: notes when each numbered event arrives, until the stream ends."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.connected = threading.Event()
        self.arrivals: dict[int, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            headers = {"Authorization": f"Bearer {self.token}"}
            with httpx.Client(timeout=30, headers=headers) as http, http.stream("GET", self.url) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    arrived = time.perf_counter()
                    payload = json.loads(line[5:])
                    if payload["message"] and payload["message"].startswith("seq "):
                        self.arrivals[int(payload["message"][4:])] = arrived
                    self.connected.set()  # the first frame is the snapshot: subscribed by now
        except BaseException as exc:  # noqa: BLE001 (reported by the main thread)
            self.error = exc
            self.connected.set()


async def measure(publisher: AppClient, streamer: AppClient, events: int, interval: float) -> list[float]:
    """Latencies (seconds) of `events` progress events published in `publisher`, read from `streamer`."""
    board_id = await create_board(publisher, "Latency", isPublic=True)
    generation_id = await seed_generation(publisher, board_id, "processing")
    async with serving(streamer.app) as base_url:
        reader = _Reader(f"{base_url}/api/sse/generations/{generation_id}/progress", streamer.token)
        reader.start()
        await asyncio.to_thread(reader.connected.wait, 30)
        if reader.error:
            raise reader.error
        published: dict[int, float] = {}
        broker = publisher.services.events
        for seq in range(events):
            event = GenerationEvent(
                generation_id=generation_id,
                board_id=board_id,
                status="processing",
                progress=seq / events,
                phase="processing",
                message=f"seq {seq}",
            )
            published[seq] = time.perf_counter()
            await broker.publish(event)
            await asyncio.sleep(interval)
        await broker.publish(
            GenerationEvent(
                generation_id=generation_id, board_id=board_id, status="completed", progress=1.0, phase="finalizing"
            )
        )
        await asyncio.to_thread(reader.join, 30)
    if reader.error:
        raise reader.error
    missing = events - len(reader.arrivals)
    if missing:
        print(f"  ({missing} events never arrived)")
    return [reader.arrivals[seq] - published[seq] for seq in sorted(reader.arrivals)]


def _report(label: str, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    verdict = "within" if p95 <= 0.050 else "OVER"
    print(
        f"{label:44s} median {statistics.median(ordered) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms  "
        f"max {ordered[-1] * 1000:6.2f} ms  ({len(ordered)} events; {verdict} the 50 ms budget)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between two events")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="boards-sse-"))
    server = None
    try:
        if args.engine in ("sqlite", "both"):
            async with running_app(f"sqlite+aiosqlite:///{workdir / 'bench.db'}", workdir / "sqlite") as app:
                _report("SQLite, one app", await measure(app, app, args.events, args.interval))
        if args.engine in ("postgresql", "both"):
            bin_dir = find_bin_dir()
            if bin_dir is None:
                print("PostgreSQL is not installed: measured SQLite only")
                return
            server = ThrowawayPostgres(bin_dir)
            server.start()
            url = await create_postgres_database(server.admin_url)
            async with running_app(url, workdir / "pg-a") as first, running_app(url, workdir / "pg-b") as second:
                _report("PostgreSQL, one app", await measure(first, first, args.events, args.interval))
                _report(
                    "PostgreSQL, two apps (LISTEN/NOTIFY)", await measure(first, second, args.events, args.interval)
                )
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
