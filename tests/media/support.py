"""Boards and generations made through GraphQL, finished by hand (the queue is not under test here)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from sqlalchemy import delete, update

from boards_desktop.db.models import Board, Generation
from boards_desktop.media import StoredMedia
from boards_desktop.media.storage_identity import ID_FILE_NAME as STORAGE_ID_FILE
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient

# A generator whose provider is paused in tests: its generations stay pending until we finish them.
HELD_GENERATOR = "test-generator"


async def create_board(client: AppClient, title: str = "Media") -> str:
    data = await client.data(
        "mutation($input: CreateBoardInput!) { createBoard(input: $input) { id } }", {"input": {"title": title}}
    )
    return data["createBoard"]["id"]


async def create_generation(client: AppClient, board_id: str) -> str:
    data = await client.data(
        "mutation($input: CreateGenerationInput!) { createGeneration(input: $input) { id status } }",
        {"input": {"boardId": board_id, "generatorName": HELD_GENERATOR, "artifactType": "IMAGE", "inputParams": {}}},
    )
    assert data["createGeneration"]["status"] == "PENDING"
    return data["createGeneration"]["id"]


async def finish(client: AppClient, generation_id: str, stored: StoredMedia, *extra_urls: str) -> None:
    """What the queue does when a job completes: the row names its files."""
    async with client.services.database.write() as session:
        await session.execute(
            update(Generation)
            .where(Generation.id == uuid.UUID(generation_id))
            .values(
                status="completed",
                storage_url=stored.storage_url,
                thumbnail_url=stored.thumbnail_url,
                additional_files=[{"url": url, "type": "image", "metadata": {}} for url in extra_urls],
                output_metadata=stored.metadata(),
            )
        )


async def drop_generation_row(client: AppClient, generation_id: str) -> None:
    """A crash after the database commit and before the files went: the row is gone, the folder stays."""
    async with client.services.database.write() as session:
        await session.execute(delete(Generation).where(Generation.id == uuid.UUID(generation_id)))


async def drop_board_row(client: AppClient, board_id: str) -> None:
    async with client.services.database.write() as session:
        await session.execute(delete(Board).where(Board.id == uuid.UUID(board_id)))


def age(path: Path, minutes: float) -> None:
    """Make a file look `minutes` old."""
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


async def put_raw(store: MediaStore, key: str, data: bytes) -> None:
    """A file at `key` as a generator that wrote more than it reported would leave it, on either backend."""
    if store.bucket is None:
        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    scratch = store.temp_path()
    scratch.write_bytes(data)
    try:
        await store.bucket.put_file(key, scratch)
    finally:
        scratch.unlink()


async def read_raw(store: MediaStore, key: str) -> bytes:
    """The published bytes at `key`, on either backend."""
    stored = await store.open(key)
    assert stored is not None, f"nothing published at {key}"
    return b"".join([chunk async for chunk in stored.read()])


async def published(store: MediaStore) -> set[str]:
    """The keys of every published file, on either backend (unfinished local writes left out)."""
    if store.bucket is not None:
        return {item.key for item in await store.bucket.list()}
    return {key for key in files_under(store.root) if not any(part.startswith(".") for part in key.split("/"))}


def files_under(root: Path) -> set[str]:
    """Every file below `root` but the folder's own id (media.storage_identity: made on a shared database)."""
    if not root.exists():
        return set()
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.name != STORAGE_ID_FILE
    }
