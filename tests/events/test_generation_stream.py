"""GET /api/sse/generations/{id}/progress: the current state first, each change at once, then the end."""

from __future__ import annotations

import json
import uuid
from contextlib import AsyncExitStack
from datetime import datetime

from sqlalchemy import update

from boards_desktop.api.sse import KEEPALIVE_STATE_KEY
from boards_desktop.db.models import Generation
from tests.app_harness import as_stored, as_stored_artifacts
from tests.events.conftest import open_stream
from tests.events.helpers import an_hour_ago, create_board, event, seed_generation

PAYLOAD_KEYS = {
    "job_id",
    "board_id",
    "status",
    "progress",
    "phase",
    "message",
    "error_message",
    "estimated_completion",
    "artifacts",
    "thumbnail_url",
    "timestamp",
    "generator_name",
}


async def test_snapshot_first_then_each_change_in_order_and_the_stream_ends_after_completion(client, served):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "pending")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        headers = stream.response.headers
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-cache" and headers["x-accel-buffering"] == "no"

        snapshot = await stream.next()
        assert snapshot.event is None and set(snapshot.data) == PAYLOAD_KEYS
        assert snapshot.data | {"timestamp": None} == {
            "job_id": generation_id,
            "board_id": board_id,
            "status": "pending",
            "progress": 0.0,
            "phase": "queued",
            "message": None,
            "error_message": None,
            "estimated_completion": None,
            "artifacts": [],
            "thumbnail_url": None,
            "timestamp": None,
            "generator_name": "no-runner-knows-me",
        }

        events = client.services.events
        await events.publish(event(generation_id, board_id, "processing", 0.0, phase="initializing"))
        await events.publish(event(generation_id, board_id, "processing", 0.25, message="step 5 of 20"))
        await events.publish(event(generation_id, board_id, "processing", 0.75, message="step 15 of 20"))
        artifact = {"url": "/api/storage/a.png", "type": "image", "metadata": {"width": 512}}
        await events.publish(
            event(
                generation_id,
                board_id,
                "completed",
                1.0,
                phase="finalizing",
                artifacts=(artifact,),
                thumbnail_url="/api/storage/a.webp",
            )
        )
        frames = await stream.rest()

    assert [(f.data["status"], f.data["progress"], f.data["phase"]) for f in frames] == [
        ("processing", 0.0, "initializing"),
        ("processing", 0.25, "processing"),
        ("processing", 0.75, "processing"),
        ("completed", 1.0, "finalizing"),
    ]
    assert frames[1].data["message"] == "step 5 of 20"
    assert as_stored_artifacts(frames[-1].data["artifacts"]) == [artifact]
    assert as_stored(frames[-1].data["thumbnail_url"]) == "/api/storage/a.webp"
    stamps = [datetime.fromisoformat(f.data["timestamp"]) for f in [snapshot, *frames]]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # each event stamped, none frozen


async def test_a_finished_generation_sends_its_state_with_its_artifacts_and_ends(client):
    board_id = await create_board(client)
    generation_id = await seed_generation(
        client,
        board_id,
        "completed",
        progress=100,
        storage_url="/api/storage/b/x.png",
        thumbnail_url="/api/storage/b/x.webp",
        output_metadata={"width": 640, "height": 480},
    )
    # A stream that ends can be read through the in-process ASGI client too.
    response = await client.http.get(f"/api/sse/generations/{generation_id}/progress")
    assert response.status_code == 200
    assert response.text.startswith("data: {") and response.text.endswith("\n\n")
    frames = [block for block in response.text.split("\n\n") if block]
    assert len(frames) == 1
    payload = json.loads(frames[0].removeprefix("data: "))
    assert payload["status"] == "completed" and payload["progress"] == 1.0 and payload["phase"] == "finalizing"
    assert as_stored_artifacts(payload["artifacts"]) == [
        {"url": "/api/storage/b/x.png", "type": "image", "metadata": {"width": 640, "height": 480}}
    ]
    assert as_stored(payload["thumbnail_url"]) == "/api/storage/b/x.webp"


