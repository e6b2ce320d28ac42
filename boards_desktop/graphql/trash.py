"""The Trash in GraphQL: `trashedGenerations`, `trashedGenerationCount`, `restoreGenerations`, `emptyTrash`.

Additions to the upstream schema. `deleteGeneration(s)` keep their signatures and meaning for a client
(the generation is gone from every list, count and lookup); they move it here instead of removing it,
and its files stay until the trash is emptied (by hand, or after `KEEP_DAYS` days: media.trash_emptying).
Who may see, restore or empty an entry: whoever may delete the generation (owner of the board: any;
editor or admin: their own).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import strawberry
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError

from boards_desktop.api.media_urls import MediaUrls
from boards_desktop.db.models import TrashedGeneration as TrashedRow
from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries import trash as trash_queries
from boards_desktop.db.queries.trash import TrashedPlace
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.enums import ArtifactType, GenerationStatus
from boards_desktop.graphql.errors import ApiError, conflict, forbidden, not_found
from boards_desktop.graphql.mutations.common import all_or_nothing, existing_board, name_ids
from boards_desktop.graphql.types.generations import Generation
from boards_desktop.jobs.board_events import BoardEvent
from boards_desktop.media.trash_emptying import remove_files


@strawberry.type(description="A generation in the Trash: gone from its board until it is restored or emptied.")
class TrashedGeneration:
    id: uuid.UUID
    board_id: uuid.UUID
    user_id: uuid.UUID
    generator_name: str
    artifact_type: ArtifactType
    status: GenerationStatus
    prompt: str | None = strawberry.field(description="inputParams.prompt when it is a string.")
    title: str = strawberry.field(
        description="What to call it: its prompt, the uploaded file's name, or its generator."
    )
    storage_url: str | None
    thumbnail_url: str | None
    created_at: datetime
    trashed_at: datetime
    expires_at: datetime = strawberry.field(description="When it is emptied on its own.")

    @classmethod
    def from_row(cls, row: TrashedRow, urls: MediaUrls) -> TrashedGeneration:
        record = row.generation
        params = record.get("input_params")
        prompt = params.get("prompt") if isinstance(params, dict) else None
        prompt = prompt if isinstance(prompt, str) else None
        output = record.get("output_metadata")
        filename = output.get("original_filename") if isinstance(output, dict) else None
        generator = str(record.get("generator_name", ""))
        return cls(
            id=row.id,
            board_id=row.board_id,
            user_id=row.user_id,
            generator_name=generator,
            artifact_type=ArtifactType(record.get("artifact_type")),
            status=GenerationStatus(record.get("status")),
            prompt=prompt,
            title=prompt or (filename if isinstance(filename, str) and filename else generator),
            # Absolute and signed for the request's client, as every other media URL (api.media_urls).
            storage_url=urls(record.get("storage_url")),
            thumbnail_url=urls(record.get("thumbnail_url")),
            created_at=datetime.fromisoformat(record["created_at"]),
            trashed_at=row.trashed_at,
            expires_at=row.trashed_at + timedelta(days=trash_queries.KEEP_DAYS),
        )

    @strawberry.field(description="The title of the board it will go back to.")
    async def board_title(self, info: strawberry.Info) -> str | None:
        board = await context_of(info).loaders.boards.load(self.board_id)
        return None if board is None else board.title


async def move_to_trash(ctx: RequestContext, ids: list[uuid.UUID]) -> list[TrashedPlace]:
    """What deleteGeneration(s) do once the caller's right is checked: the rows go to the trash, jobs stop."""
    try:
        async with ctx.sessions.write() as session:
            trashed = await trash_queries.trash_generations(session, ids, ctx.actor.user_id)
    except IntegrityError:  # another request trashed one of them at the same moment (PostgreSQL)
        raise conflict("Some of them were deleted by another request meanwhile; nothing was deleted") from None
    by_board: dict[uuid.UUID, list[str]] = {}
    for place in trashed:
        ctx.services.jobs.cancel(place.generation_id)  # a running job stops writing; its remote job is cancelled
        ctx.loaders.generations.prime(place.generation_id, None, force=True)
        ctx.loaders.forget_board_contents(place.board_id)
        by_board.setdefault(place.board_id, []).append(str(place.generation_id))
    for board_id, gone in by_board.items():  # the boards' viewers, in every app, see them leave
        await ctx.services.events.publish(BoardEvent("deleted", str(board_id), tuple(gone)))
    return trashed


@strawberry.type
class TrashQuery:
    @strawberry.field(
        description="Your trash, newest first: what you deleted on your boards or made elsewhere, optionally of one "
        "board. Emptied on its own 30 days after each was deleted."
    )
    async def trashed_generations(
        self,
        info: strawberry.Info,
        board_id: uuid.UUID | None = None,
        limit: int | None = 50,
        offset: int | None = 0,
    ) -> list[TrashedGeneration]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        async with ctx.sessions.read() as session:
            rows = await trash_queries.list_entries(
                session, _visible(ctx), board_id=board_id, limit=limit, offset=offset
            )
        return [TrashedGeneration.from_row(row, ctx.media_urls) for row in rows]

    @strawberry.field(description="How many generations are in your trash (of one board, when given).")
    async def trashed_generation_count(self, info: strawberry.Info, board_id: uuid.UUID | None = None) -> int:
        ctx = context_of(info)
        async with ctx.sessions.read() as session:
            return await trash_queries.count_entries(session, _visible(ctx), board_id=board_id)


