"""The costly queries of the hardening issue, sent to the app with a board of 500 generations.

Run: .venv/bin/python -m tests.benchmarks.costly_queries

Prints, for each query, the answer (refused or not, and the message), the time to answer and the
process's peak memory (ru_maxrss) after it. With the limits in place every attack is refused
before it runs: the times are those of parsing and measuring the query, and memory does not move.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from pathlib import Path

from tests.app_harness import running_app
from tests.graphql.helpers import create_board, seed_generations


def _nested(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"generations {{ board {{ {inner} }} }}"
    return f"query($id: UUID!) {{ board(id: $id) {{ {inner} }} }}"


ATTACKS = {
    "board { generations { board ... } } 50 deep": _nested(50),
    "1,000 aliases of board.generations(limit: 500)": "query($id: UUID!) { "
    + " ".join(f"a{i}: board(id: $id) {{ generations(limit: 500) {{ id prompt }} }}" for i in range(1000))
    + " }",
    "1,000 aliases of recentGenerations { ancestry }": "query($id: UUID!) { "
    + " ".join(f"a{i}: recentGenerations {{ ancestry {{ depth generation {{ id }} }} }}" for i in range(1000))
    + " }",
    "30 aliases of board.generations(limit: 500)": "query($id: UUID!) { "
    + " ".join(f"a{i}: board(id: $id) {{ generations(limit: 500) {{ id prompt tags {{ id }} }} }}" for i in range(30))
    + " }",
    "15 aliases of board.generations(limit: 500)": "query($id: UUID!) { "
    + " ".join(f"a{i}: board(id: $id) {{ generations(limit: 500) {{ id prompt tags {{ id }} }} }}" for i in range(15))
    + " }",
    "the grid's page of 100 (allowed)": "query($id: UUID!) { board(id: $id) { generations(limit: 100) { id prompt } } }",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="costly-"))
    async with running_app(f"sqlite+aiosqlite:///{folder / 'boards.db'}", folder / "data") as client:
        board_id = await create_board(client, "Costly")
        await seed_generations(client, board_id, [{} for _ in range(500)])
        print(f"{'query':<52} {'answer':<10} {'ms':>8} {'peak MB':>8}  message")
        for name, query in ATTACKS.items():
            started = time.perf_counter()
            body = await client.graphql(query, {"id": board_id})
            elapsed = (time.perf_counter() - started) * 1000
            errors = body.get("errors") or []
            answer = "refused" if errors and body.get("data") is None else "answered"
            message = errors[0]["message"][:90] if errors else ""
            print(f"{name:<52} {answer:<10} {elapsed:>8.1f} {peak_mb():>8.0f}  {message}")


if __name__ == "__main__":
    asyncio.run(main())
