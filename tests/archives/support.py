"""Helpers of the board archive tests: a board with every kind of row, installations, and what they hold."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from boards_desktop.archives.command import run_export, run_import
from boards_desktop.archives.format import encode_row
from boards_desktop.db import models
from boards_desktop.db.engine import Database
from boards_desktop.media.storage_identity import ID_FILE_NAME as STORAGE_ID_FILE
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings, load_settings
from tests.app_harness import AppClient, app_environment
from tests.graphql.helpers import create_board, create_generation, create_tag
from tests.grid.support import completed_with_files, star
from tests.media.samples import image_bytes
from tests.media.support import published
from tests.uploads.support import upload

TAG = "mutation($ids: [UUID!]!, $t: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $t) { id } }"


def installation(database_url: str, data_dir: Path, **storage: str) -> Settings:
    """The settings of one installation (its own data folder), as the command line reads them.

    `storage`: the variables that put its media in a bucket (`ThrowawayS3.environment`), else the folder.
    """
    return load_settings(app_environment(database_url, data_dir, **storage))


async def board_with_everything(client: AppClient) -> dict[str, Any]:
    """A board with a result and its thumbnail and extra file, an upload made from it (lineage), a text,
    a failed generation, a running one (left out of archives), a tag on two and a star."""
    board = await create_board(client, "Harbour studies", description="Lighthouses, boats; été")
    first = await completed_with_files(
        client, board, {"prompt": "A lighthouse at dusk", "seed": 7, "steps": 30}, extra_names=("mask.png",)
    )
    child = await upload(
        client, board, image_bytes("PNG", color=(10, 90, 200)), filename="edit.png", parent_generation_id=first["id"]
    )
    assert child.status_code == 200, child.text
    text = await upload(client, board, b"Une histoire de phare\n" * 40, filename="story.txt", artifact_type="text")
    assert text.status_code == 200, text.text
    failed = (await create_generation(client, board, {"prompt": "a storm"}))["id"]
    async with client.services.database.write() as session:
        await session.execute(
            update(models.Generation)
            .where(models.Generation.id == uuid.UUID(failed))
            .values(status="failed", error_message="The provider refused the prompt")
        )
    running = (await create_generation(client, board, {"prompt": "still queued"}))["id"]
    harbour = await create_tag(client, "Harbour", description="by the sea")
    await client.data(TAG, {"ids": [first["id"], child.json()["id"]], "t": harbour["id"]})
    await star(client, [first["id"], text.json()["id"]])
    return {
        "board": board,
        "first": first["id"],
        "child": child.json()["id"],
        "text": text.json()["id"],
        "failed": failed,
        "running": running,
        "tag": harbour["id"],
    }


async def export_board(settings: Settings, board_id: str, target: Path) -> Path:
    assert await run_export(settings, board_id, target) == 0
    return target


async def import_board(settings: Settings, source: Path) -> int:
    return await run_import(settings, source)


async def board_contents(database_url: str, board_id: str) -> dict[str, Any]:
    """Every row of the board an archive carries, as JSON values, with who as `me` (one person per installation)."""
    database = Database(database_url)
    try:
        async with database.read() as session:
            board_uuid = uuid.UUID(board_id)
            board = (await session.execute(select(models.Board.__table__).where(models.Board.id == board_uuid))).first()
            if board is None:
                return {}
            mine = select(models.Generation.id).where(models.Generation.board_id == board_uuid)
            users = {row.id: row for row in await session.scalars(select(models.User))}

            async def rows(model: Any, where: Any, order: Any) -> list[dict[str, Any]]:
                found = await session.execute(select(model.__table__).where(where).order_by(*order))
                return [_who(encode_row(model.__table__, row._mapping), users) for row in found]

            generation_rows = await rows(
                models.Generation, models.Generation.board_id == board_uuid, [models.Generation.id]
            )
            tag_ids = select(models.GenerationTag.tag_id).where(models.GenerationTag.generation_id.in_(mine))
            return {
                "board": _who(encode_row(models.Board.__table__, board._mapping), users),
                "generation_count": board.generation_count,
                "generations": generation_rows,
                "lineage": await rows(
                    models.GenerationLineage,
                    models.GenerationLineage.generation_id.in_(mine),
                    [models.GenerationLineage.generation_id, models.GenerationLineage.position],
                ),
                "generation_tags": await rows(
                    models.GenerationTag, models.GenerationTag.generation_id.in_(mine), [models.GenerationTag.id]
                ),
                "tags": await rows(models.Tag, models.Tag.id.in_(tag_ids), [models.Tag.id]),
                "favourites": await rows(
                    models.Favourite, models.Favourite.generation_id.in_(mine), [models.Favourite.generation_id]
                ),
            }
    finally:
        await database.dispose()


def _who(row: dict[str, Any], users: dict[uuid.UUID, Any]) -> dict[str, Any]:
    for column in ("owner_id", "user_id"):
        if column in row:
            user = users[uuid.UUID(row[column])]
            assert user.auth_provider == "local"
            row[column] = "me"
    return row


def media_hashes(media_root: Path, board_id: str) -> dict[str, str]:
    """Every file in the board's media folder: its key and SHA-256."""
    folder = media_root / board_id
    return {
        str(path.relative_to(media_root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def all_files(media_root: Path) -> list[str]:
    """Every file under the media root, temporary ones included."""
    return (
        sorted(
            str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file() and p.name != STORAGE_ID_FILE
        )
        if media_root.exists()
        else []
    )


async def stored_hashes(store: MediaStore, board_id: str) -> dict[str, str]:
    """Every published file of the board, on either backend, read as the app reads it: key and SHA-256."""
    hashes: dict[str, str] = {}
    for key in sorted(await published(store)):
        if not key.startswith(board_id + "/"):
            continue
        stored = await store.open(key)
        assert stored is not None, key
        digest = hashlib.sha256()
        async for chunk in stored.read():
            digest.update(chunk)
        hashes[key] = digest.hexdigest()
    return hashes


async def nothing_stored(settings: Settings) -> bool:
    """No published file (folder or bucket) and nothing staged left in the media folder."""
    return await published(MediaStore.for_settings(settings)) == set() and all_files(settings.media_dir) == []
