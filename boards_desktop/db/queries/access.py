"""Who may read which boards: the caller's memberships and the boards they can see.

Role rules live in `boards_desktop.graphql.permissions`; these are the facts they are decided on,
loaded once per request so that a check never costs a query per row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, BoardMember, User
from boards_desktop.db.queries.users import Actor


@dataclass(frozen=True)
class BoardVisibility:
    """Every board id of the database (as stored: canonical text) split by whether the caller may read it."""

    readable: frozenset[str]
    unreadable: frozenset[str]

    def can_read(self, board_id: uuid.UUID) -> bool:
        return str(board_id) in self.readable


async def member_roles(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """The caller's role on each board where they are a member (not where they own it)."""
    rows = await session.execute(select(BoardMember.board_id, BoardMember.role).where(BoardMember.user_id == user_id))
    return {board_id: role for board_id, role in rows}


def readable_boards_clause(actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause on `boards` that keeps the boards the actor may read."""
    return and_(
        Board.tenant_id == actor.tenant_id,
        or_(
            Board.owner_id == actor.user_id,
            Board.is_public.is_(True),
            Board.id.in_(select(BoardMember.board_id).where(BoardMember.user_id == actor.user_id)),
        ),
    )


async def board_visibility(session: AsyncSession, actor: Actor) -> BoardVisibility:
    # Boards are few (hundreds) next to generations (hundreds of thousands): listing them all lets
    # generation queries filter by a short id list and keep walking their created_at index.
    # The ids stay text: they only go back into SQL, and parsing hundreds of UUIDs per request shows.
    stored_id = type_coerce(Board.id, String())
    rows = await session.execute(select(stored_id, readable_boards_clause(actor).label("readable")))
    readable: set[str] = set()
    unreadable: set[str] = set()
    for board_id, is_readable in rows:
        (readable if is_readable else unreadable).add(board_id)
    return BoardVisibility(frozenset(readable), frozenset(unreadable))


def _may_read_statement() -> Select[uuid.UUID]:
    """Whether a user may read a board now: it is of the user's tenant, and theirs, public, or shared with them."""
    user_id = bindparam("user_id", type_=User.id.type)
    board_id = bindparam("board_id", type_=Board.id.type)
    tenant_of_user = select(User.tenant_id).where(User.id == user_id).scalar_subquery()
    return select(Board.id).where(
        Board.id == board_id,
        Board.tenant_id == tenant_of_user,
        or_(
            Board.owner_id == user_id,
            Board.is_public.is_(True),
            Board.id.in_(select(BoardMember.board_id).where(BoardMember.user_id == user_id)),
        ),
    )


# Built once: every media read asks it, and building the expression cost as much as running it.
_MAY_READ = _may_read_statement()


async def user_may_read_board(session: AsyncSession, user_id: uuid.UUID, board_id: uuid.UUID) -> bool:
    """Whether a user may read a board now (see `_may_read_statement`)."""
    found = await session.scalar(_MAY_READ, {"user_id": user_id, "board_id": board_id})
    return found is not None
