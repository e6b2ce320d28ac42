"""The caller's role on a board, for the archive commands (the same table as graphql.permissions).

The CLI has no request context, so the rule is decided here from one query: the owner, a member's
role, or none. Exporting needs read access (any role, or a public board); importing into a board
that is already here needs the editor role or higher, as uploading does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import BoardMember
from boards_desktop.db.queries.users import Actor

_RANK = {"viewer": 1, "editor": 2, "admin": 3, "owner": 4}


async def role_on(session: AsyncSession, actor: Actor, board: Any) -> str | None:
    """`owner`, `admin`, `editor`, `viewer` or None; `board` is a row of the boards table."""
    if board.tenant_id != actor.tenant_id:
        return None
    if board.owner_id == actor.user_id:
        return "owner"
    role = await session.scalar(
        select(BoardMember.role).where(BoardMember.board_id == board.id, BoardMember.user_id == actor.user_id)
    )
    return role if role in _RANK else None


async def may_read(session: AsyncSession, actor: Actor, board: Any) -> bool:
    if board.tenant_id != actor.tenant_id:
        return False
    return bool(board.is_public) or await role_on(session, actor, board) is not None


async def may_add_to(session: AsyncSession, actor: Actor, board: Any) -> bool:
    role = await role_on(session, actor, board)
    return role is not None and _RANK[role] >= _RANK["editor"]
