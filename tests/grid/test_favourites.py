"""Favourites: a star is one artist's, on what they may read; gone with the generation or the user."""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from boards_desktop.db import models
from tests.graphql.helpers import (
    add_member,
    create_board,
    create_generation,
    error_of,
    my_id,
    seed_generations,
)
from tests.grid.support import STAR, favourite_rows, page, star

IS_FAVOURITE = "query($id: UUID!) { generation(id: $id) { id isFavourite } }"


async def test_starring_and_unstarring_shows_in_is_favourite(client):
    board = await create_board(client)
    first, second, third = [(await create_generation(client, board))["id"] for _ in range(3)]

    answer = await star(client, [third, first])
    assert answer == [{"id": third, "isFavourite": True}, {"id": first, "isFavourite": True}]
    assert (await star(client, [first]))[0]["isFavourite"] is True  # starring twice changes nothing
    listed = await page(client, board)
    assert dict(zip(listed["ids"], listed["starred"])) == {first: True, second: False, third: True}
    assert await favourite_rows(client) == 2

    assert await star(client, [first, second], favourite=False) == [
        {"id": first, "isFavourite": False},
        {"id": second, "isFavourite": False},
    ]
    assert (await client.data(IS_FAVOURITE, {"id": first}))["generation"]["isFavourite"] is False
    assert (await client.data(IS_FAVOURITE, {"id": third}))["generation"]["isFavourite"] is True
    assert await favourite_rows(client) == 1


async def test_a_star_is_personal_and_a_viewer_may_star(client, other_client):
    board = await create_board(client, "Shared")
    await add_member(client, board, await my_id(other_client), "VIEWER")
    generation = (await create_generation(client, board))["id"]

    assert (await star(other_client, [generation]))[0]["isFavourite"] is True
    assert (await client.data(IS_FAVOURITE, {"id": generation}))["generation"]["isFavourite"] is False
    assert (await other_client.data(IS_FAVOURITE, {"id": generation}))["generation"]["isFavourite"] is True
    assert (await page(other_client, board, {"favouritesOnly": True}))["ids"] == [generation]
    assert (await page(client, board, {"favouritesOnly": True}))["ids"] == []


async def test_unknown_or_unreadable_generations_are_refused_and_nothing_is_starred(client, other_client):
    mine = await create_board(client, "Mine")
    private = await create_board(other_client, "Private")
    readable = (await create_generation(client, mine))["id"]
    hidden = (await create_generation(other_client, private))["id"]
    unknown = str(uuid.uuid4())

    for ids in ([readable, unknown], [readable, hidden]):
        error = error_of(
            await client.graphql(STAR, {"ids": ids, "f": True}), "NOT_FOUND", ids[1], "nothing was starred"
        )
        assert "Private" not in error["message"]  # a board you may not read does not tell its name
    assert await favourite_rows(client) == 0


async def test_the_number_of_ids_is_bounded(client):
    error_of(await client.graphql(STAR, {"ids": [], "f": True}), "BAD_USER_INPUT", "generationIds is empty")
    too_many = [str(uuid.uuid4()) for _ in range(1001)]
    error_of(await client.graphql(STAR, {"ids": too_many, "f": True}), "BAD_USER_INPUT", "at most 1000")


async def test_stars_go_with_their_generation_and_with_their_user(client, other_client):
    board = await create_board(client, "Shared")
    await add_member(client, board, await my_id(other_client), "VIEWER")
    doomed, kept = (await create_generation(client, board))["id"], (await create_generation(client, board))["id"]
    await star(client, [doomed, kept])
    await star(other_client, [doomed, kept])
    assert await favourite_rows(client) == 4

    assert await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": doomed})
    assert await favourite_rows(client) == 2

    async with client.services.database.write() as session:
        await session.execute(delete(models.User).where(models.User.id == other_client.services.actor.user_id))
    assert await favourite_rows(client) == 1
    assert (await client.data(IS_FAVOURITE, {"id": kept}))["generation"]["isFavourite"] is True


async def test_favourites_only_lists_and_counts_your_stars_on_this_board(client):
    board = await create_board(client, "Many")
    other_board = await create_board(client, "Other")
    ids = await seed_generations(client, board, [{} for _ in range(12)])
    elsewhere = await seed_generations(client, other_board, [{}])
    await star(client, [ids[1], ids[5], ids[11], elsewhere[0]])

    starred = await page(client, board, {"favouritesOnly": True})
    assert starred["ids"] == [ids[11], ids[5], ids[1]]  # newest first, this board's only
    assert starred["total"] == 3 and starred["count"] == 12
    assert all(starred["starred"])
    assert (await page(client, board, {"favouritesOnly": False}))["total"] == 12
