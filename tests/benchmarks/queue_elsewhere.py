"""The queue panel's counts with jobs queued by apps with another media storage counted apart, against
the same counts without (the statement before schema 012's storage mattered), in one run on one database:
100,000 generations, 5,000 waiting, a fifth of those queued with another storage. PostgreSQL only
(on SQLite every job is the app's own and the statement is the one it was).

Run: `python -m tests.benchmarks.queue_elsewhere [--runs N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, update

from boards_desktop.db.models import Generation
from boards_desktop.db.queries import queue as queue_queries
from tests.app_harness import running_app
from tests.benchmarks.seed import refresh_statistics, seed_library
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir


async def measure(runs: int, workdir: Path, admin_url: str) -> None:
    url = await create_postgres_database(admin_url)
    async with running_app(url, workdir / "data", BOARDS_CONCURRENCY_LOCAL="0") as client:
        database, tenant = client.services.database, client.services.actor.tenant_id
        await seed_library(database, client.services.actor)
        async with database.write() as session:
            pending = list(await session.scalars(select(Generation.id).where(Generation.status == "pending")))
            await session.execute(
                update(Generation).where(Generation.id.in_(pending[::5])).values(media_storage="s3://elsewhere/boards")
            )
        await refresh_statistics(database)
        storage = client.services.jobs.media_storage
        assert storage is not None

        async def before() -> None:  # the counts as they were read before (no storage)
            async with database.read() as session:
                await queue_queries.active_counts(session, tenant)

        async def after() -> None:
            async with database.read() as session:
                counts = await queue_queries.active_counts(session, tenant, storage)
            assert sum(counts.elsewhere.values()) == len(pending[::5])

        timings: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(runs):  # interleaved: the machine's load falls on both alike
            for name, call in (("before", before), ("after", after)):
                started = time.perf_counter()
                await call()
                timings[name].append((time.perf_counter() - started) * 1000)
        async with database.read() as session:
            total = await session.scalar(select(func.count()).select_from(Generation))
        medians = {name: statistics.median(values) for name, values in timings.items()}
        print(f"[postgresql] {total} generations, {len(pending)} waiting, {len(pending[::5])} of them elsewhere")
        for name, value in medians.items():
            print(f"[postgresql] active counts {name}: median {value:.2f} ms over {runs} runs")
        print(f"[postgresql] after / before: {medians['after'] / medians['before']:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    bin_dir = find_bin_dir()
    if bin_dir is None:
        print("PostgreSQL is not installed: nothing to measure")
        return
    workdir = Path(tempfile.mkdtemp(prefix="boards-bench-"))
    server = ThrowawayPostgres(bin_dir)
    server.start()
    try:
        await measure(args.runs, workdir, server.admin_url)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
