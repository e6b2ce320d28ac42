"""The Subscription type: live generation progress over a websocket (graphql-transport-ws at /graphql).

The events are those of the SSE streams (boards_desktop.api.sse), from the same feeds: the current
state first, then each change. Unlike `Generation.progress` (0 to 100, as upstream), `progress` here
is 0 to 1, as in the SSE payload this type mirrors. A subscription completes when the server starts
shutting down (boards_desktop.shutdown).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from boards_desktop.api.media_urls import MediaUrls
from boards_desktop.graphql.context import context_of, get_request_context
from boards_desktop.graphql.enums import GenerationStatus
from boards_desktop.graphql.errors import not_found
from boards_desktop.graphql.lookups import readable_board, readable_generation
from boards_desktop.graphql.types.generations import AdditionalFile
from boards_desktop.jobs.event_feeds import board_feed, generation_feed
from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.services import Services
from boards_desktop.shutdown import STATE_KEY as STOPPING_KEY
from boards_desktop.shutdown import Stopping, until_stopping


@strawberry.enum(description="Where a running generation is: queued, initializing, processing, finalizing.")
class GenerationPhase(Enum):
    QUEUED = "queued"
    INITIALIZING = "initializing"
    PROCESSING = "processing"
    FINALIZING = "finalizing"


@strawberry.type(description="One state of a generation, as the SSE progress stream sends it.")
class GenerationProgress:
    job_id: uuid.UUID = strawberry.field(description="The generation's id.")
    board_id: uuid.UUID
    status: GenerationStatus
    progress: float = strawberry.field(description="0 to 1 (Generation.progress is 0 to 100).")
    phase: GenerationPhase
    message: str | None
    error_message: str | None
    estimated_completion: datetime | None
    artifacts: list[AdditionalFile] = strawberry.field(description="The results, once completed.")
    thumbnail_url: str | None
    timestamp: datetime = strawberry.field(description="When this state was published.")

    @classmethod
    def from_event(cls, event: GenerationEvent, urls: MediaUrls) -> GenerationProgress:
        return cls(
            job_id=uuid.UUID(event.generation_id),
            board_id=uuid.UUID(event.board_id),
            status=GenerationStatus(event.status),
            progress=event.progress,
            phase=GenerationPhase(event.phase) if event.phase in _PHASES else GenerationPhase.PROCESSING,
            message=event.message,
            error_message=event.error_message,
            estimated_completion=event.estimated_completion,
            artifacts=[
                AdditionalFile(
                    url=str(a.get("url", "")), type=str(a.get("type", "")), metadata=JSON(a.get("metadata") or {})
                )
                for a in urls.artifacts(event.artifacts)
            ],
            thumbnail_url=urls(event.thumbnail_url),
            timestamp=event.timestamp,
        )


_PHASES = {phase.value for phase in GenerationPhase}


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The generation's current state, then each change; completes after a terminal status."
    )
    async def generation_progress(
        self, info: strawberry.Info, id: uuid.UUID
    ) -> AsyncGenerator[GenerationProgress, None]:
        services, urls = await _services_if_readable(info, generation_id=id)
        async for event in until_stopping(generation_feed(services.events, services.database, id), _stopping(info)):
            if event is not None:
                yield GenerationProgress.from_event(event, urls)

    @strawberry.subscription(
        description="Every generation event of a board, beginning with the state of its pending and processing ones."
    )
    async def board_events(
        self, info: strawberry.Info, board_id: uuid.UUID
    ) -> AsyncGenerator[GenerationProgress, None]:
        services, urls = await _services_if_readable(info, board_id=board_id)
        async for event in until_stopping(board_feed(services.events, services.database, board_id), _stopping(info)):
            if event is not None:
                yield GenerationProgress.from_event(event, urls)


async def _services_if_readable(
    info: strawberry.Info, *, generation_id: uuid.UUID | None = None, board_id: uuid.UUID | None = None
) -> tuple[Services, MediaUrls]:
    # A websocket may stay open for hours: decide on a fresh context, not on what the connection cached.
    connection = context_of(info)
    # A WebSocket serves as well as a Request: only its app's state is read.
    ctx = await get_request_context(connection.websocket or connection.request)  # type: ignore[arg-type]
    try:
        if generation_id is not None and await readable_generation(ctx, generation_id) is None:
            raise not_found(f"Generation {generation_id} not found, or you may not read its board")
        if board_id is not None and await readable_board(ctx, board_id) is None:
            raise not_found(f"Board {board_id} not found, or you may not read it")
    finally:
        await ctx.sessions.close()
    return ctx.services, ctx.media_urls


def _stopping(info: strawberry.Info) -> Stopping | None:
    connection = context_of(info)
    asgi = connection.websocket or connection.request
    return asgi.app.state.get(STOPPING_KEY) if asgi is not None else None
