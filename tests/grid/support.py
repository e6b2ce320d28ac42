"""Helpers for the grid tests: generations with real files, stars, pages and counts through GraphQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from boards_desktop.db import models
from boards_desktop.media import store_media
from tests.app_harness import AppClient
from tests.graphql.helpers import create_generation
from tests.media.samples import image_bytes
from tests.media.support import finish, put_raw

STAR = "mutation($ids: [UUID!]!, $f: Boolean!) { setFavourite(generationIds: $ids, favourite: $f) { id isFavourite } }"
PAGE = """query($id: UUID!, $filter: GenerationFilter, $limit: Int, $offset: Int) { board(id: $id) {
    generationCount generationTotal(filter: $filter)
    generations(filter: $filter, limit: $limit, offset: $offset) { id prompt isFavourite }
} }"""


async def star(client: AppClient, ids: list[str], favourite: bool = True) -> list[dict]:
    return (await client.data(STAR, {"ids": ids, "f": favourite}))["setFavourite"]


async def page(client: AppClient, board_id: str, grid_filter: dict | None = None, **window: int) -> dict[str, Any]:
    """The board's total and page for a filter: {"total", "count", "ids", "prompts", "starred"}."""
    data = await client.data(PAGE, {"id": board_id, "filter": grid_filter, **window})
    board = data["board"]
    rows = board["generations"]
    return {
        "total": board["generationTotal"],
        "count": board["generationCount"],
        "ids": [row["id"] for row in rows],
        "prompts": [row["prompt"] for row in rows],
        "starred": [row["isFavourite"] for row in rows],
    }


async def completed_with_files(
    client: AppClient, board_id: str, params: dict | None = None, *, extra_names: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A completed image generation with its PNG, WebP thumbnail and `extra_names` files, named by its row."""
    store = client.services.media
    created = await create_generation(client, board_id, params if params is not None else {"prompt": "a red square"})
    generation_id = created["id"]
    stored = await store_media(
        store, board_id=board_id, generation_id=generation_id, source=image_bytes("PNG"), artifact_type="image"
    )
    prefix = store.generation_prefix(board_id, generation_id)
    extras = []
    for name in extra_names:
        await put_raw(store, f"{prefix}/{name}", b"extra file " + name.encode())
        extras.append(store.url_of(f"{prefix}/{name}"))
    await finish(client, generation_id, stored, *extras)
    return {
        "id": generation_id,
        "storageUrl": stored.storage_url,
        "thumbnailUrl": stored.thumbnail_url,
        "extras": extras,
    }


async def favourite_rows(client: AppClient) -> int:
    async with client.services.database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(models.Favourite)))


def ids_of(values: list[str]) -> list[uuid.UUID]:
    return [uuid.UUID(value) for value in values]
