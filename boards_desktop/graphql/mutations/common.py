"""What the mutations share: finding the board or generation they act on, or saying why not."""

from __future__ import annotations

import uuid

from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import not_found


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