@strawberry.type
class TrashMutations:
    @strawberry.mutation(
        description="Put generations back from the trash onto their boards, up to 1,000 at once, with their tags, "
        "stars and lineage (edges to what was emptied meanwhile stay gone). A job deleted while it ran comes back "
        "cancelled. All or nothing. Returns them, in the order given."
    )
    async def restore_generations(self, info: strawberry.Info, ids: list[uuid.UUID]) -> list[Generation]:
        ctx = context_of(info)
        unique = validation.bulk_ids(ids, "ids")
        await _checked_entries(ctx, unique, "restore generations", "nothing was restored")
        try:
            async with ctx.sessions.write() as session:
                restored = await trash_queries.restore_generations(session, unique)
        except IntegrityError:  # restored by another request at the same moment (PostgreSQL)
            raise conflict("Some of them were restored by another request meanwhile; nothing was restored") from None
        if len(restored) != len(unique):  # another request restored or emptied some meanwhile
            raise not_found("Some of them left the trash meanwhile; the others were restored")
        back: dict[uuid.UUID, list[str]] = {}
        for place in restored:
            ctx.loaders.forget_board_contents(place.board_id)
            back.setdefault(place.board_id, []).append(str(place.generation_id))
        for board_id, returned in back.items():
            # After the deletion's event on the same streams: every open board shows them again.
            await ctx.services.events.publish(BoardEvent("restored", str(board_id), tuple(returned)))
        async with ctx.sessions.read() as session:
            rows = await generation_queries.generations_by_ids(session, unique)
        return [Generation.from_row(rows[generation_id], ctx) for generation_id in unique if generation_id in rows]

    @strawberry.mutation(
        description="Remove generations from the trash for good, with their files: the given ids (up to 1,000, all or "
        "nothing), or, without ids, your whole trash (of one board, when boardId is given). Returns how many."
    )
    async def empty_trash(
        self, info: strawberry.Info, ids: list[uuid.UUID] | None = None, board_id: uuid.UUID | None = None
    ) -> int:
        ctx = context_of(info)
        if ids is None:
            async with ctx.sessions.read() as session:
                chosen = await trash_queries.entry_ids(session, _visible(ctx), board_id=board_id)
            if not chosen:
                return 0
            entries = await _entries(ctx, chosen)
            allowed = []
            for entry in entries:  # what you may no longer delete (a role taken away) stays
                try:
                    await _require(ctx, entry, "empty the trash")
                except ApiError:
                    continue
                allowed.append(entry.id)
            chosen = allowed
        else:
            chosen = validation.bulk_ids(ids, "ids")
            await _checked_entries(ctx, chosen, "empty the trash", "nothing was emptied")
        async with ctx.sessions.write() as session:
            removed = await trash_queries.remove_entries(session, chosen)
        if ctx.services.media is not None:
            await remove_files(ctx.services.media, removed)  # after the commit: `media gc` finds what a crash leaves
        return len(removed)


def _visible(ctx: RequestContext) -> ColumnElement[bool]:
    return trash_queries.visible_to(ctx.actor.user_id, ctx.actor.tenant_id)


async def _entries(ctx: RequestContext, ids: list[uuid.UUID]) -> list[TrashedRow]:
    async with ctx.sessions.read() as session:
        return await trash_queries.entries_by_ids(session, ids)


async def _require(ctx: RequestContext, entry: TrashedRow, action: str) -> None:
    # The rule of permissions.require_generation_control, read from the entry (the generation has no row now).
    board = await existing_board(ctx, entry.board_id)
    role = await ctx.permissions.require(board, "editor", action)
    if role != "owner" and entry.user_id != ctx.actor.user_id:
        raise forbidden(
            f"You may {action} only for your own generations on {await ctx.permissions.describe(board)}; "
            "this one was made by someone else. Ask the board's owner."
        )


async def _checked_entries(ctx: RequestContext, ids: list[uuid.UUID], action: str, nothing_done: str) -> None:
    entries = {entry.id: entry for entry in await _entries(ctx, ids) if entry.tenant_id == ctx.actor.tenant_id}
    missing = [i for i in ids if i not in entries]
    if missing:
        noun = "Generation" if len(missing) == 1 else f"{len(missing)} generations"
        raise not_found(f"{noun} not in the trash (restored or emptied already?): {name_ids(missing)}; {nothing_done}")
    for generation_id in ids:
        try:
            await _require(ctx, entries[generation_id], action)
        except ApiError as exc:
            raise all_or_nothing(exc, generation_id, nothing_done) from None