async def test_a_failed_generation_carries_its_error(client):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "failed", error_message="the provider said: no credit")
    response = await client.http.get(f"/api/sse/generations/{generation_id}/progress")
    assert '"status":"failed"' in response.text and '"error_message":"the provider said: no credit"' in response.text


async def test_cancelling_through_graphql_ends_the_stream_with_cancelled(client, served):
    board_id = await create_board(client)
    generation_id = await seed_generation(
        client, board_id, "processing", progress=40, progress_phase="processing", progress_message="denoising"
    )
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        snapshot = await stream.next()
        assert (
            snapshot.data["status"],
            snapshot.data["progress"],
            snapshot.data["phase"],
            snapshot.data["message"],
        ) == ("processing", 0.4, "processing", "denoising")
        await client.data("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": generation_id})
        frames = await stream.rest()
    assert [f.data["status"] for f in frames] == ["cancelled"]


async def test_events_older_than_the_snapshot_are_dropped_and_repeats_are_skipped(client, served):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing", progress=50, progress_phase="processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        assert (await stream.next()).data["progress"] == 0.5
        events = client.services.events
        # Published before the row was written (the runner's progress is saved at intervals): stale.
        await events.publish(event(generation_id, board_id, "processing", 0.1, timestamp=an_hour_ago()))
        # The same state as the snapshot: nothing new to tell.
        await events.publish(event(generation_id, board_id, "processing", 0.5))
        await events.publish(event(generation_id, board_id, "processing", 0.6))
        await events.publish(event(generation_id, board_id, "failed", 0.6, phase="finalizing", error_message="boom"))
        frames = await stream.rest()
    assert [(f.data["status"], f.data["progress"]) for f in frames] == [("processing", 0.6), ("failed", 0.6)]


async def test_keep_alive_comments_in_silence(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.2
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        assert (await stream.next()).data["status"] == "processing"
        first = await stream.next(timeout=2)
        second = await stream.next(timeout=2)
        assert first.comment == "keep-alive" and first.data is None and second.comment == "keep-alive"
        await client.services.events.publish(event(generation_id, board_id, "completed", 1.0, phase="finalizing"))
        frames = await stream.rest()
    assert [f.data["status"] for f in frames if f.data] == ["completed"]


async def test_unknown_bad_and_unreadable_generations(client, other_client):
    missing = await client.http.get("/api/sse/generations/5d0c6f1e-0000-4000-8000-000000000000/progress")
    assert missing.status_code == 404 and "5d0c6f1e-0000-4000-8000-000000000000" in missing.json()["detail"]

    bad = await client.http.get("/api/sse/generations/not-a-uuid/progress")
    assert bad.status_code == 400 and "not-a-uuid" in bad.json()["detail"] and "UUID" in bad.json()["detail"]

    private_board = await create_board(client, "Private")
    generation_id = await seed_generation(client, private_board, "processing")
    other = await other_client.http.get(f"/api/sse/generations/{generation_id}/progress")
    assert other.status_code == 404, other.text

    public_board = await create_board(client, "Public", isPublic=True)
    public_generation = await seed_generation(client, public_board, "completed")
    readable = await other_client.http.get(f"/api/sse/generations/{public_generation}/progress")
    assert readable.status_code == 200 and '"status":"completed"' in readable.text


async def test_in_silence_the_stream_looks_at_the_row_and_ends_on_a_missed_terminal_status(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.2
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        assert (await stream.next()).data["status"] == "processing"
        # Finished by a process whose event never arrived (its connection to PostgreSQL was down, say).
        async with client.services.database.write() as session:
            await session.execute(
                update(Generation)
                .where(Generation.id == uuid.UUID(generation_id))
                .values(status="failed", error_message="the provider went away")
            )
        frames = [f for f in await stream.rest(timeout=3) if f.data]
    assert [(f.data["status"], f.data["error_message"]) for f in frames] == [("failed", "the provider went away")]


async def test_a_deleted_generation_ends_its_stream(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.2
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "pending")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/generations/{generation_id}/progress", stack)
        assert (await stream.next()).data["status"] == "pending"
        await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": generation_id})
        frames = await stream.rest(timeout=3)
    assert [f.data for f in frames if f.data] == []
