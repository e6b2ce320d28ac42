"""A board's stream sends what was published together in one go: still every event, once, in order."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack, aclosing
from datetime import timedelta

from boards_desktop.db.types import utcnow
from boards_desktop.jobs.board_events import BoardEvent
from boards_desktop.jobs.event_feeds import board_feed_batches
from tests.events.conftest import open_stream
from tests.events.helpers import create_board, event, seed_generation

CREATE_MANY = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }"


async def test_events_published_together_come_as_one_batch_in_their_order(client):
    board_id = await create_board(client)
    waiting = await seed_generation(client, board_id, "pending")
    services = client.services
    feed = board_feed_batches(services.events, services.database, uuid.UUID(board_id), idle=60)
    async with aclosing(feed):
        assert [e.generation_id for e in await anext(feed)] == [waiting]  # subscribed: the active ones first
        start = utcnow() + timedelta(seconds=1)
        jobs = [str(uuid.uuid4()) for _ in range(20)]
        published = []
        for step, status in enumerate(("pending", "processing", "completed")):
            for index, job in enumerate(jobs):
                at = start + timedelta(milliseconds=100 * step + index)
                published.append(event(job, board_id, status, 1.0 if status == "completed" else 0.0, timestamp=at))
        # A repeat of a state already published tells nothing: left out, as one by one.
        repeat = event(jobs[0], board_id, "completed", 1.0, timestamp=start + timedelta(seconds=5))
        moved = BoardEvent("renamed", board_id, title="Renamed")
        for item in (*published, repeat, moved):
            await services.events.publish(item)  # never suspends: all of them wait for the reader together
        batch = await anext(feed)
    assert batch == [*published, moved]


async def test_every_completion_of_a_burst_of_jobs_reaches_the_board_stream_in_order(client, served):
    board_id = await create_board(client)
    item = {"boardId": board_id, "generatorName": "test-fast", "artifactType": "IMAGE", "inputParams": {}}
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, f"/api/sse/boards/{board_id}", stack)
        queued = await asyncio.gather(*(client.data(CREATE_MANY, {"i": [item] * 10}) for _ in range(4)))
        ids = {row["id"] for answer in queued for row in answer["createGenerations"]}
        seen: dict[str, list[str]] = {job: [] for job in ids}
        while any(statuses[-1:] != ["completed"] for statuses in seen.values()):
            frame = await stream.next(timeout=30)
            assert frame is not None and frame.data is not None, "the stream ended or fell silent"
            assert frame.data["job_id"] in ids and frame.data["status"] != "failed", frame.data
            seen[frame.data["job_id"]].append(frame.data["status"])
    order = ["pending", "processing", "completed"]
    for job, statuses in seen.items():
        # Each state once, in the order the job went through them (an early one may be overtaken, never repeated).
        assert statuses == sorted(set(statuses), key=order.index) and statuses[-1] == "completed", (job, statuses)
