"""Loading one thing for the caller: None when it does not exist or the caller may not read it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql.context import RequestContext


async def readable_board(ctx: RequestContext, board_id: uuid.UUID) -> BoardRecord | None:
    board = await ctx.loaders.boards.load(board_id)
    if board is None or not await ctx.permissions.can_read(board):
        return None
    return board


async def readable_generation(ctx: RequestContext, generation_id: uuid.UUID) -> GenerationRecord | None:
    generation = await ctx.loaders.generations.load(generation_id)
    if generation is None or await readable_board(ctx, generation.board_id) is None:
        return None
    return generation


async def readable_generations(
    ctx: RequestContext, generation_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, GenerationRecord]:
    """The readable ones among many generations, in a fixed number of queries."""
    ids = list(dict.fromkeys(generation_ids))
    found = [g for g in await ctx.loaders.generations.load_many(ids) if g is not None]
    boards = await ctx.loaders.boards.load_many(list({g.board_id for g in found}))
    readable_boards = {b.id for b in boards if b is not None and await ctx.permissions.can_read(b)}
    return {g.id: g for g in found if g.board_id in readable_boards}
