"""GET /api/sse/boards/{id}: every generation event of a board, for the UI's grid."""

from __future__ import annotations

from contextlib import AsyncExitStack

from boards_desktop.api.sse import KEEPALIVE_STATE_KEY
from tests.events.conftest import open_stream
from tests.events.helpers import create_board, event, seed_generation


async def test_active_generations_first_then_every_change_and_the_stream_stays_open(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.3
    board_id = await create_board(client)
    other_board = await create_board(client, "Another board")
    older = await seed_generation(client, board_id, "processing", progress=30)
    await seed_generation(client, board_id, "completed")
    await seed_generation(client, board_id, "failed")
    newer = await seed_generation(client, board_id, "pending")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        first, second = await stream.next(), await stream.next()
        # Only the active ones, oldest first, each as an `event: generation` frame.
        assert [(f.event, f.data["job_id"], f.data["status"]) for f in (first, second)] == [
            ("generation", older, "processing"),
            ("generation", newer, "pending"),
        ]
        events = client.services.events
        await events.publish(event(older, board_id, "completed", 1.0, phase="finalizing"))
        elsewhere = await seed_generation(client, other_board, "pending")
        await events.publish(event(elsewhere, other_board, "processing", 0.2))  # not this board's
        await events.publish(event(newer, board_id, "processing", 0.1))
        received = [await stream.next(), await stream.next()]
        assert [(f.data["job_id"], f.data["status"]) for f in received] == [(older, "completed"), (newer, "processing")]
        # A terminal status ends nothing here: the board lives on, and so does its stream.
        assert (await stream.next(timeout=2)).comment == "keep-alive"
        latest = await seed_generation(client, board_id, "pending")
        await events.publish(event(latest, board_id, "pending", 0.0, phase="queued"))
        frame = await stream.next()
        assert (frame.event, frame.data["job_id"], frame.data["board_id"]) == ("generation", latest, board_id)


async def test_an_empty_board_starts_silent(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.2
    board_id = await create_board(client)
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        assert (await stream.next(timeout=2)).comment == "keep-alive"


async def test_unknown_bad_and_unreadable_boards(client, other_client):
    missing = await client.http.get("/api/sse/boards/5d0c6f1e-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and "5d0c6f1e-0000-4000-8000-000000000000" in missing.json()["detail"]
    bad = await client.http.get("/api/sse/boards/12345")
    assert bad.status_code == 400 and "'12345' is not a board id" in bad.json()["detail"]
    private_board = await create_board(client, "Private")
    refused = await other_client.http.get(f"/api/sse/boards/{private_board}")
    assert refused.status_code == 404


async def test_a_deleted_board_ends_its_stream(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.2
    board_id = await create_board(client)
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        assert (await stream.next(timeout=2)).comment == "keep-alive"
        await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id})
        frames = await stream.rest(timeout=3)
    # What follows the keep-alives is the board's own deletion (an `event: board` frame), then the end.
    told = [f for f in frames if f.data is not None]
    assert [(f.event, f.data["kind"], f.data["generation_ids"]) for f in told] == [("board", "deleted", [])]
