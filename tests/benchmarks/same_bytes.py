"""What recognising an upload's bytes costs: the look-up every upload makes for an earlier generation
with the same SHA-256, on its board and then on every board the uploader may read.

Run: .venv/bin/python -m tests.benchmarks.same_bytes [--generations 50000] [--runs 30] [--database-url URL]
Seeds a library (200 boards, a tenth public) on SQLite (or the database given), then prints the median
time of the look-up for bytes found nowhere (the common case: every board is read) and for bytes on
another board, beside the baseline, the look-up on the upload's own board only (as before).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import select, update

from boards_desktop.db.models import Generation
from boards_desktop.db.queries.generations import same_bytes_readable
from boards_desktop.db.queries.records import select_generations
from tests.app_harness import running_app
from tests.benchmarks.seed import seed_library


async def median_ms(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        data_dir.mkdir()
        url = args.database_url or f"sqlite+aiosqlite:///{data_dir}/boards.db"
        async with running_app(url, data_dir) as client:
            database, actor = client.services.database, client.services.actor
            seeded = await seed_library(database, actor, generations=args.generations)
            board_id = seeded["board_id"]
            assert isinstance(board_id, uuid.UUID)
            async with database.write() as session:
                elsewhere = (
                    await session.execute(
                        select(Generation.id)
                        .where(Generation.board_id != board_id, Generation.status == "completed")
                        .limit(1)
                    )
                ).scalar_one()
                await session.execute(
                    update(Generation).where(Generation.id == elsewhere).values(output_metadata={"sha256": "e" * 64})
                )
            upload_id = uuid.uuid4()

            async def readable(sha256: str) -> object:
                async with database.read() as session:
                    return await same_bytes_readable(session, actor, board_id, sha256, other_than=upload_id)

            async def board_only(sha256: str) -> object:
                async with database.read() as session:
                    query = (
                        select_generations()
                        .where(
                            Generation.board_id == board_id,
                            Generation.status == "completed",
                            Generation.id != upload_id,
                            Generation.output_metadata["sha256"].as_string() == sha256,
                        )
                        .limit(1)
                    )
                    return (await session.execute(query)).first()

            assert await readable("e" * 64) is not None and await readable("0" * 64) is None
            print(f"{args.generations:,} generations on 200 boards ({database.dialect}), {args.runs} runs, medians")
            print(
                f"this board only (before), bytes found nowhere: {await median_ms(lambda: board_only('0' * 64), args.runs):.2f} ms"
            )
            print(
                f"every readable board, bytes found nowhere:     {await median_ms(lambda: readable('0' * 64), args.runs):.2f} ms"
            )
            print(
                f"every readable board, bytes on another board:  {await median_ms(lambda: readable('e' * 64), args.runs):.2f} ms"
            )


if __name__ == "__main__":
    asyncio.run(main())
