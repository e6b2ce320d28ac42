"""Changes to a board made in one app reach the other app's open stream of it (PostgreSQL, LISTEN/NOTIFY).

`client` owns the boards; `other_client` is a teammate's app on the same database, who is a member.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import pytest

from tests.events.helpers import create_board, seed_generation
from tests.events.test_board_changes import MOVE, board_frame, open_board_stream
from tests.graphql.helpers import add_member, my_id


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


async def test_a_big_move_arrives_whole_on_the_other_app_though_it_exceeds_a_notification(
    client, other_client, served_other
):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    teammate = await my_id(other_client)
    await add_member(client, source, teammate, "VIEWER")
    moving = [await seed_generation(client, source, "completed") for _ in range(300)]  # ~11 KB of ids
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(other_client, served_other, source, stack)
        await client.data(MOVE, {"ids": moving, "b": target})
        arrived: list[str] = []
        while len(arrived) < len(moving):
            frame = await board_frame(stream)
            assert (frame.data["kind"], frame.data["to_board_id"]) == ("moved", target)
            arrived += frame.data["generation_ids"]
    assert sorted(arrived) == sorted(moving)


async def test_a_rename_in_one_app_arrives_on_the_other(client, other_client, served_other):
    board_id = await create_board(client, "Sketches")
    await add_member(client, board_id, await my_id(other_client), "EDITOR")
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(other_client, served_other, board_id, stack)
        await client.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }",
            {"i": {"id": board_id, "title": "Final art"}},
        )
        frame = await board_frame(stream)
    assert (frame.data["kind"], frame.data["title"]) == ("renamed", "Final art")


async def test_a_removed_member_is_told_and_their_stream_ends(client, other_client, served_other):
    board_id = await create_board(client, "Private")
    teammate = await my_id(other_client)
    await add_member(client, board_id, teammate, "VIEWER")
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(other_client, served_other, board_id, stack)
        await client.data(
            "mutation($b: UUID!, $u: UUID!) { updateBoardMemberRole(boardId: $b, userId: $u, role: EDITOR) { id } }",
            {"b": board_id, "u": teammate},
        )
        promoted = await board_frame(stream)
        await client.data(
            "mutation($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }",
            {"b": board_id, "u": teammate},
        )
        removed = await board_frame(stream)
        rest = await stream.rest()
    assert (promoted.data["kind"], promoted.data["user_ids"], promoted.data["role"]) == (
        "members",
        [teammate],
        "editor",
    )
    assert (removed.data["kind"], removed.data["user_ids"], removed.data["role"]) == ("members", [teammate], None)
    assert rest == []  # nothing more of the board for someone who may no longer read it
    assert (await other_client.http.get(f"/api/sse/boards/{board_id}")).status_code == 404
