"""One board with its owner, and its unfiltered page of generations as the database stores it: no type conversion.

For the board page's planned answer (graphql.fast_page): ids stay the canonical text both engines
store (VARCHAR(36), see db.types), timestamps stay SQLite's text (PostgreSQL hands back datetimes),
JSON stays text until the caller decodes the columns it sends. Converting two hundred ids to UUID
objects and back to text cost more than running the statement. The rows and their order are those
of board_grid.board_pages for an open filter (tests/graphql/test_fast_page.py compares the two).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, TextClause, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.core_reads import core_rows
from boards_desktop.db.inline_sessions import InlineReadSession
from boards_desktop.db.models import Board, Generation, User
from boards_desktop.db.types import UUIDText

# The generations columns a page may select: the table's own, read from the model the DDL generates;
# a caller's names are checked against it (they go into SQL).
COLUMNS = frozenset(column.name for column in Generation.__table__.columns)


@functools.lru_cache(maxsize=32)
def _statement(columns: tuple[str, ...]) -> TextClause:
    unknown = set(columns) - COLUMNS
    if unknown:
        raise ValueError(f"not a generations column a page selects: {sorted(unknown)}")
    return text(
        f"SELECT {', '.join(columns)} FROM generations WHERE board_id = :board_id"  # names from COLUMNS only
        " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset"
    )


OWNER_PREFIX = "owner__"


@functools.lru_cache(maxsize=1)
def _board_with_owner_statement() -> Select[Any]:
    # Built once: a select made per request (an IN list, the ORM's execution) cost more than the row.
    board_columns = [column.label(key) for key, column in Board.__mapper__.columns.items()]
    owner_columns = [column.label(f"{OWNER_PREFIX}{key}") for key, column in User.__mapper__.columns.items()]
    return (
        select(*board_columns, *owner_columns)
        .select_from(Board.__table__.outerjoin(User.__table__, User.id == Board.owner_id))
        .where(Board.id == bindparam("board_id", type_=UUIDText()))
    )


async def board_with_owner(session: AsyncSession | InlineReadSession, board_id: uuid.UUID) -> Row[Any] | None:
    """A board as board_queries.boards_by_ids reads it (a record), its owner's columns beside it,
    named `owner__<attribute>` (None when the owner is missing)."""
    result = await core_rows(session, _board_with_owner_statement(), {"board_id": board_id})
    row: Row[Any] | None = result.first()
    return row


async def raw_board_page(
    session: AsyncSession | InlineReadSession, board_id: str, columns: Sequence[str], *, limit: int, offset: int
) -> list[Any]:
    """The page's rows as tuples of `columns`, newest first (created_at, then id, descending)."""
    result = await core_rows(
        session, _statement(tuple(columns)), {"board_id": board_id, "limit": limit, "offset": offset}
    )
    return list(result.all())
