"""createBoard, updateBoard, deleteBoard."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry

from boards_desktop.db.queries import boards as board_queries
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import not_found
from boards_desktop.graphql.inputs import CreateBoardInput, UpdateBoardInput
from boards_desktop.graphql.mutations.common import existing_board
from boards_desktop.graphql.types.boards import Board
from boards_desktop.jobs.board_events import BoardEvent


@strawberry.type
class BoardMutations:
    @strawberry.mutation(description="A new board, owned by you.")
    async def create_board(self, info: strawberry.Info, input: CreateBoardInput) -> Board:
        ctx = context_of(info)
        title = validation.board_title(input.title)
        description = validation.optional_text(input.description)
        settings = validation.json_object(input.settings, "settings")
        async with ctx.sessions.write() as session:
            row = await board_queries.insert_board(
                session, ctx.actor, title=title, description=description, is_public=input.is_public, settings=settings
            )
        ctx.permissions.forget()
        return Board.from_row(row, ctx)

    @strawberry.mutation(description="Change a board's title, description, visibility or settings (admin or owner).")
    async def update_board(self, info: strawberry.Info, input: UpdateBoardInput) -> Board:
        ctx = context_of(info)
        changes: dict[str, Any] = {}
        if input.title is not None:
            changes["title"] = validation.board_title(input.title)
        if input.description is not None:
            # A blank description clears it; null leaves it as it is.
            changes["description"] = validation.optional_text(input.description)
        if input.is_public is not None:
            changes["is_public"] = input.is_public
        if input.settings is not None:
            changes["settings"] = validation.json_object(input.settings, "settings")
        board = await existing_board(ctx, input.id)
        await ctx.permissions.require(board, "admin", "change the board")
        async with ctx.sessions.write() as session:
            row = await board_queries.update_board(session, board.id, changes)
        if row is None:
            raise not_found(f"Board {input.id} not found; it may have been deleted")
        ctx.permissions.forget()
        if "title" in changes or "description" in changes:  # open copies of the board show the new header
            await ctx.services.events.publish(
                BoardEvent("renamed", str(row.id), title=row.title, description=row.description)
            )
        return Board.from_row(row, ctx)

    @strawberry.mutation(description="Delete a board with all its generations (owner only).")
    async def delete_board(self, info: strawberry.Info, id: uuid.UUID) -> bool:
        ctx = context_of(info)
        board = await existing_board(ctx, id)
        await ctx.permissions.require(board, "owner", "delete the board")
        async with ctx.sessions.write() as session:
            deleted = await board_queries.delete_board(session, board.id)
        if not deleted:
            raise not_found(f"Board {id} not found; it may have been deleted")
        ctx.services.jobs.cancel_board(board.id)  # its running jobs stop, remote ones are cancelled
        if ctx.services.media is not None:
            # Files after the commit: a crash in between leaves a folder without a row, which `media gc` finds.
            await ctx.services.media.delete_board_files(board.id)
        ctx.loaders.boards.prime(id, None, force=True)
        ctx.permissions.forget()
        await ctx.services.events.publish(BoardEvent("deleted", str(board.id)))  # its streams say so, and end
        return True
