"""The query budgets of design.md, measured on a library of 100,000 generations over 200 boards.

Run: .venv/bin/python -m tests.benchmarks.queries [--engine sqlite|postgresql|both] [--runs 200] [--no-grid]

Besides the budgets, it measures the grid as the app's UI asks for it: the board page with its
filter menu and total, the board cards with their covers, and filtered pages of a board of
10,000 generations (tests/benchmarks/big_board.py) in the same library; `--no-grid` leaves those out.
The job queue is paused while it measures (the library has pending generations of a built-in
generator, which would otherwise run in the background and take the CPU the queries are timed on).

Each query goes through the whole app as a client sends it: a POST to /graphql through the ASGI
interface, parsed, validated, resolved, serialised. "server" is the app's own time (called straight
through ASGI); "with HTTP client" adds an in-process httpx client building the request and
parsing the answer. The SQL share is measured too, by timing
every statement the query runs (on SQLite that is the statement's execution up to its first row;
the rest of the rows are read in the fetch, which counts as request time). Figures are medians (and the 95th percentile) over the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from tests.app_harness import AppClient, running_app
from tests.benchmarks.big_board import RARE_WORD, seed_big_board
from tests.benchmarks.seed import seed_library
from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

BOARD_PAGE = """
query BoardPage($id: UUID!) {
  board(id: $id) {
    id title description isPublic updatedAt
    owner { id displayName }
    generationCount
    generations(limit: 50) {
      id generatorName artifactType status progress storageUrl thumbnailUrl inputParams createdAt
    }
  }
}"""
MY_BOARDS = "{ myBoards(limit: 50) { id title updatedAt generationCount } }"
RECENT = "{ recentGenerations(limit: 50) { id status artifactType thumbnailUrl createdAt boardId } }"
# The board page and the boards page as the app's UI asks for them.
GRID_PAGE = """
query BoardGrid($id: UUID!, $filter: GenerationFilter, $offset: Int) {
  board(id: $id) {
    id title description isPublic updatedAt
    owner { id displayName }
    generationCount generatorNames generationTotal(filter: $filter)
    generations(limit: 50, offset: $offset, filter: $filter) {
      id generatorName artifactType status progress storageUrl thumbnailUrl prompt isFavourite createdAt
    }
  }
}"""
# The grid's proportions of every generation in its order, for justified rows (one request per filter).
GRID_SHAPES = "query($id: UUID!, $filter: GenerationFilter) { board(id: $id) { generationShapes(filter: $filter) } }"
BOARD_CARDS = "{ myBoards(limit: 50) { id title description updatedAt generationCount coverThumbnails(limit: 4) } }"


def ancestry_query(depth: int) -> str:
    node = "depth role generation { id }"
    for _ in range(depth):
        node = f"depth role generation {{ id }} parents {{ {node} }}"
    return f"query($id: UUID!) {{ generation(id: $id) {{ ancestry(maxDepth: {depth}) {{ {node} }} }} }}"


class SqlTimer:
    """Sums the time spent inside SQL statements, on every engine the app uses."""

    def __init__(self, client: AppClient) -> None:
        database = client.services.database
        self.engines = set(database.sync_engines)
        self.total = 0.0
        self.statements = 0
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._before)
            event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        conn.info["boards_bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.total += time.perf_counter() - conn.info.pop("boards_bench_started")
        self.statements += 1

    def close(self) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._before)
            event.remove(engine, "after_cursor_execute", self._after)


async def served(client: AppClient, query: str, variables: dict) -> float:
    """Seconds the app takes to answer one POST /graphql, called straight through ASGI.

    No HTTP client is in the way: this is the server's share of a request, the part a browser
    waits for beyond the network. The answer is checked so that an error cannot pass for speed.
    """
    body = json.dumps({"query": query, "variables": variables}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", f"Bearer {client.token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    chunks: list[bytes] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    started = time.perf_counter()
    await client.app(scope, receive, send)
    elapsed = time.perf_counter() - started
    answer = json.loads(b"".join(chunks))
    assert not answer.get("errors") and answer.get("data"), answer
    return elapsed


async def measure(client: AppClient, query: str, variables: dict, runs: int) -> dict[str, list[float] | int]:
    timer = SqlTimer(client)
    for _ in range(10):  # warm caches and pools, as a running app has them
        await client.data(query, variables)
    totals, server, sql = [], [], []
    statements = 0
    for _ in range(runs):
        timer.total, timer.statements = 0.0, 0
        started = time.perf_counter()
        await client.data(query, variables)
        totals.append(time.perf_counter() - started)
        sql.append(timer.total)
        statements = timer.statements
        server.append(await served(client, query, variables))
    timer.close()
    return {"request": totals, "server": server, "sql": sql, "statements": statements}


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"median {statistics.median(values) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms"


def grid_cases(board_id: str, big_board_id: str, tag_id: str) -> list[tuple[str, str, dict]]:
    big = {"id": big_board_id}
    filtered = [
        ("no filter", None),
        ("failed (a tenth)", {"statuses": ["FAILED"]}),
        ("completed images (nearly all)", {"statuses": ["COMPLETED"], "artifactTypes": ["IMAGE"]}),
        ("generator sdxl (a quarter)", {"generatorNames": ["sdxl"]}),
        ("favourites (a twentieth)", {"favouritesOnly": True}),
        ("tag (a seventh)", {"tagIds": [tag_id]}),
        ("search 'forest' (an eighth)", {"search": "forest"}),
        (f"search '{RARE_WORD}' (a hundredth)", {"search": RARE_WORD}),
        ("search 'Forest OWL' (two words)", {"search": "Forest OWL"}),
        ("search with no match", {"search": "qqqq"}),
        ("completed + favourites + search", {"statuses": ["COMPLETED"], "favouritesOnly": True, "search": "forest"}),
    ]
    return [
        ("grid page as the UI asks (500-generation board)", GRID_PAGE, {"id": board_id}),
        ("board cards: myBoards(50) with covers", BOARD_CARDS, {}),
        ("10k board, grid page at offset 5,000", GRID_PAGE, {**big, "offset": 5000}),
        *[(f"10k board, {label}", GRID_PAGE, {**big, "filter": grid_filter}) for label, grid_filter in filtered],
        ("10k board, shapes for rows (all 10,000)", GRID_SHAPES, big),
        ("10k board, shapes for rows, search 'forest'", GRID_SHAPES, {**big, "filter": {"search": "forest"}}),
    ]


async def run_engine(engine: str, runs: int, workdir: Path, pg_admin: str | None, grid: bool) -> None:
    url = (
        f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
        if engine == "sqlite"
        else await create_postgres_database(pg_admin)
    )
    paused = {"BOARDS_CONCURRENCY_LOCAL": "0"}  # see the module's doc
    async with running_app(url, workdir / f"data-{engine}", **paused) as client:
        started = time.perf_counter()
        ids = await seed_library(client.services.database, client.services.actor)
        print(f"\n[{engine}] seeded 100,000 generations over 200 boards in {time.perf_counter() - started:.1f} s")
        cases = [
            ("board page (board, owner, 50 generations)", BOARD_PAGE, {"id": str(ids["board_id"])}),
            ("myBoards(limit: 50) with generationCount", MY_BOARDS, {}),
            ("recentGenerations(limit: 50)", RECENT, {}),
            ("ancestry, 10 deep", ancestry_query(10), {"id": str(ids["deep_generation_id"])}),
        ]
        if grid:
            started = time.perf_counter()
            big = await seed_big_board(client.services.database, client.services.actor, None)
            print(f"[{engine}] seeded a board of 10,000 generations in {time.perf_counter() - started:.1f} s")
            cases += grid_cases(str(ids["board_id"]), str(big.board_id), str(big.tag_id))
        gc.collect()  # the seed's garbage is not the app's: a running app never holds the whole library
        for label, query, variables in cases:
            figures = await measure(client, query, variables, runs)
            print(
                f"[{engine}] {label:50s} server {_ms(figures['server'])} | with HTTP client {_ms(figures['request'])}"
                f" | SQL {_ms(figures['sql'])} in {figures['statements']} statements",
                flush=True,
            )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--no-grid", dest="grid", action="store_false", help="only the budgets of design.md")
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
            await run_engine(engine, args.runs, workdir, pg_admin, args.grid)
    finally:
        if server:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
