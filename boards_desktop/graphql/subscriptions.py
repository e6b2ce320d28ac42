"""The Subscription type: live generation progress over a websocket (graphql-transport-ws at /graphql).

The events are those of the SSE streams (boards_desktop.api.sse), from the same feeds: the current
state first, then each change. Unlike `Generation.progress` (0 to 100, as upstream), `progress` here
is 0 to 1, as in the SSE payload this type mirrors. `boardChanges` carries the changes to a board
itself (the board stream's `event: board` frames): kept apart, so that `boardEvents` stays upstream's. A subscription completes when the server starts shutting
down (boards_desktop.shutdown).
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
from boards_desktop.graphql.errors import ApiError, not_found
from boards_desktop.graphql.lookups import readable_board, readable_generation
from boards_desktop.graphql.types.generations import AdditionalFile
from boards_desktop.jobs.board_events import BoardEvent
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
    preview_url: str | None = strawberry.field(
        default=None,
        description="While it runs on a local engine that shows its work (the Stable Diffusion WebUI): a small "
        "picture of the image so far, as a data: URL.",
    )

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
            preview_url=event.preview_url,
        )


_PHASES = {phase.value for phase in GenerationPhase}


@strawberry.type(description="A change to a board itself, as the board stream's `event: board` frames send it.")
class BoardChange:
    kind: str = strawberry.field(
        description="moved (generationIds left boardId for toBoardId), deleted (generationIds, or none: the board), "
        "restored (generationIds back from the Trash), renamed (title, description), members (userIds now have role; null: removed), tag (tagId renamed)."
    )
    board_id: uuid.UUID
    generation_ids: list[uuid.UUID]
    to_board_id: uuid.UUID | None
    title: str | None
    description: str | None
    user_ids: list[uuid.UUID]
    role: str | None
    tag_id: uuid.UUID | None = strawberry.field(description="tag: the renamed tag, now named tagName (tagSlug).")
    tag_name: str | None
    tag_slug: str | None
    timestamp: datetime

    @classmethod
    def from_event(cls, event: BoardEvent) -> BoardChange:
        return cls(
            kind=event.kind,
            board_id=uuid.UUID(event.board_id),
            generation_ids=[uuid.UUID(i) for i in event.generation_ids],
            to_board_id=None if event.to_board_id is None else uuid.UUID(event.to_board_id),
            title=event.title,
            description=event.description,
            user_ids=[uuid.UUID(i) for i in event.user_ids],
            role=event.role,
            tag_id=None if event.tag_id is None else uuid.UUID(event.tag_id),
            tag_name=event.tag_name,
            tag_slug=event.tag_slug,
            timestamp=event.timestamp,
        )


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
            if isinstance(event, GenerationEvent):  # changes to the board itself: see boardChanges
                yield GenerationProgress.from_event(event, urls)

    @strawberry.subscription(
        description="Changes to a board itself: generations moved off or onto it, deleted, a new title, members. "
        "Completes after the board is deleted, or when a change of members leaves you unable to read it."
    )
    async def board_changes(self, info: strawberry.Info, board_id: uuid.UUID) -> AsyncGenerator[BoardChange, None]:
        services, _urls = await _services_if_readable(info, board_id=board_id)
        async for event in until_stopping(board_feed(services.events, services.database, board_id), _stopping(info)):
            if isinstance(event, BoardEvent):
                yield BoardChange.from_event(event)
                if event.kind == "members":
                    try:
                        await _services_if_readable(info, board_id=board_id)
                    except ApiError:  # no longer readable: the change above was the last word
                        return


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
