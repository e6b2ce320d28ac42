"""A generation's events may arrive out of order; the board stream must still end on its real state.

Between the commit of `createGeneration` and its "pending" announcement, a job runner (this app's,
woken by another request, or another app's on PostgreSQL) may claim the job, run it and publish its
completion. The announcement then arrives last. It is stamped with the time of its write, so it is
the oldest of the three, and must neither replace the completion in a lagging reader's buffer nor be
sent after it. Before this was so, a completion could vanish from a busy board stream (the
throughput benchmark on PostgreSQL waited for it forever).
"""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack

from boards_desktop.api.sse import KEEPALIVE_STATE_KEY
from boards_desktop.db.models import Generation
from boards_desktop.db.types import utcnow
from tests.events.conftest import SSEReader, open_stream
from tests.events.helpers import create_board, event, seed_generation
from tests.events.test_board_changes import open_board_stream

JOBS = 300  # more than a subscriber buffers (256), so that a reader that has not read yet lags


async def _states_until(stream: SSEReader, marker: str) -> dict[str, list[str]]:
    """Each generation's statuses as the stream sent them, up to the marker generation's frame."""
    states: dict[str, list[str]] = {}
    while True:
        frame = await stream.next()
        assert frame is not None, "the stream ended"
        if frame.data is None:
            continue
        if frame.data["job_id"] == marker:
            return states
        states.setdefault(frame.data["job_id"], []).append(frame.data["status"])


async def test_a_completion_overtaken_by_its_late_announcement_reaches_a_lagging_stream(client, served):
    board_id = await create_board(client)
    written = utcnow()  # each job's row was written (and announced with this stamp) before it ran
    generations = [await seed_generation(client, board_id, "processing") for _ in range(JOBS)]
    marker = await seed_generation(client, board_id, "processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        opening = await _states_until(stream, marker)  # the current state: every job processing
        assert set(opening) == set(generations)
        events = client.services.events
        # One burst, as under load: nothing is read until it is over, so the stream's buffer overflows.
        for generation_id in generations:
            await events.publish(event(generation_id, board_id, "completed", 1.0, phase="finalizing"))
        for generation_id in generations:
            await events.publish(event(generation_id, board_id, "pending", 0.0, phase="queued", timestamp=written))
        await events.publish(event(marker, board_id, "processing", 0.5))
        states = await _states_until(stream, marker)
    assert set(states) == set(generations), "some completions never reached the stream"
    assert {generation_id: sent[-1] for generation_id, sent in states.items()} == dict.fromkeys(
        generations, "completed"
    )


async def test_a_late_announcement_is_not_sent_after_the_completion(client, served):
    board_id = await create_board(client)
    written = utcnow()
    generation_id = await seed_generation(client, board_id, "processing")
    marker = await seed_generation(client, board_id, "processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        await _states_until(stream, marker)
        events = client.services.events
        await events.publish(event(generation_id, board_id, "completed", 1.0, phase="finalizing"))
        assert (await stream.next()).data["status"] == "completed"
        await events.publish(event(generation_id, board_id, "pending", 0.0, phase="queued", timestamp=written))
        await events.publish(event(marker, board_id, "processing", 0.5))
        frame = await stream.next()
    assert (frame.data["job_id"], frame.data["status"]) == (marker, "processing")


async def test_every_real_job_completion_reaches_a_board_stream_and_stays_the_last_word(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 1.0
    board_id = await create_board(client)
    item = {
        "boardId": board_id,
        "generatorName": "local-title-card",
        "artifactType": "IMAGE",
        "inputParams": {"prompt": "Hi", "width": 64, "height": 64, "padding": 4},
    }
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(client, served, board_id, stack)
        created = await served.http.post(
            "/graphql",
            json={
                "query": "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }",
                "variables": {"i": [item] * 60},
            },
        )
        ids = {row["id"] for row in created.json()["data"]["createGenerations"]}
        last: dict[str, str] = {}
        while True:
            frame = await stream.next(timeout=60)
            assert frame is not None
            if frame.data is None:  # a keep-alive: a second of silence, every job done
                if ids <= {g for g, status in last.items() if status == "completed"}:
                    break
                continue
            last[frame.data["job_id"]] = frame.data["status"]
    assert last == dict.fromkeys(ids, "completed")


async def test_a_completion_whose_event_was_lost_reaches_the_board_stream_from_the_database(client, served):
    # As when another app completed it while this app's LISTEN connection was reconnecting: the row
    # says completed, and no event will ever say so.
    client.app.state[KEEPALIVE_STATE_KEY] = 0.3
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing", progress=40)
    async with AsyncExitStack() as stack:
        stream = await open_board_stream(client, served, board_id, stack)
        assert (await stream.next()).data["status"] == "processing"
        async with client.services.database.write() as session:
            row = await session.get(Generation, uuid.UUID(generation_id))
            row.status, row.progress, row.updated_at = "completed", 100, utcnow()
        while (frame := await stream.next()).data is None:  # keep-alives, then what the row says
            pass
    assert (frame.data["job_id"], frame.data["status"], frame.data["progress"]) == (generation_id, "completed", 1.0)
