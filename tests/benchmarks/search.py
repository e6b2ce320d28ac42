"""Find anything, measured: the one-time refold after schemas/011, a search across every board, and a
board's search with a word that is also a tag, on a board of 10,000 generations (SQLite).

Run: .venv/bin/python -m tests.benchmarks.search [--generations 10000] [--runs 30]
Figures are medians (and the slowest run) of the server's answer through ASGI.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

from boards_desktop.db.models import Generation
from tests.app_harness import running_app
from tests.benchmarks.big_board import RARE_WORD, seed_big_board

ACROSS = "query($q: String!) { searchGenerations(query: $q, limit: 60) { id prompt board { id title } } }"
ON_BOARD = """query($id: UUID!, $f: GenerationFilter) { board(id: $id) {
  generationTotal(filter: $f) generations(limit: 100, filter: $f) { id prompt } } }"""


async def timed(client, query: str, variables: dict, runs: int) -> tuple[float, float]:
    spent = []
    for _ in range(runs):
        started = time.perf_counter()
        await client.data(query, variables)
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), max(spent)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        url = f"sqlite+aiosqlite:///{data_dir}/boards.db"
        data_dir.mkdir()
        async with running_app(url, data_dir) as client:
            services = client.services
            board = await seed_big_board(services.database, services.actor, None, generations=args.generations)
            before = not hasattr(Generation, "search_version")  # run on a version before find anything
            if not before:
                from boards_desktop.db.search_refold import refold_search_text

                async with services.database.write() as session:
                    await session.execute(update(Generation).values(search_version=1))
                started = time.perf_counter()
                refolded = await refold_search_text(services.database)
                elapsed = (time.perf_counter() - started) * 1000
                print(f"refold after 009: {refolded:,} generations in {elapsed:.0f} ms")
            await client.data('mutation { createTag(input: {name: "Été zebra"}) { id } }')
            cases = [
                ("searchGenerations, a rare word", ACROSS, {"q": RARE_WORD}),
                ("searchGenerations, a common word", ACROSS, {"q": "the"}),
                ("searchGenerations, no match", ACROSS, {"q": "qqqqxx"}),
                ("board search, a rare word", ON_BOARD, {"id": str(board.board_id), "f": {"search": RARE_WORD}}),
            ]
            for label, query, variables in cases[3:] if before else cases:
                median, slowest = await timed(client, query, variables, args.runs)
                print(f"{label}: {median:.1f} ms median, {slowest:.1f} ms slowest")
            median, slowest = await timed(
                client, ON_BOARD, {"id": str(board.board_id), "f": {"search": "ete"}}, args.runs
            )
            print(f"board search, a word that is a tag's: {median:.1f} ms median, {slowest:.1f} ms slowest")


if __name__ == "__main__":
    asyncio.run(main())
