"""Rows of a column select read through the session's connection, past the ORM's result machinery.

A session runs even a select of plain columns through the ORM's loading (per-row getters, chunks,
compile state): on a board page of fifty generations that cost a third more than the Core's own
rows (measured: 0.81 ms against 0.59 ms). The rows are the same `Row` objects with the same names,
so callers of the hot listings read them through here; statements that load ORM objects must not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.inline_sessions import InlineReadSession


async def core_rows(session: AsyncSession | InlineReadSession, statement: Any, params: dict[str, Any]) -> Any:
    """The result of a select of columns (no ORM entity), on the session's connection and transaction."""
    if isinstance(session, InlineReadSession):
        return session.core_execute(statement, params)
    connection = await session.connection()
    return await connection.execute(statement, params)
