"""What the Trash costs a bulk delete: deleteGenerations, restoreGenerations and emptyTrash of 1,000.

Run: .venv/bin/python -m tests.benchmarks.trash_bulk [--count 1000] [--runs 5]

Each run makes `count` completed generations on a board of SQLite (each with a tag, a star and a
lineage edge to the one before, so the trash has something to keep), then times the mutations
through the whole app (ASGI, GraphQL). Against a version without the trash it prints the delete
alone, so the two can be compared. Figures are medians over the runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from boards_desktop.db import models
from boards_desktop.db.types import utcnow
from tests.app_harness import AppClient, running_app

DELETE = "mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }"
RESTORE = "mutation($ids: [UUID!]!) { restoreGenerations(ids: $ids) { id } }"
EMPTY = "mutation($ids: [UUID!]) { emptyTrash(ids: $ids) }"
TAG = "mutation($name: String!) { createTag(input: {name: $name}) { id } }"


async def _seed(client: AppClient, count: int) -> list[str]:
    me = (await client.data("{ me { id tenantId } }"))["me"]
    board = (await client.data('mutation { createBoard(input: {title: "Bulk"}) { id } }'))["createBoard"]["id"]
    tag = (await client.data(TAG, {"name": f"bulk {uuid.uuid4().hex[:8]}"}))["createTag"]["id"]
    ids = [uuid.uuid4() for _ in range(count)]
    now = utcnow()
    async with client.services.database.write() as session:
        await session.execute(
            insert(models.Generation),
            [
                {
                    "id": i,
                    "tenant_id": uuid.UUID(me["tenantId"]),
                    "board_id": uuid.UUID(board),
                    "user_id": uuid.UUID(me["id"]),
                    "generator_name": "local-title-card",
                    "artifact_type": "image",
                    "input_params": {"prompt": f"card {n}"},
                    "status": "completed",
                    "created_at": now,
                    "updated_at": now,
                }
                for n, i in enumerate(ids)
            ],
        )
        await session.execute(
            insert(models.GenerationTag),
            [{"id": uuid.uuid4(), "generation_id": i, "tag_id": uuid.UUID(tag)} for i in ids],
        )
        await session.execute(
            insert(models.Favourite),
            [{"generation_id": i, "user_id": uuid.UUID(me["id"]), "board_id": uuid.UUID(board)} for i in ids],
        )
        await session.execute(
            insert(models.GenerationLineage),
            [
                {
                    "generation_id": child,
                    "position": 0,
                    "input_generation_id": parent,
                    "role": "image",
                    "artifact_type": "image",
                }
                for parent, child in itertools.pairwise(ids)
            ],
        )
    return [str(i) for i in ids]


async def _timed(client: AppClient, query: str, variables: dict) -> float:
    started = time.perf_counter()
    await client.data(query, variables)
    return (time.perf_counter() - started) * 1000


async def main(count: int, runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="boards-trash-bench-"))
    figures: dict[str, list[float]] = {"delete": [], "restore": [], "delete again": [], "empty": []}
    try:
        async with running_app(f"sqlite+aiosqlite:///{folder / 'boards.db'}", folder / "data") as client:
            schema = (await client.data("{ __schema { mutationType { fields { name } } } }"))["__schema"]
            has_trash = any(f["name"] == "restoreGenerations" for f in schema["mutationType"]["fields"])
            for _ in range(runs):
                ids = await _seed(client, count)
                figures["delete"].append(await _timed(client, DELETE, {"ids": ids}))
                if has_trash:
                    figures["restore"].append(await _timed(client, RESTORE, {"ids": ids}))
                    figures["delete again"].append(await _timed(client, DELETE, {"ids": ids}))
                    figures["empty"].append(await _timed(client, EMPTY, {"ids": ids}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{count} generations, SQLite, median of {runs} runs (ms); trash: {'yes' if has_trash else 'no'}")
    for name, values in figures.items():
        if values:
            print(f"  {name:<13} {statistics.median(values):8.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.count, arguments.runs))
