"""Export and import rates of a board archive: a board of 2,000 generations with their files.

Run: .venv/bin/python -m tests.benchmarks.board_archive [--generations 2000] [--file-kb 300]

The board is made on SQLite in a scratch folder: every generation completed, with a picture of
`--file-kb` KB (a PNG's chunks around random bytes, which no compression shrinks, as a PNG's or
JPEG's; an export writes the generation's metadata into it as it would into any PNG) and a 12 KB
thumbnail, a tenth made from the one before (lineage), a seventh tagged, a twentieth starred.
It is exported as `boards-desktop boards export` does, then imported into a fresh SQLite
installation and, where PostgreSQL's binaries are installed, a fresh PostgreSQL one.
The baselines copy the same media folder with shutil.copytree on the same disk, once as it is and
once followed by os.sync() (an import makes its files durable before its rows commit): what any
export or import of these bytes must at least cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import struct
import tempfile
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from boards_desktop.archives.importer import import_archive
from boards_desktop.archives.snapshot import snapshot_board
from boards_desktop.archives.writer import archive_stream
from boards_desktop.db.commands import prepare_database
from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Favourite, GenerationLineage, GenerationTag, Tag
from boards_desktop.db.queries.users import Actor, ensure_local_user
from boards_desktop.identity import load_identity
from boards_desktop.media.embed import PNG_SIGNATURE
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings, load_settings
from tests.app_harness import app_environment
from tests.benchmarks.seed import generation_row, insert_generations

MB = 1024 * 1024


def _installation(database_url: str, data_dir: Path) -> Settings:
    return load_settings(app_environment(database_url, data_dir))


async def _open(settings: Settings) -> tuple[Database, Actor]:
    await prepare_database(settings)
    database = Database(settings.database_url)
    return database, await ensure_local_user(database, load_identity(settings.data_dir))


async def make_board(settings: Settings, generations: int, file_kb: int) -> tuple[uuid.UUID, int]:
    """The board; returns its id and the bytes of its files."""
    database, actor = await _open(settings)
    store = MediaStore(settings.media_dir)
    board_id = uuid.uuid4()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    async with database.write() as session:
        await session.execute(
            insert(Board),
            [{"id": board_id, "tenant_id": actor.tenant_id, "owner_id": actor.user_id, "title": "Benchmark board"}],
        )
        tag_id = uuid.uuid4()
        await session.execute(
            insert(Tag), [{"id": tag_id, "tenant_id": actor.tenant_id, "name": "Keep", "slug": "keep"}]
        )
    rows, lineage, links, stars = [], [], [], []
    size = 0
    for index in range(generations):
        generation_id = uuid.uuid4()
        prefix = store.generation_prefix(board_id, generation_id)
        folder = store.root / prefix
        folder.mkdir(parents=True)
        (folder / "output.png").write_bytes(_png_framed(file_kb * 1024))
        (folder / "output-thumb.webp").write_bytes(os.urandom(12 * 1024))
        size += file_kb * 1024 + 12 * 1024
        row = generation_row(
            actor,
            board_id,
            start + timedelta(minutes=index),
            generator_name="flux-pro",
            artifact_type="image",
            input_params={"prompt": f"a lighthouse at dusk, study {index}", "seed": index},
            status="completed",
            storage_url=store.url_of(f"{prefix}/output.png"),
            thumbnail_url=store.url_of(f"{prefix}/output-thumb.webp"),
            generation_id=generation_id,
        )
        if index % 10 == 1:
            parent = rows[-1]["id"]
            row["input_artifacts"] = [{"generation_id": str(parent), "role": "image", "artifact_type": "image"}]
            lineage.append(
                {
                    "generation_id": generation_id,
                    "position": 0,
                    "input_generation_id": parent,
                    "role": "image",
                    "artifact_type": "image",
                }
            )
        if index % 7 == 0:
            links.append({"id": uuid.uuid4(), "generation_id": generation_id, "tag_id": tag_id})
        if index % 20 == 0:
            stars.append({"generation_id": generation_id, "user_id": actor.user_id, "board_id": board_id})
        rows.append(row)
    await insert_generations(database, rows)
    async with database.write() as session:
        await session.execute(insert(GenerationLineage), lineage)
        await session.execute(insert(GenerationTag), links)
        await session.execute(insert(Favourite), stars)
    await database.dispose()
    return board_id, size


def _png_framed(size: int) -> bytes:
    """`size` bytes that are a PNG to a reader of chunks (signature, IHDR, one IDAT of random bytes, IEND)."""
    ihdr = _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 512, 512, 8, 2, 0, 0, 0))
    end = _png_chunk(b"IEND", b"")
    return PNG_SIGNATURE + ihdr + _png_chunk(b"IDAT", os.urandom(size - 8 - len(ihdr) - len(end) - 12)) + end


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


async def export(settings: Settings, board_id: uuid.UUID, target: Path) -> float:
    database, actor = await _open(settings)
    started = time.perf_counter()
    store = MediaStore(settings.media_dir)
    snapshot = await snapshot_board(database, store, actor, board_id)
    with target.open("wb") as out:
        async for chunk in archive_stream(snapshot, store):
            out.write(chunk)
    elapsed = time.perf_counter() - started
    await database.dispose()
    return elapsed


async def import_into(settings: Settings, archive: Path) -> float:
    database, actor = await _open(settings)
    started = time.perf_counter()
    report = await import_archive(database, MediaStore(settings.media_dir), actor, archive)
    elapsed = time.perf_counter() - started
    await database.dispose()
    assert report.generations_added > 0 and report.generations_kept == 0, report.lines()
    return elapsed


def _line(what: str, seconds: float, generations: int, size: int) -> str:
    return f"{what:<38} {seconds:7.2f} s {generations / seconds:9.0f} generations/s {size / MB / seconds:8.1f} MB/s"


async def main(generations: int, file_kb: int) -> None:
    with tempfile.TemporaryDirectory(prefix="board-archive-") as scratch:
        root = Path(scratch)
        source = _installation(f"sqlite+aiosqlite:///{root / 'source.db'}", root / "source")
        board_id, media_bytes = await make_board(source, generations, file_kb)
        archive = root / "board.zip"
        print(
            f"a board of {generations} generations, {media_bytes / MB:.0f} MB of files ({file_kb} KB pictures, 12 KB thumbnails)"
        )

        started = time.perf_counter()
        shutil.copytree(source.media_dir / str(board_id), root / "copy")
        baseline = time.perf_counter() - started
        print(_line("baseline: copying the media folder", baseline, generations, media_bytes))
        shutil.rmtree(root / "copy")
        if hasattr(os, "sync"):
            os.sync()
            started = time.perf_counter()
            shutil.copytree(source.media_dir / str(board_id), root / "copy")
            os.sync()  # as an import makes its files durable before its rows commit
            baseline = time.perf_counter() - started
            print(_line("baseline: copying it, then os.sync()", baseline, generations, media_bytes))
            shutil.rmtree(root / "copy")

        seconds = await export(source, board_id, archive)
        size = archive.stat().st_size
        print(_line("export (SQLite)", seconds, generations, size) + f"   archive {size / MB:.0f} MB")

        seconds = await import_into(
            _installation(f"sqlite+aiosqlite:///{root / 'target.db'}", root / "target"), archive
        )
        print(_line("import into a fresh SQLite", seconds, generations, size))

        from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir

        bin_dir = find_bin_dir()
        if bin_dir is None:
            print("import into PostgreSQL: skipped (its binaries are not installed)")
            return
        server = ThrowawayPostgres(bin_dir)
        server.start()
        try:
            url = await create_postgres_database(server.admin_url)
            seconds = await import_into(_installation(url, root / "target-pg"), archive)
            print(_line("import into a fresh PostgreSQL", seconds, generations, size))
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=2000)
    parser.add_argument("--file-kb", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.generations, arguments.file_kb))
