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
from boards_desktop.graphql.errors import bad_input, conflict, forbidden, not_found
from boards_desktop.graphql.inputs import AddBoardMemberInput
from boards_desktop.graphql.mutations.common import existing_board
from boards_desktop.graphql.types.boards import Board
from boards_desktop.jobs.board_events import BoardEvent


@strawberry.type
class MemberMutations:
    @strawberry.mutation(
        description=(
            "Give a user a role on a board (admin or owner). The user is named by userId or email, in `input` "
            "or, as upstream's front end sends them, in the arguments boardId, email and role."
        )
    )
    async def add_board_member(
        self,
        info: strawberry.Info,
        input: AddBoardMemberInput | None = None,
        board_id: uuid.UUID | None = None,
        email: str | None = None,
        role: BoardRole | None = None,
    ) -> Board:
        ctx = context_of(info)
        if input is not None and (board_id is not None or email is not None or role is not None):
            raise bad_input("Give the new member either in input or in boardId, email and role, not both")
        if input is None:
            if board_id is None:
                raise bad_input("boardId is missing; give the board, and the user by email (or send input)")
            input = AddBoardMemberInput(board_id=board_id, email=email, role=role or BoardRole.VIEWER)
        board = await existing_board(ctx, input.board_id)
        await ctx.permissions.require(board, "admin", "add members")
        user = await _named_user(ctx, input.user_id, input.email)
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
        return await _changed(ctx, board, user.id, input.role.value)

    @strawberry.mutation(
        description="Take a user off a board: admins and the owner remove anyone but the owner, others only themselves."
    )
    async def remove_board_member(
        self,
        info: strawberry.Info,
        board_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        id: uuid.UUID | None = None,
    ) -> Board:
        ctx = context_of(info)
        board_id, user_id = await _membership(ctx, id, board_id, user_id)
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
        return await _changed(ctx, board, user_id, None)

    @strawberry.mutation(description="Change a member's role on a board (admin or owner).")
    async def update_board_member_role(
        self,
        info: strawberry.Info,
        role: BoardRole,
        board_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        id: uuid.UUID | None = None,
    ) -> Board:
        ctx = context_of(info)
        board_id, user_id = await _membership(ctx, id, board_id, user_id)
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
        return await _changed(ctx, board, user_id, role.value)


async def _existing_user(ctx: RequestContext, user_id: uuid.UUID) -> models.User:
    user = await ctx.loaders.users.load(user_id)
    if user is None or user.tenant_id != ctx.actor.tenant_id:
        raise not_found(f"User {user_id} not found")
    return user


async def _named_user(ctx: RequestContext, user_id: uuid.UUID | None, email: str | None) -> models.User:
    """The user given by id or by email (one of the two)."""
    if (user_id is None) == (email is None or not email.strip()):
        raise bad_input("Name the new member by userId or by email (one of the two)")
    if user_id is not None:
        return await _existing_user(ctx, user_id)
    assert email is not None
    async with ctx.sessions.read() as session:
        found = await member_queries.users_with_email(session, ctx.actor.tenant_id, email.strip())
    if not found:
        raise not_found(
            f"No user with the email {email.strip()!r} uses this database; "
            "a teammate appears once their Boards Desktop has opened it"
        )
    if len(found) > 1:
        raise conflict(f"Several users have the email {email.strip()!r}; name the new member by userId")
    return found[0]


async def _membership(
    ctx: RequestContext, member_id: uuid.UUID | None, board_id: uuid.UUID | None, user_id: uuid.UUID | None
) -> tuple[uuid.UUID, uuid.UUID]:
    """(board, user) of a membership named by its own id (upstream's front end) or by board and user."""
    if member_id is not None:
        if board_id is not None or user_id is not None:
            raise bad_input("Name the membership either by id or by boardId and userId, not both")
        async with ctx.sessions.read() as session:
            member = await member_queries.member_by_id(session, member_id)
        if member is None:
            raise not_found(f"Board membership {member_id} not found; it may have been removed")
        return member.board_id, member.user_id
    if board_id is None or user_id is None:
        raise bad_input("Name the membership by its id, or by boardId and userId")
    return board_id, user_id


async def _not_the_owner(ctx: RequestContext, board: BoardRecord, user_id: uuid.UUID, what: str) -> None:
    if board.owner_id == user_id:
        raise forbidden(
            f"The owner of {await ctx.permissions.describe(board)} cannot be {what}: the owner always has every right on it"
        )


async def _changed(ctx: RequestContext, board: BoardRecord, user_id: uuid.UUID, role: str | None) -> Board:
    """After a committed change of `user_id`'s role (None: removed); the board's open streams hear of it."""
    ctx.loaders.forget_members(board.id)
    ctx.permissions.forget()
    await ctx.services.events.publish(BoardEvent("members", str(board.id), user_ids=(str(user_id),), role=role))
    return Board.from_row(board, ctx)


def _name(user: models.User) -> str:
    return user.display_name or f"User {user.id}"
