"""Boards: loading, listing (mine, public, search), creating, changing and deleting."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, BoardMember
from boards_desktop.db.queries.access import readable_boards_clause
from boards_desktop.db.queries.records import BoardRecord, select_boards
from boards_desktop.db.queries.users import Actor
from boards_desktop.db.rowcount import rows_changed
from boards_desktop.db.search_text import fold
from boards_desktop.db.types import utcnow

BoardSort = Literal["created_asc", "created_desc", "updated_asc", "updated_desc"]
MembershipFilter = Literal["owner", "member", "any"]


# Built once: every mutation on a board loads it first (queuing a generation above all), and a statement
# built per call spends more time on its cache key than SQLite spends running it (see _TOUCH_BOARD).
_BOARDS_BY_IDS = select_boards().where(Board.__table__.c.id.in_(bindparam("ids", expanding=True)))


async def boards_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, BoardRecord]:
    rows = await session.execute(_BOARDS_BY_IDS, {"ids": list(ids)})
    return {board.id: board for board in rows}


async def my_boards(
    session: AsyncSession,
    actor: Actor,
    *,
    membership: MembershipFilter,
    sort: BoardSort,
    limit: int,
    offset: int,
) -> list[BoardRecord]:
    member_of = Board.id.in_(select(BoardMember.board_id).where(BoardMember.user_id == actor.user_id))
    owned = Board.owner_id == actor.user_id
    condition: ColumnElement[bool] = {"owner": owned, "member": member_of, "any": owned | member_of}[membership]
    query = select_boards().where(Board.tenant_id == actor.tenant_id, condition)
    return await _page(session, query, sort, limit, offset)


async def public_boards(
    session: AsyncSession, actor: Actor, *, sort: BoardSort, limit: int, offset: int
) -> list[BoardRecord]:
    query = select_boards().where(Board.tenant_id == actor.tenant_id, Board.is_public.is_(True))
    return await _page(session, query, sort, limit, offset)


async def search_boards(
    session: AsyncSession, actor: Actor, text: str, *, limit: int, offset: int
) -> list[BoardRecord]:
    """Readable boards whose title or description contains `text`, in any case, newest update first.

    The match runs here rather than in SQL: SQLite's lower() folds ASCII only and PostgreSQL's
    ILIKE depends on the database's locale, while an artist searching "été" expects "Été". Boards
    number in the hundreds, so reading their titles is cheap; only the page is loaded whole.
    """
    needle = fold(text)
    candidates = await session.execute(
        select(Board.id, Board.title, Board.description)
        .where(readable_boards_clause(actor))
        .order_by(Board.updated_at.desc(), Board.id.desc())
    )
    matching = [
        board_id
        for board_id, title, description in candidates
        if needle in fold(title) or (description is not None and needle in fold(description))
    ]
    page = matching[offset : offset + limit]
    found = await boards_by_ids(session, page) if page else {}
    return [found[board_id] for board_id in page if board_id in found]


async def boards_owned_by(
    session: AsyncSession, actor: Actor, owner_id: uuid.UUID, *, limit: int, offset: int
) -> list[BoardRecord]:
    query = select_boards().where(readable_boards_clause(actor), Board.owner_id == owner_id)
    return await _page(session, query, "updated_desc", limit, offset)


async def boards_with_member(
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, *, limit: int, offset: int
) -> list[BoardRecord]:
    query = select_boards().where(
        readable_boards_clause(actor),
        Board.id.in_(select(BoardMember.board_id).where(BoardMember.user_id == user_id)),
    )
    return await _page(session, query, "updated_desc", limit, offset)


async def _page(
    session: AsyncSession, query: Select[Any], sort: BoardSort, limit: int, offset: int
) -> list[BoardRecord]:
    column = Board.created_at if sort.startswith("created") else Board.updated_at
    # id breaks ties so that pages neither skip nor repeat boards touched in the same instant.
    order = (column.asc(), Board.id.asc()) if sort.endswith("asc") else (column.desc(), Board.id.desc())
    return list(await session.execute(query.order_by(*order).limit(limit).offset(offset)))


async def insert_board(
    session: AsyncSession,
    actor: Actor,
    *,
    title: str,
    description: str | None,
    is_public: bool,
    settings: dict[str, Any],
) -> Board:
    now = utcnow()
    board = Board(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        owner_id=actor.user_id,
        title=title,
        description=description,
        is_public=is_public,
        settings=settings,
        metadata_={},
        created_at=now,
        updated_at=now,
    )
    session.add(board)
    await session.flush()
    return board


async def update_board(session: AsyncSession, board_id: uuid.UUID, changes: dict[str, Any]) -> Board | None:
    """Apply `changes` (column name to value) and stamp updated_at; None when the board is gone."""
    values = {**changes, "updated_at": utcnow()}
    await session.execute(update(Board).where(Board.id == board_id).values(**values))
    return await session.scalar(select(Board).where(Board.id == board_id).execution_options(populate_existing=True))


async def delete_board(session: AsyncSession, board_id: uuid.UUID) -> bool:
    result = await session.execute(delete(Board).where(Board.id == board_id))
    return bool(rows_changed(result))


# Built once: every queued, finished or uploaded generation touches its board, and a statement
# built per call spends more time computing its cache key than SQLite spends running it.
_TOUCH_BOARD = (
    update(Board.__table__).where(Board.__table__.c.id == bindparam("board_id")).values(updated_at=bindparam("when"))
)


async def touch_board(session: AsyncSession, board_id: uuid.UUID, when: datetime | None = None) -> None:
    """Move a board's updated_at: artists read it as "last change", generations included."""
    await session.execute(_TOUCH_BOARD, {"board_id": board_id, "when": when or utcnow()})
