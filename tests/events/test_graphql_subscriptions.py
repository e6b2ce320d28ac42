"""The GraphQL subscriptions over a websocket (graphql-transport-ws at /graphql): the SSE events, typed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.asyncio.client import ClientConnection, connect

from tests.app_harness import as_stored_artifacts
from tests.events.helpers import create_board, event, seed_generation

GENERATION_PROGRESS = """
subscription($id: UUID!) {
  generationProgress(id: $id) {
    jobId boardId status progress phase message errorMessage estimatedCompletion
    artifacts { url type metadata } thumbnailUrl timestamp
  }
}
"""
BOARD_EVENTS = "subscription($boardId: UUID!) { boardEvents(boardId: $boardId) { jobId status progress phase } }"


@asynccontextmanager
async def graphql_socket(served) -> AsyncIterator[ClientConnection]:
    url = served.url.replace("http://", "ws://") + "/graphql"
    async with connect(
        url, subprotocols=["graphql-transport-ws"], additional_headers={"Authorization": f"Bearer {served.token}"}
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 5)) == {"type": "connection_ack"}
        yield socket


async def _subscribe(socket: ClientConnection, query: str, variables: dict, op_id: str = "1") -> None:
    await socket.send(
        json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})
    )


async def _message(socket: ClientConnection) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), 5))


async def test_generation_progress_sends_the_state_then_changes_then_completes(client, served):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "pending")
    async with graphql_socket(served) as socket:
        await _subscribe(socket, GENERATION_PROGRESS, {"id": generation_id})
        first = await _message(socket)
        assert first["type"] == "next" and first["id"] == "1"
        snapshot = first["payload"]["data"]["generationProgress"]
        assert (
            snapshot["jobId"],
            snapshot["boardId"],
            snapshot["status"],
            snapshot["progress"],
            snapshot["phase"],
        ) == (generation_id, board_id, "PENDING", 0.0, "QUEUED")
        events = client.services.events
        await events.publish(event(generation_id, board_id, "processing", 0.5, message="halfway"))
        artifact = {"url": "/api/storage/c.png", "type": "image", "metadata": {"width": 64}}
        await events.publish(
            event(generation_id, board_id, "completed", 1.0, phase="finalizing", artifacts=(artifact,))
        )
        second, third, done = await _message(socket), await _message(socket), await _message(socket)
    middle = second["payload"]["data"]["generationProgress"]
    assert (middle["status"], middle["progress"], middle["phase"], middle["message"]) == (
        "PROCESSING",
        0.5,
        "PROCESSING",
        "halfway",
    )
    last = third["payload"]["data"]["generationProgress"]
    assert last["status"] == "COMPLETED" and as_stored_artifacts(last["artifacts"]) == [artifact]
    assert done == {"id": "1", "type": "complete"}


async def test_board_events_send_active_generations_then_every_change_of_the_board(client, served):
    board_id = await create_board(client)
    other_board = await create_board(client, "Elsewhere")
    running = await seed_generation(client, board_id, "processing", progress=10)
    await seed_generation(client, board_id, "completed")
    async with graphql_socket(served) as socket:
        await _subscribe(socket, BOARD_EVENTS, {"boardId": board_id})
        snapshot = (await _message(socket))["payload"]["data"]["boardEvents"]
        assert (snapshot["jobId"], snapshot["status"], snapshot["progress"]) == (running, "PROCESSING", 0.1)
        events = client.services.events
        elsewhere = await seed_generation(client, other_board, "pending")
        await events.publish(event(elsewhere, other_board, "processing", 0.3))
        await events.publish(event(running, board_id, "completed", 1.0, phase="finalizing"))
        newcomer = await seed_generation(client, board_id, "pending")
        await events.publish(event(newcomer, board_id, "pending", 0.0, phase="queued"))
        received = [(await _message(socket))["payload"]["data"]["boardEvents"] for _ in range(2)]
        await socket.send(json.dumps({"id": "1", "type": "complete"}))
    assert [(e["jobId"], e["status"]) for e in received] == [(running, "COMPLETED"), (newcomer, "PENDING")]


async def test_an_unknown_or_unreadable_generation_or_board_is_an_error_naming_it(client, served_other):
    private_board = await create_board(client, "Private")
    private_generation = await seed_generation(client, private_board, "processing")
    missing = "5d0c6f1e-0000-4000-8000-000000000000"
    cases = [
        (GENERATION_PROGRESS, {"id": missing}, missing),
        (GENERATION_PROGRESS, {"id": private_generation}, private_generation),
        (BOARD_EVENTS, {"boardId": private_board}, private_board),
    ]
    # Asked by another installation on the same database, which is no member of the private board.
    async with graphql_socket(served_other) as socket:
        for index, (query, variables, named) in enumerate(cases):
            await _subscribe(socket, query, variables, str(index))
            answer, end = await _message(socket), await _message(socket)
            assert answer["type"] == "next" and answer["payload"]["data"] is None, answer
            (error,) = answer["payload"]["errors"]
            assert named in error["message"] and error["extensions"]["code"] == "NOT_FOUND", error
            assert end == {"id": str(index), "type": "complete"}
