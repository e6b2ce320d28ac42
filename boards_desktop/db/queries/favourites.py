"""Favourites: the generations a user starred (schemas/007). Personal: a star is one user's."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Favourite
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.db.queries.upserts import insert_ignoring_duplicates
from boards_desktop.db.types import utcnow


async def starred_among(
    session: AsyncSession, user_id: uuid.UUID, generation_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these generations the user starred."""
    rows = await session.scalars(
        select(Favourite.generation_id).where(
            Favourite.user_id == user_id, Favourite.generation_id.in_(list(generation_ids))
        )
    )
    return set(rows)


async def star(session: AsyncSession, user_id: uuid.UUID, generations: Sequence[GenerationRecord]) -> None:
    """Star the generations; one already starred stays as it was."""
    if not generations:
        return
    now = utcnow()
    await session.execute(
        insert_ignoring_duplicates(session, Favourite),
        [{"generation_id": g.id, "user_id": user_id, "board_id": g.board_id, "created_at": now} for g in generations],
    )


async def unstar(session: AsyncSession, user_id: uuid.UUID, generation_ids: Sequence[uuid.UUID]) -> None:
    await session.execute(
        delete(Favourite).where(Favourite.user_id == user_id, Favourite.generation_id.in_(list(generation_ids)))
    )


async def follow_move(session: AsyncSession, generation_ids: Sequence[uuid.UUID], board_id: uuid.UUID) -> None:
    """Everyone's stars on moved generations now count on the generations' new board."""
    await session.execute(
        update(Favourite)
        .where(Favourite.generation_id.in_(list(generation_ids)))
        .values(board_id=board_id)
        .execution_options(synchronize_session=False)
    )
