"""Fill a database with a realistic library: many boards, many generations, lineage chains, tags.

Used by the query benchmarks. Rows go in through SQLAlchemy Core in large batches (the app's own
types, so ids and timestamps are stored exactly as the app stores them).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Generation, GenerationLineage, GenerationTag, Tag
from boards_desktop.db.queries.users import Actor
from boards_desktop.db.search_text import search_text_of

GENERATORS = ["flux-pro", "gpt-image-1", "local-title-card", "sdxl"]
_TYPES = ["image"] * 7 + ["video", "audio", "text"]
_STATUSES = ["completed"] * 17 + ["failed", "cancelled", "pending"]
_BATCH = 5_000


async def seed_library(
    database: Database, actor: Actor, *, boards: int = 200, generations: int = 100_000, chain_depth: int = 12
) -> dict[str, object]:
    """Insert the library; returns ids the benchmarks use (a board, a generation `chain_depth` deep)."""
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    board_rows = [
        {
            "id": uuid.uuid4(),
            "tenant_id": actor.tenant_id,
            "owner_id": actor.user_id,
            "title": f"Board {i:03d}",
            "description": f"Studies and sketches, series {i}",
            "is_public": i % 10 == 0,
            "settings": {},
            "metadata_": {},
            "created_at": start + timedelta(hours=i),
            "updated_at": start + timedelta(days=300, hours=i),
        }
        for i in range(boards)
    ]
    async with database.write() as session:
        await session.execute(insert(Board), board_rows)

    generation_rows = []
    for i in range(generations):
        board = board_rows[i % boards]
        created = start + timedelta(seconds=i * 60)
        status = rng.choice(_STATUSES)
        generation_rows.append(
            generation_row(
                actor,
                board["id"],
                created,
                generator_name=rng.choice(GENERATORS),
                artifact_type=rng.choice(_TYPES),
                input_params={"prompt": f"a lighthouse at dusk, study {i}", "seed": rng.randrange(1 << 31)},
                status=status,
                storage_url=f"/api/storage/{i}.webp" if status == "completed" else None,
                thumbnail_url=f"/api/storage/{i}.thumb.webp" if status == "completed" else None,
            )
        )

    # A lineage chain in the first board: each generation made from the one before.
    chain = [row for row in generation_rows if row["board_id"] == board_rows[0]["id"]][: chain_depth + 1]
    lineage_rows = []
    for child, parent in zip(chain[1:], chain[:-1]):
        child["input_artifacts"] = [
            {"generation_id": str(parent["id"]), "role": "image", "artifact_type": parent["artifact_type"]}
        ]
        lineage_rows.append(
            {
                "generation_id": child["id"],
                "position": 0,
                "input_generation_id": parent["id"],
                "role": "image",
                "artifact_type": parent["artifact_type"],
            }
        )

    await insert_generations(database, generation_rows)
    async with database.write() as session:
        if lineage_rows:
            await session.execute(insert(GenerationLineage), lineage_rows)
        tag_rows = [
            {"id": uuid.uuid4(), "tenant_id": actor.tenant_id, "name": name, "slug": name, "metadata_": {}}
            for name in ("portrait", "landscape", "keeper", "draft")
        ]
        await session.execute(insert(Tag), tag_rows)
        links = [
            {"id": uuid.uuid4(), "generation_id": row["id"], "tag_id": rng.choice(tag_rows)["id"]}
            for row in generation_rows[::7]
        ]
        await session.execute(insert(GenerationTag), links)
    await refresh_statistics(database)
    return {"board_id": board_rows[0]["id"], "deep_generation_id": chain[-1]["id"], "chain_depth": len(chain) - 1}


def generation_row(
    actor: Actor,
    board_id: uuid.UUID,
    created: datetime,
    *,
    generator_name: str,
    artifact_type: str,
    input_params: dict,
    status: str,
    storage_url: str | None = None,
    thumbnail_url: str | None = None,
    generation_id: uuid.UUID | None = None,
) -> dict:
    """One generations row as the app stores it (its search text included)."""
    return {
        "id": generation_id or uuid.uuid4(), "tenant_id": actor.tenant_id, "board_id": board_id,
        "user_id": actor.user_id, "generator_name": generator_name, "artifact_type": artifact_type,
        "input_params": input_params, "status": status,
        "search_text": search_text_of(input_params, generator_name=generator_name),
        "storage_url": storage_url, "thumbnail_url": thumbnail_url,
        "additional_files": [], "output_metadata": {"width": 1024, "height": 1024},
        "input_artifacts": [], "progress": 100.0 if status == "completed" else 0.0,
        "created_at": created, "updated_at": created,
        "started_at": created if status != "pending" else None,
        "completed_at": created + timedelta(seconds=20) if status in ("completed", "failed") else None,
    }  # fmt: skip


async def insert_generations(database: Database, rows: list[dict]) -> None:
    for offset in range(0, len(rows), _BATCH):
        async with database.write() as session:
            await session.execute(insert(Generation), rows[offset : offset + _BATCH])


async def refresh_statistics(database: Database) -> None:
    """Fresh statistics and a visibility map, as autovacuum keeps them on a library in use (without
    the map PostgreSQL cannot answer from an index alone)."""
    if database.dialect == "postgresql":
        async with database.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    else:
        async with database.write() as session:
            await session.execute(text("ANALYZE"))
