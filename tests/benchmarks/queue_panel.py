"""The queue panel's read on a big library: `queueStatus` over 100,000 generations (5,000 of them
waiting) on SQLite and, when installed, PostgreSQL. The panel reads it again after each queue event
(at most every 300 ms), so it must stay a few milliseconds.

Run: `python -m tests.benchmarks.queue_panel [--engine sqlite|postgresql|both] [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import tempfile
import time
from pathlib import Path

from tests.app_harness import running_app
from tests.benchmarks.queries import _ms, measure
from tests.benchmarks.seed import seed_library
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

STATUS = """query { queueStatus { waiting running providers { name waiting running paused concurrency
  estimatedSeconds jobs { id status prompt } } } }"""


async def run_engine(engine: str, runs: int, workdir: Path, pg_admin: str | None) -> None:
    url = (
        f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        if engine == "sqlite"
        else await create_postgres_database(pg_admin)
    )
    # Nothing runs: the seeded generators are not installed, and the built-in ones are held.
    async with running_app(url, workdir / f"data-{engine}", BOARDS_CONCURRENCY_LOCAL="0") as client:
        started = time.perf_counter()
        await seed_library(client.services.database, client.services.actor)
        print(f"[{engine}] seeded 100,000 generations in {time.perf_counter() - started:.1f} s")
        gc.collect()
        figures = await measure(client, STATUS, {}, runs)
        print(
            f"[{engine}] queueStatus: server {_ms(figures['server'])} | with HTTP client {_ms(figures['request'])}"
            f" | SQL {_ms(figures['sql'])} in {figures['statements']} statements",
            flush=True,
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="boards-bench-"))
    server = None
    try:
        engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
        pg_admin = None
        if "postgresql" in engines:
            bin_dir = find_bin_dir()
            if bin_dir is None:
                print("PostgreSQL is not installed: measuring SQLite only")
                engines.remove("postgresql")
            else:
                server = ThrowawayPostgres(bin_dir)
                server.start()
                pg_admin = server.admin_url
        for engine in engines:
            await run_engine(engine, args.runs, workdir, pg_admin)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
