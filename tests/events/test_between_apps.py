"""Two app processes on one PostgreSQL database see each other's progress (LISTEN/NOTIFY).

`client` and `other_client` are two installations on the same database, each with its own broker
and its own LISTEN connection, as two teammates' apps would be.
"""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AsyncExitStack
from dataclasses import replace
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from boards_desktop.db.models import Generation
from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.jobs.events_postgres import APPLICATION_NAME
from tests.events.conftest import open_stream
from tests.events.helpers import create_board, event, seed_generation


@pytest.fixture
def engine_name() -> str:
    return "postgresql"


async def test_an_event_published_in_one_app_arrives_on_the_other_apps_stream(client, other_client, served_other):
    board_id = await create_board(client, "Shared", isPublic=True)
    generation_id = await seed_generation(client, board_id, "processing")
    async with AsyncExitStack() as stack:
        stream = await open_stream(served_other.http, f"/api/sse/generations/{generation_id}/progress", stack)
        assert (await stream.next()).data["status"] == "processing"
        await client.services.events.publish(event(generation_id, board_id, "processing", 0.4, message="40%"))
        await client.services.events.publish(event(generation_id, board_id, "completed", 1.0, phase="finalizing"))
        frames = await stream.rest()
    assert [(f.data["status"], f.data["progress"], f.data["message"]) for f in frames] == [
        ("processing", 0.4, "40%"),
        ("completed", 1.0, None),
    ]


async def test_a_process_delivers_its_own_events_once(client, other_client):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    async with (
        client.services.events.subscribe(generation_id=generation_id) as mine,
        other_client.services.events.subscribe(generation_id=generation_id) as theirs,
    ):
        for step in range(1, 6):
            await client.services.events.publish(event(generation_id, board_id, "processing", step / 10))
        received_there = [await asyncio.wait_for(theirs.next(), 5) for _ in range(5)]
        await asyncio.sleep(0.3)  # time enough for our own notifications to come back, were they not skipped
        received_here = []
        while (item := await mine.next(timeout=0.05)) is not None:
            received_here.append(item)
    assert [e.progress for e in received_here] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert [e.progress for e in received_there] == [0.1, 0.2, 0.3, 0.4, 0.5]


async def test_an_event_too_large_for_a_notification_arrives_whole_from_the_database(
    client, other_client, served_other
):
    board_id = await create_board(client, "Shared", isPublic=True)
    metadata = {"prompt_used": "a very long prompt " * 800, "width": 2048}  # ~15 KB, past NOTIFY's 8000 bytes
    generation_id = await seed_generation(
        client, board_id, "completed", progress=100, storage_url="/api/storage/big.png", output_metadata=metadata
    )
    async with AsyncExitStack() as stack:
        stream = await open_stream(served_other.http, f"/api/sse/boards/{board_id}", stack)
        async with client.services.database.read() as session:
            row = await session.get(Generation, uuid.UUID(generation_id))
        await client.services.events.publish(GenerationEvent.from_record(row))
        frame = await stream.next()
    assert frame.data["job_id"] == generation_id and frame.data["status"] == "completed"
    (artifact,) = frame.data["artifacts"]
    assert artifact["type"] == "image" and artifact["metadata"] == metadata
    assert urlsplit(artifact["url"]).path == "/api/storage/big.png"  # absolute and signed: see tests/clients


async def test_the_listening_connection_comes_back_after_the_server_drops_it(client, other_client, database_url):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        dropped = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
            APPLICATION_NAME,
        )
        assert dropped == 2  # one per app
        async with other_client.services.events.subscribe(generation_id=generation_id) as theirs:
            arrived = None
            for attempt in range(40):  # each app reconnects on its own; ask until both are back
                await client.services.events.publish(event(generation_id, board_id, "processing", attempt / 100))
                arrived = await theirs.next(timeout=0.25)
                if arrived is not None:
                    break
        assert arrived is not None, "no event crossed between the apps after the connections were dropped"
        back = await admin.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", APPLICATION_NAME
        )
        assert back == 2
    finally:
        await admin.close()


async def test_a_live_preview_travels_when_small_and_is_left_out_when_too_large_for_a_notification(
    client, other_client
):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    small = "data:image/jpeg;base64," + "A" * 2000
    large = "data:image/jpeg;base64," + "B" * 20000
    async with other_client.services.events.subscribe(generation_id=generation_id) as theirs:
        first = replace(event(generation_id, board_id, "processing", 0.3, message="step 3 of 10"), preview_url=small)
        second = replace(event(generation_id, board_id, "processing", 0.6, message="step 6 of 10"), preview_url=large)
        await client.services.events.publish(first)
        await client.services.events.publish(second)
        received = [await asyncio.wait_for(theirs.next(), 5) for _ in range(2)]
    # The large one came as itself (its message and figure, not a reference read back from the row).
    assert [(e.message, e.progress, e.preview_url) for e in received] == [
        ("step 3 of 10", 0.3, small),
        ("step 6 of 10", 0.6, None),
    ]
