"""GET /api/sse/queue: a frame whenever a job's status changes (what moves the queue panel's counts)."""

from __future__ import annotations

from contextlib import AsyncExitStack

from boards_desktop.api.sse import KEEPALIVE_STATE_KEY
from tests.events.conftest import open_stream
from tests.jobs.support import new_board, queue


async def test_each_change_of_status_once_and_never_progress(client, served):
    client.app.state[KEEPALIVE_STATE_KEY] = 0.3
    board = await new_board(client)
    async with AsyncExitStack() as stack:
        stream = await open_stream(served.http, "/api/sse/queue", stack)
        assert (await stream.next(timeout=2)).comment == "keep-alive"  # subscribed, and quiet
        await queue(client, board, "test-slow", {"steps": 5, "delay": 0.02})
        frames = []
        while len(frames) < 3:
            frame = await stream.next(timeout=10)
            if frame.comment is None:  # keep-alives come between while the job runs
                frames.append(frame)
        assert [(frame.event, frame.data) for frame in frames] == [
            ("queue", {"status": "pending", "generator_name": "test-slow"}),
            ("queue", {"status": "processing", "generator_name": "test-slow"}),
            ("queue", {"status": "completed", "generator_name": "test-slow"}),
        ]
        # Five progress reports were published meanwhile: none was sent, then or after.
        assert (await stream.next(timeout=2)).comment == "keep-alive"
