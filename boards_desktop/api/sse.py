"""Live progress as server-sent events: one generation's progress, or every generation of a board.

`GET /api/sse/generations/{id}/progress` keeps the upstream contract (frames `data: <json>`, the
snake_case payload with progress 0..1) and fixes its bugs: the current state comes first, each change
is sent as it is published, each event has its own timestamp, and the stream ends after a terminal
status. `GET /api/sse/boards/{id}` sends `event: generation` frames for every generation of a board,
starting with the state of its active ones, and `event: board` frames for changes to the board
itself (`{kind: "moved"|"deleted"|"renamed"|"members", board_id, generation_ids, to_board_id, title,
description, user_ids, role, timestamp}`: see boards_desktop.jobs.board_events), which a client that
knows only generation frames ignores. It ends after the board's deletion, and after a change of
members that leaves this app's user unable to read the board. `GET /api/sse/queue` sends
`event: queue` frames (`{"status", "generator_name"}`) whenever a job is queued, starts or ends, for
the queue panel; never its progress, prompt or board.

Both send a `: keep-alive` comment after `KEEPALIVE_SECONDS` of silence, so that proxies and clients
do not time the connection out; an app may shorten it through `app.state[KEEPALIVE_STATE_KEY]`.
Both end cleanly the moment the server starts shutting down (boards_desktop.shutdown), so that an
open page never holds a shutdown for its whole grace.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.response import Stream

from boards_desktop.api.media_urls import MediaUrls
from boards_desktop.graphql.context import get_request_context
from boards_desktop.graphql.lookups import readable_board, readable_generation
from boards_desktop.jobs.event_feeds import IDLE_SECONDS, board_feed_batches, generation_feed, queue_feed
from boards_desktop.jobs.events import AnyEvent, BoardEvent, GenerationEvent
from boards_desktop.services import Services
from boards_desktop.shutdown import STATE_KEY as STOPPING_KEY
from boards_desktop.shutdown import until_stopping

KEEPALIVE_SECONDS = IDLE_SECONDS
KEEPALIVE_STATE_KEY = "sse_keepalive_seconds"

_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_KEEPALIVE_FRAME = b": keep-alive\n\n"


@get("/api/sse/generations/{generation_id:str}/progress")
async def generation_progress(request: Request[Any, Any, Any], generation_id: str) -> Stream:
    """The generation's current state, then each change; the stream ends after completed, failed or cancelled."""
    parsed = _uuid(generation_id, "generation")
    ctx = await get_request_context(request)
    try:
        readable = await readable_generation(ctx, parsed) is not None
    finally:
        await ctx.sessions.close()
    if not readable:
        raise NotFoundException(f"Generation {parsed} not found, or you may not read its board")
    services = _services(request)
    feed = _one_by_one(generation_feed(services.events, services.database, parsed, idle=_keepalive(request)))
    frames = _frames(feed, request, event_name=None, urls=ctx.media_urls, still_readable=None)
    return Stream(frames, media_type="text/event-stream", headers=_HEADERS)


@get("/api/sse/boards/{board_id:str}")
async def board_events(request: Request[Any, Any, Any], board_id: str) -> Stream:
    """Every generation event of the board, beginning with the state of its pending and processing ones."""
    parsed = _uuid(board_id, "board")
    ctx = await get_request_context(request)
    try:
        readable = await readable_board(ctx, parsed) is not None
    finally:
        await ctx.sessions.close()
    if not readable:
        raise NotFoundException(f"Board {parsed} not found, or you may not read it")
    services = _services(request)
    feed = board_feed_batches(services.events, services.database, parsed, idle=_keepalive(request))

    async def still_readable() -> bool:
        # A fresh context: the roles read when the stream opened are what just changed.
        check = await get_request_context(request)
        try:
            return await readable_board(check, parsed) is not None
        finally:
            await check.sessions.close()

    frames = _frames(feed, request, event_name="generation", urls=ctx.media_urls, still_readable=still_readable)
    return Stream(frames, media_type="text/event-stream", headers=_HEADERS)


@get("/api/sse/queue")
async def queue_events(request: Request[Any, Any, Any]) -> Stream:
    """A frame whenever a job's status changes, so that the queue panel reads its counts again."""
    services = _services(request)
    feed = queue_feed(services.events, idle=_keepalive(request))
    return Stream(_queue_frames(feed, request), media_type="text/event-stream", headers=_HEADERS)


async def _queue_frames(
    feed: AsyncIterator[GenerationEvent | None], request: Request[Any, Any, Any]
) -> AsyncIterator[bytes]:
    async for event in until_stopping(feed, request.app.state.get(STOPPING_KEY)):
        if event is None:
            yield _KEEPALIVE_FRAME
        else:
            payload = {"status": event.status, "generator_name": event.generator_name}
            yield b"event: queue\ndata: " + msgspec.json.encode(payload) + b"\n\n"


async def _frames(
    feed: AsyncIterator[list[AnyEvent] | None],
    request: Request[Any, Any, Any],
    *,
    event_name: str | None,
    urls: MediaUrls,
    still_readable: Callable[[], Awaitable[bool]] | None,
) -> AsyncIterator[bytes]:
    """The frames of each batch of events in one chunk: one write for what a busy moment published."""
    prefix = b"" if event_name is None else f"event: {event_name}\n".encode()
    async for batch in until_stopping(feed, request.app.state.get(STOPPING_KEY)):
        if batch is None:
            yield _KEEPALIVE_FRAME
            continue
        frames: list[bytes] = []
        for event in batch:
            if isinstance(event, BoardEvent):
                frames.append(b"event: board\ndata: " + msgspec.json.encode(event.sse_payload()) + b"\n\n")
                if event.kind == "members" and still_readable is not None and not await still_readable():
                    yield b"".join(frames)
                    return  # told who lost access (the frame above); nothing more of this board for them
            else:
                # msgspec writes compact JSON without new lines, so one `data:` line holds it.
                payload = urls.sse_payload(event.sse_payload())  # media URLs absolute and signed, as in GraphQL
                frames.append(prefix + b"data: " + msgspec.json.encode(payload) + b"\n\n")
        yield b"".join(frames)


async def _one_by_one(feed: AsyncIterator[GenerationEvent | None]) -> AsyncIterator[list[AnyEvent] | None]:
    """A feed of single events as batches of one (a generation's stream: a few events a second at most)."""
    try:
        async for event in feed:
            yield None if event is None else [event]
    finally:
        close = getattr(feed, "aclose", None)
        if close is not None:
            await close()  # its subscription ends with this stream, not when it is collected


def _uuid(text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise ValidationException(
            f"'{text}' is not a {what} id; use the UUID from the API, e.g. 123e4567-e89b-12d3-a456-426614174000"
        ) from None


def _services(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services  # set in the lifespan (boards_desktop.app)
    return services


def _keepalive(request: Request[Any, Any, Any]) -> float:
    return float(request.app.state.get(KEEPALIVE_STATE_KEY, KEEPALIVE_SECONDS))


sse_handlers = [generation_progress, board_events, queue_events]
