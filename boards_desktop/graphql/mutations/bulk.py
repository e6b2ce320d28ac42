"""deleteGenerations (into the trash), moveGenerations: tidying many generations at once, all or nothing.

Every id is checked (it exists, the caller may act on it) before anything changes; one refusal
names the generation and changes nothing. At most `validation.MAX_BULK_IDS` ids per call.
"""

from __future__ import annotations

import logging
import uuid

import strawberry

from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries.generations import ACTIVE_STATUSES, MovedGeneration
from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.errors import INTERNAL, ApiError, conflict
from boards_desktop.graphql.mutations.common import all_or_nothing, existing_board, existing_generations
from boards_desktop.graphql.trash import move_to_trash
from boards_desktop.graphql.types.generations import Generation
from boards_desktop.jobs.board_events import BoardEvent
from boards_desktop.media import moves as media_moves
from boards_desktop.media.moves import MediaMoveError

log = logging.getLogger("boards.graphql")


@strawberry.type
class BulkMutations:
    @strawberry.mutation(
        description="Delete generations, up to 1,000 at once (your own as editor or admin, any as the board's owner); "
        "running ones are stopped first. They move to the trash (restoreGenerations brings them back; their files "
        "go when it is emptied). All or nothing. Returns how many were deleted."
    )
    async def delete_generations(self, info: strawberry.Info, ids: list[uuid.UUID]) -> int:
        ctx = context_of(info)
        unique = validation.bulk_ids(ids, "ids")
        nothing = "nothing was deleted"
        for row, board in await existing_generations(ctx, unique, nothing_done=nothing):
            try:
                await ctx.permissions.require_generation_control(board, row, "delete generations")
            except ApiError as exc:
                raise all_or_nothing(exc, row.id, nothing) from None
        deleted = await move_to_trash(ctx, unique)
        return len(deleted)

    @strawberry.mutation(
        description="Move generations to another board, up to 1,000 at once (editor or above on both boards), with "
        "their files (their storageUrl and thumbnailUrl change). Pending or processing ones are refused: move them "
        "once they finish. All or nothing. Returns them, in the order given."
    )
    async def move_generations(
        self, info: strawberry.Info, ids: list[uuid.UUID], board_id: uuid.UUID
    ) -> list[Generation]:
        ctx = context_of(info)
        unique = validation.bulk_ids(ids, "ids")
        nothing = "nothing was moved"
        target = await existing_board(ctx, board_id)
        await ctx.permissions.require(target, "editor", "move generations onto it")
        found = await existing_generations(ctx, unique, nothing_done=nothing)
        for row, board in found:
            if board.id != target.id:
                try:
                    await ctx.permissions.require(board, "editor", "move generations off it")
                except ApiError as exc:
                    raise all_or_nothing(exc, row.id, nothing) from None
            if row.status in ACTIVE_STATUSES:
                raise _still_running(row, nothing)
        moving = [row for row, _board in found if row.board_id != target.id]
        if moving:
            await _move(ctx, moving, target)
        ctx.loaders.generations.clear_many(unique)
        rows = await ctx.loaders.generations.load_many(unique)
        return [Generation.from_row(row, ctx) for row in rows if row is not None]


async def _move(ctx: RequestContext, rows: list[GenerationRecord], target: BoardRecord) -> None:
    """Files beside the old ones, the rows committed, the old files removed (see media.moves for why)."""
    store = ctx.services.media
    if store is None:
        raise ApiError("The media store is not ready yet; try again in a moment", INTERNAL)
    plans = media_moves.plan_moves(store, [(row.id, row.board_id) for row in rows], target.id)
    try:
        await media_moves.stage(store, plans)
    except MediaMoveError as exc:
        log.warning("moving generations to board %s: %s", target.id, exc.strerror)
        raise ApiError(f"Could not move the files: {exc.strerror}", INTERNAL) from None
    try:
        async with ctx.sessions.write() as session:
            places = await generation_queries.places_for_move(session, [row.id for row in rows])
            for row in rows:
                place = places.get(row.id)
                if place is None or place[0] != row.board_id:
                    raise conflict(
                        f"Generation {row.id} was deleted or moved by someone else meanwhile; nothing was moved"
                    )
                if place[1] in ACTIVE_STATUSES:
                    raise _still_running(row, "nothing was moved", status=place[1])
            moved = [
                MovedGeneration(
                    generation_id=row.id,
                    from_board_id=row.board_id,
                    storage_url=plan.rewrite(store, row.storage_url),
                    thumbnail_url=plan.rewrite(store, row.thumbnail_url),
                    additional_files=plan.rewrite(store, row.additional_files),
                )
                for row, plan in zip(rows, plans)
            ]
            await generation_queries.move_generations(session, moved, target.id)
    except BaseException:
        await media_moves.unstage(store, plans)
        raise
    await media_moves.finish(store, plans)
    for board_id in {row.board_id for row in rows} | {target.id}:
        ctx.loaders.forget_board_contents(board_id)
    by_board: dict[uuid.UUID, list[str]] = {}
    for row in rows:
        by_board.setdefault(row.board_id, []).append(str(row.id))
    for board_id, moved_ids in by_board.items():  # both boards' viewers, in every app, see them go and come
        await ctx.services.events.publish(
            BoardEvent("moved", str(board_id), tuple(moved_ids), to_board_id=str(target.id))
        )


def _still_running(row: GenerationRecord, nothing_done: str, *, status: str | None = None) -> ApiError:
    return conflict(
        f"Generation {row.id} is {status or row.status}: it can move once it has finished (or after you cancel it); "
        f"{nothing_done}"
    )
