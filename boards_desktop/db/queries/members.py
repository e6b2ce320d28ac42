"""Board members: who else may read or change a board, and with which role."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import BoardMember, User
from boards_desktop.db.rowcount import rows_changed
from boards_desktop.db.types import utcnow


async def members_by_boards(
    session: AsyncSession, board_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[BoardMember]]:
    """Each board's members, earliest to join first."""
    rows = await session.scalars(
        select(BoardMember)
        .where(BoardMember.board_id.in_(list(board_ids)))
        .order_by(BoardMember.board_id, BoardMember.joined_at, BoardMember.id)
    )
    members: dict[uuid.UUID, list[BoardMember]] = {board_id: [] for board_id in board_ids}
    for member in rows:
        members[member.board_id].append(member)
    return members


async def member_by_id(session: AsyncSession, member_id: uuid.UUID) -> BoardMember | None:
    """A membership by its own id (`BoardMember.id`), as upstream's front end names one."""
    return await session.get(BoardMember, member_id)


async def users_with_email(session: AsyncSession, tenant_id: uuid.UUID, email: str) -> list[User]:
    """The users of a tenant whose email is `email`, in any case (at most a few)."""
    return list(
        await session.scalars(
            select(User).where(User.tenant_id == tenant_id, func.lower(User.email) == email.lower()).limit(2)
        )
    )


async def find_member(session: AsyncSession, board_id: uuid.UUID, user_id: uuid.UUID) -> BoardMember | None:
    return await session.scalar(
        select(BoardMember).where(BoardMember.board_id == board_id, BoardMember.user_id == user_id)
    )


async def insert_member(
    session: AsyncSession, board_id: uuid.UUID, user_id: uuid.UUID, role: str, invited_by: uuid.UUID
) -> BoardMember:
    member = BoardMember(
        id=uuid.uuid4(), board_id=board_id, user_id=user_id, role=role, invited_by_id=invited_by, joined_at=utcnow()
    )
    session.add(member)
    await session.flush()
    return member


async def set_member_role(session: AsyncSession, board_id: uuid.UUID, user_id: uuid.UUID, role: str) -> bool:
    result = await session.execute(
        update(BoardMember).where(BoardMember.board_id == board_id, BoardMember.user_id == user_id).values(role=role)
    )
    return bool(rows_changed(result))


async def delete_member(session: AsyncSession, board_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(BoardMember).where(BoardMember.board_id == board_id, BoardMember.user_id == user_id)
    )
    return bool(rows_changed(result))
