"""What the mutations share: finding the board or generation they act on, or saying why not."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import ApiError, not_found


async def existing_board(ctx: RequestContext, board_id: uuid.UUID) -> BoardRecord:
    """The board, readable or not (the role check that follows says what the caller lacks)."""
    board = await ctx.loaders.boards.load(board_id)
    if board is None or board.tenant_id != ctx.actor.tenant_id:
        raise not_found(f"Board {board_id} not found; it may have been deleted")
    return board


async def existing_generation(ctx: RequestContext, generation_id: uuid.UUID) -> tuple[GenerationRecord, BoardRecord]:
    generation = await ctx.loaders.generations.load(generation_id)
    if generation is None or generation.tenant_id != ctx.actor.tenant_id:
        raise not_found(f"Generation {generation_id} not found; it may have been deleted")
    return generation, await existing_board(ctx, generation.board_id)


async def existing_generations(
    ctx: RequestContext, generation_ids: Sequence[uuid.UUID], *, nothing_done: str
) -> list[tuple[GenerationRecord, BoardRecord]]:
    """Every one of the generations with its board, in order, in a fixed number of queries.

    A bulk action is all or nothing: one missing id fails the whole call, naming the missing ones
    and saying that `nothing_done` ("nothing was deleted").
    """
    rows = await ctx.loaders.generations.load_many(list(generation_ids))
    missing = [
        generation_id
        for generation_id, row in zip(generation_ids, rows)
        if row is None or row.tenant_id != ctx.actor.tenant_id
    ]
    if missing:
        noun = "Generation" if len(missing) == 1 else f"{len(missing)} generations"
        raise not_found(f"{noun} not found, they may have been deleted: {name_ids(missing)}; {nothing_done}")
    found = [row for row in rows if row is not None]
    boards = await ctx.loaders.boards.load_many(list(dict.fromkeys(row.board_id for row in found)))
    by_id = {board.id: board for board in boards if board is not None}
    result = []
    for row in found:
        board = by_id.get(row.board_id)
        if board is None or board.tenant_id != ctx.actor.tenant_id:
            raise not_found(f"The board of generation {row.id} was deleted meanwhile; {nothing_done}")
        result.append((row, board))
    return result


def name_ids(ids: Sequence[uuid.UUID], *, shown: int = 3) -> str:
    """A few ids for a message, and how many more there are."""
    named = ", ".join(str(i) for i in ids[:shown])
    return named if len(ids) <= shown else f"{named} and {len(ids) - shown} more"


def all_or_nothing(error: ApiError, generation_id: uuid.UUID, nothing_done: str) -> ApiError:
    """A refusal about one item of a bulk action, saying which and that nothing happened."""
    error.message = f"Generation {generation_id}: {error.message.rstrip('.')}; {nothing_done}"
    error.args = (error.message,)
    return error
