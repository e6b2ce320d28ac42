"""Changes to a board itself reach its open streams: `event: board` frames beside the generation frames.

A move, a deletion, a new title and a change of members, each made through the GraphQL API, arrive
on `GET /api/sse/boards/{id}` (and on the `boardChanges` subscription) as a client reads them.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

from tests.events.conftest import Frame, SSEReader, open_stream
from tests.events.helpers import create_board, seed_generation
from tests.events.test_graphql_subscriptions import _message, _subscribe, graphql_socket

MOVE = "mutation($ids: [UUID!]!, $b: UUID!) { moveGenerations(ids: $ids, boardId: $b) { id } }"
BOARD_CHANGES = """subscription($b: UUID!) { boardChanges(boardId: $b) {
  kind boardId generationIds toBoardId title description userIds role } }"""


async def open_board_stream(app_client, served, board_id: str, stack: AsyncExitStack) -> SSEReader:
    """The board's stream, once its subscription is made (the response's headers come before it)."""
    events = app_client.services.events
    before = events.subscriber_count
    stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
    await subscribed(app_client, before)
    return stream


async def subscribed(app_client, before: int) -> None:
    while app_client.services.events.subscriber_count <= before:
        await asyncio.sleep(0.01)


async def board_frame(stream: SSEReader) -> Frame:
    """The next `event: board` frame (keep-alives and generation frames are passed over)."""
    while True:
        frame = await stream.next()
        assert frame is not None, "the stream ended"
        if frame.event == "board":
            return frame


async def test_a_move_leaves_one_board_and_arrives_on_the_other(client, served):
    source, target = await create_board(client, "From"), await create_board(client, "To")
    moving = [await seed_generation(client, source, "completed") for _ in range(2)]
    await seed_generation(client, source, "completed")  # stays
    async with AsyncExitStack() as stack:
        from_stream = await open_board_stream(client, served, source, stack)
        to_stream = await open_board_stream(client, served, target, stack)
        await client.data(MOVE, {"ids": moving, "b": target})
        left, arrived = await board_frame(from_stream), await board_frame(to_stream)
    for frame in (left, arrived):
        assert frame.data["kind"] == "moved"
        assert (frame.data["board_id"], frame.data["to_board_id"]) == (source, target)
        assert sorted(frame.data["generation_ids"]) == sorted(moving)


async def test_a_rename_and_deletions_arrive_and_the_board_s_deletion_ends_the_stream(client, served):
    board_id = await create_board(client, "Sketches")
    first, second, third = [await seed_generation(client, board_id, "completed") for _ in range(3)]
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(client, served, board_id, stack)
        await client.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }",
            {"i": {"id": board_id, "title": "Final art", "description": "For the client"}},
        )
        renamed = await board_frame(stream)
        await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": first})
        one_gone = await board_frame(stream)
        await client.data("mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }", {"ids": [second, third]})
        two_gone = await board_frame(stream)
        await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id})
        board_gone = await board_frame(stream)
        rest = await stream.rest()
    assert (renamed.data["kind"], renamed.data["title"], renamed.data["description"]) == (
        "renamed",
        "Final art",
        "For the client",
    )
    assert (one_gone.data["kind"], one_gone.data["generation_ids"]) == ("deleted", [first])
    assert (two_gone.data["kind"], sorted(two_gone.data["generation_ids"])) == ("deleted", sorted([second, third]))
    assert (board_gone.data["kind"], board_gone.data["generation_ids"]) == ("deleted", [])
    assert rest == []  # the stream ended after the board's deletion


async def test_a_refused_rename_publishes_nothing(client, served):
    board_id = await create_board(client, "Sketches")
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(client, served, board_id, stack)
        refused = await client.graphql(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }",
            {"i": {"id": board_id, "title": "   "}},
        )
        assert refused.get("errors")
        await client.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }", {"i": {"id": board_id, "title": "B"}}
        )
        frame = await board_frame(stream)
    assert (frame.data["kind"], frame.data["title"]) == ("renamed", "B")  # the first thing said is the real change


async def test_board_changes_subscription_sends_the_same_changes(client, served):
    board_id = await create_board(client, "Sketches")
    generation_id = await seed_generation(client, board_id, "completed")
    async with graphql_socket(served) as socket:
        before = client.services.events.subscriber_count
        await _subscribe(socket, BOARD_CHANGES, {"b": board_id})
        await subscribed(client, before)
        await client.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }", {"i": {"id": board_id, "title": "B"}}
        )
        await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": generation_id})
        renamed = (await _message(socket))["payload"]["data"]["boardChanges"]
        deleted = (await _message(socket))["payload"]["data"]["boardChanges"]
    assert (renamed["kind"], renamed["title"], renamed["boardId"]) == ("renamed", "B", board_id)
    assert (deleted["kind"], deleted["generationIds"]) == ("deleted", [generation_id])
    json.dumps(renamed)  # plain JSON, as a client receives it


async def test_a_renamed_tag_reaches_the_boards_that_show_it_and_no_other(client, served):
    shown, elsewhere = await create_board(client, "Shows the tag"), await create_board(client, "Does not")
    generation_id = await seed_generation(client, shown, "completed")
    await seed_generation(client, elsewhere, "completed")
    tag = (await client.data('mutation { createTag(input: {name: "Sketch"}) { id } }'))["createTag"]["id"]
    await client.data(
        "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }",
        {"g": generation_id, "t": tag},
    )
    rename = "mutation($i: UpdateTagInput!) { updateTag(input: $i) { id } }"
    async with AsyncExitStack() as stack:
        shown_stream = await open_board_stream(client, served, shown, stack)
        other_stream = await open_board_stream(client, served, elsewhere, stack)
        await client.data(rename, {"i": {"id": tag, "name": "Final sketch"}})
        frame = await board_frame(shown_stream)
        # The other board's next change is its own rename: the tag's came not before it.
        await client.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }", {"i": {"id": elsewhere, "title": "B"}}
        )
        other = await board_frame(other_stream)
    assert (frame.data["kind"], frame.data["tag_id"], frame.data["tag_name"], frame.data["tag_slug"]) == (
        "tag",
        tag,
        "Final sketch",
        "final-sketch",
    )
    assert other.data["kind"] == "renamed"
