"""A reader that does not keep up holds up neither the publisher nor the other readers."""

from __future__ import annotations

import asyncio
import socket
from contextlib import AsyncExitStack
from urllib.parse import urlsplit

from tests.events.conftest import open_stream
from tests.events.helpers import create_board, event, seed_generation

EVENTS = 1000
MESSAGE = "x" * 8000  # 1000 frames of ~8 KB: far more than the stalled client's socket buffers hold


def _stalled_sse_client(url: str, path: str, token: str) -> socket.socket:
    """An SSE client that sends its request and then reads nothing (a frozen tab, a suspended laptop)."""
    parts = urlsplit(url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname, parts.port))
    request = f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n\r\n"
    sock.sendall(request.encode())
    return sock


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
        if chunks[-1].endswith(b"0\r\n\r\n"):  # the end of a chunked body
            break
    return b"".join(chunks)


async def test_a_stalled_sse_client_blocks_neither_publishing_nor_another_client(client, served):
    board_id = await create_board(client)
    generation_id = await seed_generation(client, board_id, "processing")
    path = f"/api/sse/generations/{generation_id}/progress"
    stalled = _stalled_sse_client(served.url, path, served.token)
    try:
        async with AsyncExitStack() as stack:
            reader = await open_stream(served.http, path, stack)
            assert (await reader.next()).data["status"] == "processing"
            events = client.services.events
            while events.subscriber_count < 2:  # the stalled client's stream has subscribed too
                await asyncio.sleep(0.01)

            reading = asyncio.create_task(reader.rest(timeout=10))  # this client reads as it comes

            async def publish_all() -> None:
                for step in range(EVENTS):
                    await events.publish(
                        event(generation_id, board_id, "processing", step / EVENTS, message=f"{step} {MESSAGE}")
                    )
                    await asyncio.sleep(0.001)  # a fast generator's pace; the reader must keep up with it
                await events.publish(event(generation_id, board_id, "completed", 1.0, phase="finalizing"))

            # A publisher held up by the stalled reader would never finish: the deadline only guards against
            # that hang (no measure of speed; a loaded machine takes several seconds).
            await asyncio.wait_for(publish_all(), 120)

            frames = await reading
        assert [int(f.data["message"].split()[0]) for f in frames[:-1]] == list(range(EVENTS))  # all, in order
        assert frames[-1].data["status"] == "completed"

        # The stalled client, reading at last, gets the newest state and the end, not a backlog of everything.
        body = await asyncio.to_thread(_read_all, stalled)
        assert b'"status":"completed"' in body
        assert body.count(b"data: ") < EVENTS / 2, f"{body.count(b'data: ')} frames were kept for a stalled reader"
    finally:
        stalled.close()


async def test_a_lagging_subscriber_keeps_the_newest_state_of_each_generation(client):
    events = client.services.events
    board_id = await create_board(client)
    ids = [await seed_generation(client, board_id, "processing") for _ in range(3)]
    async with events.subscribe(board_id=board_id) as lagging, events.subscribe(board_id=board_id) as keeping_up:
        kept: list = []
        for step in range(1, 1001):
            for generation_id in ids:
                await events.publish(event(generation_id, board_id, "processing", step / 1000))
            while (item := await keeping_up.next(timeout=0)) is not None:
                kept.append(item)
        await events.publish(event(ids[0], board_id, "failed", 0.5, phase="finalizing", error_message="out of memory"))
        while (item := await keeping_up.next(timeout=0)) is not None:
            kept.append(item)

        backlog = []
        while (item := await lagging.next(timeout=0)) is not None:
            backlog.append(item)
    assert len(kept) == 3001  # the reader that kept up missed nothing
    assert len(backlog) <= 256 + 3 and lagging.coalesced > 0
    newest = {}
    for item in backlog:
        newest[item.generation_id] = item
    assert newest[ids[0]].status == "failed" and newest[ids[0]].error_message == "out of memory"
    assert newest[ids[1]].progress == 1.0 and newest[ids[2]].progress == 1.0
    # What survived is still in publishing order for each generation.
    for generation_id in ids[1:]:
        progress = [item.progress for item in backlog if item.generation_id == generation_id]
        assert progress == sorted(progress)
