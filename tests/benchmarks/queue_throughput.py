"""Queue throughput: 1,000 jobs of a fast built-in generator, submitted through GraphQL, run to the end.

Prints the wall time from the first submission to the last completion and the rate in jobs per
second (the budget is 300/s; upstream managed 71/s), on SQLite and, when PostgreSQL binaries are
installed, on a throwaway PostgreSQL. Completions are counted from the event broker, so that
watching costs no polling. Run: `python -m tests.benchmarks.queue_throughput [--jobs N] [--sqlite-only]`.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from tests.app_harness import running_app

CREATE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "local-title-card",
  artifactType: IMAGE, inputParams: {prompt: "Hi", width: 128, height: 128, padding: 8}}) { id } }"""


async def measure(database_url: str, data_dir: Path, jobs: int) -> tuple[float, float]:
    async with running_app(database_url, data_dir) as client:
        board = (await client.data('mutation { createBoard(input: {title: "bench"}) { id } }'))["createBoard"]["id"]
        done: set[str] = set()
        finished = asyncio.Event()

        async def watch() -> None:
            async with client.services.events.subscribe(board_id=board) as events:
                async for event in events:
                    if event.status in ("completed", "failed"):
                        assert event.status == "completed", event
                        done.add(event.generation_id)
                        if len(done) == jobs:
                            finished.set()
                            return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.05)
        started = time.perf_counter()

        async def submit(_: int) -> None:
            await client.data(CREATE, {"b": board})

        for batch in range(0, jobs, 50):
            await asyncio.gather(*(submit(i) for i in range(batch, min(batch + 50, jobs))))
        submitted = time.perf_counter() - started
        await asyncio.wait_for(finished.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        watcher.cancel()
        return elapsed, submitted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite+aiosqlite:///{root / 'sqlite' / 'boards.db'}"
        elapsed, submitted = asyncio.run(measure(url, root / "sqlite", args.jobs))
        print(f"SQLite: {args.jobs} jobs in {elapsed:.2f} s = {args.jobs / elapsed:.0f} jobs/s "
              f"(submitting took {submitted:.2f} s)")
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
            elapsed, submitted = asyncio.run(measure(database_url, root / "postgres", args.jobs))
            print(f"PostgreSQL: {args.jobs} jobs in {elapsed:.2f} s = {args.jobs / elapsed:.0f} jobs/s "
                  f"(submitting took {submitted:.2f} s)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
