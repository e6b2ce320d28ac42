"""A board of 10,000 generations with real WebP files, for the UI's browser benchmark and the grid's queries.

Run: .venv/bin/python -m tests.benchmarks.big_board --data-dir DIR [--generations 10000] [--library]
     [--database-url URL]

It makes DIR an installation (database, media, API token) if it is not one yet, adds the board
(owned by the installation's own user) and prints its id. Then serve it as usual:
`BOARDS_DATA_DIR=DIR .venv/bin/boards-desktop serve` (or `boards-desktop --browser`).
`--library` adds the 100,000 generations over 200 boards of the query benchmarks around it.

Every completed generation has a small WebP image and its thumbnail in the media folder, as a
generator's result would (`<board>/<generation>/output.webp` and `output-thumb.webp`): 128
pictures, each a gradient with a disc of its own colour, reused in turn. Prompts are drawn from
a word list, so searches match some of the board and not all of it; a twentieth is starred, a
seventh tagged. No generation is pending, so serving the board starts no job.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import insert

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Favourite, GenerationTag, Tag
from boards_desktop.db.queries.users import Actor
from boards_desktop.media.store import MediaStore
from tests.benchmarks.seed import generation_row, insert_generations, refresh_statistics, seed_library

WORDS = [
    "lighthouse",
    "dusk",
    "portrait",
    "forest",
    "river",
    "mountain",
    "neon",
    "city",
    "cat",
    "dog",
    "owl",
    "fox",
    "dragon",
    "castle",
    "ocean",
    "storm",
    "sunset",
    "winter",
    "garden",
    "robot",
    "astronaut",
    "desert",
    "jungle",
    "temple",
    "market",
    "train",
    "bridge",
    "moon",
    "star",
    "cloud",
]
RARE_WORD = "zebra"  # in one prompt of a hundred
GENERATORS = ["flux-pro", "gpt-image-1", "local-title-card", "sdxl"]
_STATUSES = ["completed"] * 19 + ["failed"] * 2 + ["cancelled"]
_PICTURES = 128
_SIZE = 512


@dataclass
class BigBoard:
    board_id: uuid.UUID
    generation_ids: list[uuid.UUID] = field(default_factory=list)  # newest first
    tag_id: uuid.UUID | None = None
    files: int = 0


async def seed_big_board(
    database: Database,
    actor: Actor,
    store: MediaStore | None,
    *,
    generations: int = 10_000,
    title: str = "10,000 generations",
    seed: int = 7,
) -> BigBoard:
    """Add the board; with a store, its completed generations get their files (without, rows only)."""
    rng = random.Random(seed)
    board_id = uuid.uuid4()
    now = datetime.now(UTC)
    start = now - timedelta(seconds=generations * 30)
    async with database.write() as session:
        await session.execute(
            insert(Board),
            [{
                "id": board_id, "tenant_id": actor.tenant_id, "owner_id": actor.user_id, "title": title,
                "description": "A long board, for the grid's benchmark", "is_public": False,
                "settings": {}, "metadata_": {}, "created_at": start, "updated_at": now,
            }],
        )  # fmt: skip
    pictures = _pictures() if store is not None else []
    rows = []
    for i in range(generations):
        status = rng.choice(_STATUSES)
        prompt = " ".join(rng.sample(WORDS, 4)) + f", study {i}" + (f" with a {RARE_WORD}" if i % 100 == 0 else "")
        generation_id = uuid.uuid4()
        files = status == "completed" and store is not None
        prefix = store.generation_prefix(board_id, generation_id) if files else ""
        rows.append(
            generation_row(
                actor, board_id, start + timedelta(seconds=i * 30),
                generation_id=generation_id,
                generator_name=rng.choice(GENERATORS),
                artifact_type="image",
                input_params={"prompt": prompt, "seed": rng.randrange(1 << 31), "style": rng.choice(["vivid", "natural"])},
                status=status,
                storage_url=store.url_of(f"{prefix}/output.webp") if files else None,
                thumbnail_url=store.url_of(f"{prefix}/output-thumb.webp") if files else None,
            )
        )  # fmt: skip
    result = BigBoard(board_id, [row["id"] for row in reversed(rows)])
    if store is not None:
        result.files = await asyncio.to_thread(_write_files, store, rows, pictures)
    await insert_generations(database, rows)
    async with database.write() as session:
        result.tag_id = uuid.uuid4()
        await session.execute(
            insert(Tag),
            [{"id": result.tag_id, "tenant_id": actor.tenant_id, "name": f"keeper {seed}",
              "slug": f"keeper-{board_id.hex[:8]}", "metadata_": {}}],
        )  # fmt: skip
        await session.execute(
            insert(GenerationTag),
            [{"id": uuid.uuid4(), "generation_id": row["id"], "tag_id": result.tag_id} for row in rows[::7]],
        )
        await session.execute(
            insert(Favourite),
            [
                {"generation_id": row["id"], "user_id": actor.user_id, "board_id": board_id, "created_at": now}
                for row in rows[3::20]
            ],
        )
    await refresh_statistics(database)
    return result


def _pictures() -> list[bytes]:
    gradient = Image.linear_gradient("L").resize((_SIZE, _SIZE))
    pictures = []
    for i in range(_PICTURES):
        bands = [gradient.point(lambda v, k=k, i=i: (v * (k + 1) // 2 + i * 37 * (k + 1)) % 256) for k in range(3)]
        picture = Image.merge("RGB", bands)
        colour = ((i * 53) % 256, (i * 97) % 256, (i * 151) % 256)
        ImageDraw.Draw(picture).ellipse((96 + i % 64, 128, 416, 448), fill=colour)
        buffer = io.BytesIO()
        picture.save(buffer, "WEBP", quality=70)
        pictures.append(buffer.getvalue())
    return pictures


def _write_files(store: MediaStore, rows: list[dict], pictures: list[bytes]) -> int:
    written = 0
    for index, row in enumerate(rows):
        if row["storage_url"] is None:
            continue
        folder = store.root / store.generation_prefix(row["board_id"], row["id"])
        folder.mkdir(parents=True, exist_ok=True)
        picture = pictures[index % len(pictures)]
        # The picture is 512 px on its longest side, as the app's thumbnails are: it is its own thumbnail.
        (folder / "output.webp").write_bytes(picture)
        (folder / "output-thumb.webp").write_bytes(picture)
        written += 2
    return written


async def main() -> None:
    from tests.app_harness import running_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the installation to add the board to")
    parser.add_argument("--generations", type=int, default=10_000)
    parser.add_argument("--library", action="store_true", help="also the 100,000-generation library around it")
    parser.add_argument("--database-url", help="default: the data folder's SQLite database")
    args = parser.parse_args()
    data_dir = args.data_dir.expanduser().resolve()
    url = args.database_url or f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    async with running_app(url, data_dir) as client:
        services = client.services
        started = time.perf_counter()
        if args.library:
            await seed_library(services.database, services.actor)
        board = await seed_big_board(services.database, services.actor, services.media, generations=args.generations)
        elapsed = time.perf_counter() - started
    print(f"board {board.board_id}: {args.generations:,} generations, {board.files:,} files, in {elapsed:.1f} s")
    print(f"data folder: {data_dir}")
    print(f"serve it:    BOARDS_DATA_DIR={data_dir} .venv/bin/boards-desktop serve")


if __name__ == "__main__":
    asyncio.run(main())
