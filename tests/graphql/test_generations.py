"""Generations: create, read, list (`Board.generations`, `recentGenerations`), regenerate, cancel, delete."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from tests.graphql.helpers import (
    BASE_TIME,
    GENERATION_FIELDS,
    GENERATOR,
    create_board,
    create_generation,
    error_of,
    is_utc,
    is_uuid,
    my_id,
    seed_generations,
)

GENERATION = f"query($id: UUID!) {{ generation(id: $id) {{ {GENERATION_FIELDS} board {{ id }} user {{ id }} }} }}"
BOARD_GENERATIONS = """query($id: UUID!, $limit: Int, $offset: Int) { board(id: $id) {
    generationCount generations(limit: $limit, offset: $offset) { id } } }"""
RECENT = """query($board: UUID, $status: GenerationStatus, $type: ArtifactType, $limit: Int, $offset: Int) {
    recentGenerations(boardId: $board, status: $status, artifactType: $type, limit: $limit, offset: $offset) { id } }"""
CANCEL = "mutation($id: UUID!) { cancelGeneration(id: $id) { id status } }"
DELETE = "mutation($id: UUID!) { deleteGeneration(id: $id) }"
REGENERATE = f"mutation($id: UUID!) {{ regenerate(id: $id) {{ {GENERATION_FIELDS} }} }}"


async def generation_of(client, generation_id: str) -> dict | None:
    return (await client.data(GENERATION, {"id": generation_id}))["generation"]


async def recent(client, **arguments) -> list[str]:
    data = await client.data(RECENT, {"limit": 50, "offset": 0, **arguments})
    return [g["id"] for g in data["recentGenerations"]]


async def test_create_generation_stores_a_pending_generation(client):
    me = await my_id(client)
    board_id = await create_board(client, "Renders")
    params = {
        "prompt": "café at dusk ☕",
        "steps": 30,
        "guidance": 7.5,
        "seed": None,
        "sizes": [512, 768],
        "extra": {"a": True},
    }
    created = await create_generation(client, board_id, params, generator="test-video", artifact_type="VIDEO")

    assert is_uuid(created["id"])
    assert created["boardId"] == board_id and created["userId"] == me
    assert created["tenantId"] == str(client.services.actor.tenant_id)
    assert created["generatorName"] == "test-video"
    assert created["artifactType"] == "VIDEO"
    assert created["inputParams"] == params
    assert created["status"] == "PENDING"
    assert created["progress"] == 0
    assert created["storageUrl"] is None and created["thumbnailUrl"] is None
    assert created["additionalFiles"] == [] and created["outputMetadata"] == {}
    assert created["errorMessage"] is None and created["externalJobId"] is None
    assert created["startedAt"] is None and created["completedAt"] is None
    assert is_utc(created["createdAt"]) and is_utc(created["updatedAt"])

    stored = await generation_of(client, created["id"])
    assert {k: stored[k] for k in created} == created
    assert stored["board"] == {"id": board_id} and stored["user"] == {"id": me}
    board = (await client.data(BOARD_GENERATIONS, {"id": board_id}))["board"]
    assert board == {"generationCount": 1, "generations": [{"id": created["id"]}]}


async def test_generation_of_unknown_id_is_null_and_mutations_say_not_found(client):
    missing = str(uuid.uuid4())
    assert await generation_of(client, missing) is None
    for query in (CANCEL, DELETE, "mutation($id: UUID!) { regenerate(id: $id) { id } }"):
        error_of(await client.graphql(query, {"id": missing}), "NOT_FOUND", "generation")


async def test_board_generations_are_newest_first_paginated_and_counted(client):
    board_id = await create_board(client, "Many")
    other_board = await create_board(client, "Elsewhere")
    ids = await seed_generations(client, board_id, [{"minute": m} for m in (5, 1, 3, 0, 6, 2, 4)])
    await seed_generations(client, other_board, [{"minute": 10}, {"minute": 11}])
    by_minute = dict(zip((5, 1, 3, 0, 6, 2, 4), ids))
    newest_first = [by_minute[m] for m in (6, 5, 4, 3, 2, 1, 0)]

    board = (await client.data(BOARD_GENERATIONS, {"id": board_id}))["board"]
    assert board["generationCount"] == 7
    assert [g["id"] for g in board["generations"]] == newest_first
    page = (await client.data(BOARD_GENERATIONS, {"id": board_id, "limit": 3, "offset": 2}))["board"]
    assert [g["id"] for g in page["generations"]] == newest_first[2:5]
    assert page["generationCount"] == 7
    tail = (await client.data(BOARD_GENERATIONS, {"id": board_id, "limit": 3, "offset": 6}))["board"]
    assert [g["id"] for g in tail["generations"]] == newest_first[6:]

    # A generation made through the API now is the newest.
    fresh = await create_generation(client, board_id)
    board = (await client.data(BOARD_GENERATIONS, {"id": board_id, "limit": 1}))["board"]
    assert board == {"generationCount": 8, "generations": [{"id": fresh["id"]}]}


async def test_recent_generations_filters_order_and_pages(client, other_client):
    board_a = await create_board(client, "A")
    board_b = await create_board(client, "B")
    hidden = await create_board(other_client, "Not mine")
    a0, a1, a2, a3 = await seed_generations(
        client,
        board_a,
        [
            {"minute": 0, "status": "completed", "artifact_type": "image"},
            {"minute": 1, "status": "failed", "artifact_type": "image", "error_message": "boom"},
            {"minute": 2, "status": "completed", "artifact_type": "video"},
            {"minute": 3, "status": "pending", "artifact_type": "audio"},
        ],
    )
    b4, b5 = await seed_generations(
        client,
        board_b,
        [
            {"minute": 4, "status": "completed", "artifact_type": "image"},
            {"minute": 5, "status": "processing", "artifact_type": "text"},
        ],
    )
    await seed_generations(
        other_client,
        hidden,
        [{"minute": 9, "status": "completed", "artifact_type": "image"}],
        user_id=await my_id(other_client),
    )

    assert await recent(client) == [b5, b4, a3, a2, a1, a0]
    data = await client.data("{ recentGenerations { id } }")
    assert [g["id"] for g in data["recentGenerations"]] == [b5, b4, a3, a2, a1, a0]
    assert await recent(client, board=board_a) == [a3, a2, a1, a0]
    assert await recent(client, status="COMPLETED") == [b4, a2, a0]
    assert await recent(client, status="PROCESSING") == [b5]
    assert await recent(client, status="CANCELLED") == []
    assert await recent(client, type="IMAGE") == [b4, a1, a0]
    assert await recent(client, type="TEXT") == [b5]
    assert await recent(client, board=board_a, status="COMPLETED", type="IMAGE") == [a0]
    assert await recent(client, board=board_b, status="FAILED") == []
    assert await recent(client, limit=2) == [b5, b4]
    assert await recent(client, limit=2, offset=1) == [b4, a3]
    assert await recent(client, limit=4, offset=4) == [a1, a0]
    assert await recent(client, board=hidden) == []
    assert len(await recent(other_client)) == 1


async def test_regenerate_copies_generator_type_and_params_into_a_new_pending_generation(client):
    board_id = await create_board(client, "Again")
    params = {"prompt": "a lighthouse", "seed": 7, "options": {"hdr": True}}
    (original,) = await seed_generations(
        client,
        board_id,
        [
            {
                "status": "completed",
                "artifact_type": "audio",
                "generator_name": "tts-test",
                "input_params": params,
                "storage_url": "file:///x/original.wav",
                "output_metadata": {"duration": 3},
                "progress": 100,
                "completed_at": BASE_TIME + timedelta(minutes=1),
            }
        ],
    )
    copy = (await client.data(REGENERATE, {"id": original}))["regenerate"]
    assert copy["id"] != original and is_uuid(copy["id"])
    assert copy["generatorName"] == "tts-test"
    assert copy["artifactType"] == "AUDIO"
    assert copy["inputParams"] == params
    assert copy["boardId"] == board_id
    assert copy["status"] == "PENDING" and copy["progress"] == 0
    assert copy["storageUrl"] is None and copy["outputMetadata"] == {} and copy["completedAt"] is None

    stored_original = await generation_of(client, original)
    assert stored_original["status"] == "COMPLETED" and stored_original["storageUrl"] == "file:///x/original.wav"
    board = (await client.data(BOARD_GENERATIONS, {"id": board_id}))["board"]
    assert board["generationCount"] == 2
    assert [g["id"] for g in board["generations"]] == [copy["id"], original]


async def test_cancel_pending_or_processing_and_terminal_states_are_final(client):
    board_id = await create_board(client, "Stop")
    pending = await create_generation(client, board_id)
    processing, completed, failed = await seed_generations(
        client,
        board_id,
        [
            {"status": "processing", "progress": 42.5, "started_at": BASE_TIME},
            {"status": "completed", "progress": 100},
            {"status": "failed", "error_message": "provider said no"},
        ],
    )
    seen = await generation_of(client, processing)
    assert seen["status"] == "PROCESSING" and seen["progress"] == 42.5 and is_utc(seen["startedAt"])
    assert (await generation_of(client, failed))["errorMessage"] == "provider said no"

    assert (await client.data(CANCEL, {"id": pending["id"]}))["cancelGeneration"] == {
        "id": pending["id"],
        "status": "CANCELLED",
    }
    assert (await generation_of(client, pending["id"]))["status"] == "CANCELLED"
    assert (await client.data(CANCEL, {"id": processing}))["cancelGeneration"]["status"] == "CANCELLED"
    assert (await generation_of(client, processing))["status"] == "CANCELLED"

    for generation_id, status in [(pending["id"], "cancelled"), (completed, "completed"), (failed, "failed")]:
        body = await client.graphql(CANCEL, {"id": generation_id})
        error_of(body, "CONFLICT", status, "terminal", "finished")
        assert (await generation_of(client, generation_id))["status"] == status.upper()


async def test_delete_generation(client):
    board_id = await create_board(client, "Trash")
    keep = await create_generation(client, board_id)
    doomed = await create_generation(client, board_id)

    assert (await client.data(DELETE, {"id": doomed["id"]}))["deleteGeneration"] is True
    assert await generation_of(client, doomed["id"]) is None
    board = (await client.data(BOARD_GENERATIONS, {"id": board_id}))["board"]
    assert board == {"generationCount": 1, "generations": [{"id": keep["id"]}]}
    assert await recent(client) == [keep["id"]]
    error_of(await client.graphql(DELETE, {"id": doomed["id"]}), "NOT_FOUND", "generation")
    # Regenerating a deleted generation is impossible too.
    error_of(await client.graphql(REGENERATE, {"id": doomed["id"]}), "NOT_FOUND", "generation")


async def test_create_generation_on_unknown_board_writes_nothing(client):
    body = await client.graphql(
        'mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "'
        + GENERATOR
        + '", artifactType: IMAGE, inputParams: {prompt: "x"}}) { id } }',
        {"b": str(uuid.uuid4())},
    )
    error_of(body, "NOT_FOUND", "board")
    assert await recent(client) == []


async def test_simultaneous_cancels_cancel_once(client):
    board_id = await create_board(client, "Race")
    generation = await create_generation(client, board_id)
    bodies = await asyncio.gather(*(client.graphql(CANCEL, {"id": generation["id"]}) for _ in range(5)))
    succeeded = [b for b in bodies if not b.get("errors")]
    assert len(succeeded) == 1, bodies
    for body in bodies:
        if body.get("errors"):
            error_of(body, "CONFLICT", "cancelled")
    assert (await generation_of(client, generation["id"]))["status"] == "CANCELLED"
