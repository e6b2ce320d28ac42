"""addBoardMember, removeBoardMember, updateBoardMemberRole."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.exc import IntegrityError

from boards_desktop.db import models
from boards_desktop.db.queries import members as member_queries
from boards_desktop.db.queries.records import BoardRecord
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.enums import BoardRole
from boards_desktop.graphql.errors import conflict, forbidden, not_found
from boards_desktop.graphql.inputs import AddBoardMemberInput
from boards_desktop.graphql.mutations.common import existing_board
from boards_desktop.graphql.types.boards import Board


@strawberry.type
class MemberMutations:
    @strawberry.mutation(description="Give a user a role on a board (admin or owner).")
    async def add_board_member(self, info: strawberry.Info, input: AddBoardMemberInput) -> Board:
        ctx = context_of(info)
        board = await existing_board(ctx, input.board_id)
        await ctx.permissions.require(board, "admin", "add members")
        user = await _existing_user(ctx, input.user_id)
        if board.owner_id == user.id:
            raise conflict(
                f"{_name(user)} owns {await ctx.permissions.describe(board)} and already has every right on it"
            )
        try:
            async with ctx.sessions.write() as session:
                if await member_queries.find_member(session, board.id, user.id) is not None:
                    raise conflict(
                        f"{_name(user)} is already a member of this board; use updateBoardMemberRole to change their role"
                    )
                await member_queries.insert_member(session, board.id, user.id, input.role.value, ctx.actor.user_id)
        except IntegrityError:
            # Someone added the same member in the same instant.
            raise conflict(f"{_name(user)} is already a member of this board") from None
        return _changed(ctx, board)

    @strawberry.mutation(
        description="Take a user off a board: admins and the owner remove anyone but the owner, others only themselves."
    )
    async def remove_board_member(self, info: strawberry.Info, board_id: uuid.UUID, user_id: uuid.UUID) -> Board:
        ctx = context_of(info)
        board = await existing_board(ctx, board_id)
        await _not_the_owner(ctx, board, user_id, "removed")
        if user_id != ctx.actor.user_id:
            role = await ctx.permissions.role_on(board)
            if role not in ("admin", "owner"):
                raise forbidden(
                    f"Only an admin or the owner of {await ctx.permissions.describe(board)} may remove other members; "
                    "you may remove only yourself"
                )
        async with ctx.sessions.write() as session:
            removed = await member_queries.delete_member(session, board.id, user_id)
        if not removed:
            raise not_found(f"User {user_id} is not a member of {await ctx.permissions.describe(board)}")
        return _changed(ctx, board)

    @strawberry.mutation(description="Change a member's role on a board (admin or owner).")
    async def update_board_member_role(
        self, info: strawberry.Info, board_id: uuid.UUID, user_id: uuid.UUID, role: BoardRole
    ) -> Board:
        ctx = context_of(info)
        board = await existing_board(ctx, board_id)
        await ctx.permissions.require(board, "admin", "change members' roles")
        await _not_the_owner(ctx, board, user_id, "given another role")
        async with ctx.sessions.write() as session:
            changed = await member_queries.set_member_role(session, board.id, user_id, role.value)
        if not changed:
            raise not_found(
                f"User {user_id} is not a member of {await ctx.permissions.describe(board)}; "
                "add them with addBoardMember first"
            )
        return _changed(ctx, board)


async def _existing_user(ctx: RequestContext, user_id: uuid.UUID) -> models.User:
    user = await ctx.loaders.users.load(user_id)
    if user is None or user.tenant_id != ctx.actor.tenant_id:
        raise not_found(f"User {user_id} not found")
    return user


async def _not_the_owner(ctx: RequestContext, board: BoardRecord, user_id: uuid.UUID, what: str) -> None:
    if board.owner_id == user_id:
        raise forbidden(
            f"The owner of {await ctx.permissions.describe(board)} cannot be {what}: the owner always has every right on it"
        )


def _changed(ctx: RequestContext, board: BoardRecord) -> Board:
    ctx.loaders.forget_members(board.id)
    ctx.permissions.forget()
    return Board.from_row(board, ctx)


def _name(user: models.User) -> str:
    return user.display_name or f"User {user.id}"
