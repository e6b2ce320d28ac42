"""The Trash: moving generations into it, listing, restoring and emptying it (schemas/010).

A trashed generation's row leaves `generations` (so nothing else has to know about the trash) and
is kept as JSON in `trashed_generations`, with its lineage edges on both sides, its tag links and
everyone's stars. Each function here is one statement per table for the whole batch, so trashing or
restoring 1,000 generations costs the same handful of statements as one.

A pending or processing generation is cancelled in the same transaction before it is kept: a restored
job never runs again by surprise (the runner stops its task after the commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import (
    Board,
    Favourite,
    Generation,
    GenerationLineage,
    GenerationTag,
    Tag,
    TrashedGeneration,
    User,
)
from boards_desktop.db.queries.boards import touch_board
from boards_desktop.db.types import utcnow

ACTIVE_STATUSES = ("pending", "processing")
# How long a generation waits in the trash before it is emptied on its own.
KEEP_DAYS = 30


@dataclass(frozen=True)
class TrashedPlace:
    """Where a generation's files are: what removing them (or telling its board) needs."""

    generation_id: uuid.UUID
    board_id: uuid.UUID


def _plain(value: Any) -> Any:
    """A column value as JSON: timestamps as ISO text and UUIDs as text (the column types read both back)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _as_json(row: Row[Any]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in row._mapping.items()}


async def trash_generations(
    session: AsyncSession, ids: Sequence[uuid.UUID], trashed_by: uuid.UUID
) -> list[TrashedPlace]:
    """Move generations into the trash; returns those that were there. Their boards are touched."""
    if not ids:
        return []
    wanted = list(ids)
    now = utcnow()
    await session.execute(
        update(Generation)
        .where(Generation.id.in_(wanted), Generation.status.in_(ACTIVE_STATUSES))
        .values(status="cancelled", completed_at=now, updated_at=now, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    rows = (await session.execute(select(Generation.__table__).where(Generation.id.in_(wanted)))).all()
    if not rows:
        return []
    lineage = (
        await session.execute(
            select(GenerationLineage.__table__).where(
                or_(GenerationLineage.generation_id.in_(wanted), GenerationLineage.input_generation_id.in_(wanted))
            )
        )
    ).all()
    links = (
        await session.execute(select(GenerationTag.__table__).where(GenerationTag.generation_id.in_(wanted)))
    ).all()
    stars = (await session.execute(select(Favourite.__table__).where(Favourite.generation_id.in_(wanted)))).all()

    # Each row as JSON once, grouped by the generation(s) it belongs to: one pass per table.
    grouped: dict[str, dict[uuid.UUID, list[dict[str, Any]]]] = {"lineage": {}, "tags": {}, "stars": {}}
    for name, found, columns in (
        ("lineage", lineage, ("generation_id", "input_generation_id")),
        ("tags", links, ("generation_id",)),
        ("stars", stars, ("generation_id",)),
    ):
        for found_row in found:
            as_json = _as_json(found_row)
            for owner in {found_row._mapping[column] for column in columns}:
                grouped[name].setdefault(owner, []).append(as_json)
    await session.execute(
        insert(TrashedGeneration),
        [
            {
                "id": row.id,
                "tenant_id": row.tenant_id,
                "board_id": row.board_id,
                "user_id": row.user_id,
                "trashed_by_id": trashed_by,
                "trashed_at": now,
                "generation": _as_json(row),
                "lineage": grouped["lineage"].get(row.id, []),
                "tag_links": grouped["tags"].get(row.id, []),
                "favourites": grouped["stars"].get(row.id, []),
            }
            for row in rows
        ],
    )
    # The lineage, tag and star rows go with the generation (ON DELETE CASCADE); the board counters follow
    # by themselves (the triggers of schemas/004).
    await session.execute(delete(Generation).where(Generation.id.in_([row.id for row in rows])))
    places = [TrashedPlace(row.id, row.board_id) for row in rows]
    for board_id in sorted({place.board_id for place in places}, key=str):
        await touch_board(session, board_id, now)
    return places


async def restore_generations(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[TrashedPlace]:
    """Put trashed generations back, with the edges, tag links and stars whose other end is still there."""
    if not ids:
        return []
    entries = (await session.scalars(select(TrashedGeneration).where(TrashedGeneration.id.in_(list(ids))))).all()
    if not entries:
        return []
    columns = {column.name for column in Generation.__table__.columns}
    await session.execute(
        insert(Generation.__table__),
        [{key: value for key, value in entry.generation.items() if key in columns} for entry in entries],
    )
    restored = {entry.id for entry in entries}
    await _restore_lineage(session, [edge for entry in entries for edge in entry.lineage])
    await _restore_tag_links(session, [link for entry in entries for link in entry.tag_links])
    boards = {entry.id: entry.board_id for entry in entries}
    await _restore_stars(session, [star for entry in entries for star in entry.favourites], boards)
    await session.execute(delete(TrashedGeneration).where(TrashedGeneration.id.in_(list(restored))))
    now = utcnow()
    for board_id in sorted(set(boards.values()), key=str):
        await touch_board(session, board_id, now)
    return [TrashedPlace(entry.id, entry.board_id) for entry in entries]


async def _existing(session: AsyncSession, column: Any, values: set[uuid.UUID]) -> set[uuid.UUID]:
    if not values:
        return set()
    return set((await session.scalars(select(column).where(column.in_(list(values))))).all())


async def _restore_lineage(session: AsyncSession, edges: list[dict[str, Any]]) -> None:
    # An edge comes back when both of its ends are generations again and its place is free (both ends'
    # entries carry it when both were trashed, and a child may have been given another input since).
    unique = {(e["generation_id"], e["position"]): e for e in edges}
    if not unique:
        return
    ends = {uuid.UUID(e["generation_id"]) for e in unique.values()} | {
        uuid.UUID(e["input_generation_id"]) for e in unique.values()
    }
    present = {str(i) for i in await _existing(session, Generation.id, ends)}
    keys = [(uuid.UUID(g), p) for g, p in unique]
    taken = {
        (str(g), p)
        for g, p in (
            await session.execute(
                select(GenerationLineage.generation_id, GenerationLineage.position).where(
                    tuple_(GenerationLineage.generation_id, GenerationLineage.position).in_(keys)
                )
            )
        ).all()
    }
    back = [
        e
        for key, e in unique.items()
        if key not in taken and e["generation_id"] in present and e["input_generation_id"] in present
    ]
    if back:
        await session.execute(insert(GenerationLineage.__table__), back)
    await _hand_over_edges(session, [e for key, e in unique.items() if key not in taken and e not in back])


async def _hand_over_edges(session: AsyncSession, edges: list[dict[str, Any]]) -> None:
    """Edges whose other end is still in the trash go into its entry, so that restoring it later brings them."""
    waiting = {uuid.UUID(e[side]) for e in edges for side in ("generation_id", "input_generation_id")}
    if not waiting:
        return
    for entry in (
        await session.scalars(select(TrashedGeneration).where(TrashedGeneration.id.in_(list(waiting))))
    ).all():
        mine = str(entry.id)
        known = {(e["generation_id"], e["position"]) for e in entry.lineage}
        added = [
            e
            for e in edges
            if mine in (e["generation_id"], e["input_generation_id"])
            and (e["generation_id"], e["position"]) not in known
        ]
        if added:
            await session.execute(
                update(TrashedGeneration)
                .where(TrashedGeneration.id == entry.id)
                .values(lineage=[*entry.lineage, *added])
                .execution_options(synchronize_session=False)
            )


async def _restore_tag_links(session: AsyncSession, links: list[dict[str, Any]]) -> None:
    if not links:
        return
    tags = {str(t) for t in await _existing(session, Tag.id, {uuid.UUID(link["tag_id"]) for link in links})}
    back = [link for link in links if link["tag_id"] in tags]
    if back:
        await session.execute(insert(GenerationTag.__table__), back)


async def _restore_stars(
    session: AsyncSession, stars: list[dict[str, Any]], boards: dict[uuid.UUID, uuid.UUID]
) -> None:
    if not stars:
        return
    users = {str(u) for u in await _existing(session, User.id, {uuid.UUID(star["user_id"]) for star in stars})}
    back = [
        {**star, "board_id": str(boards[uuid.UUID(star["generation_id"])])}
        for star in stars
        if star["user_id"] in users
    ]
    if back:
        await session.execute(insert(Favourite.__table__), back)


async def remove_entries(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[TrashedPlace]:
    """Empty these entries for good; returns them, so that their files can be removed after the commit."""
    if not ids:
        return []
    rows = await session.execute(
        delete(TrashedGeneration)
        .where(TrashedGeneration.id.in_(list(ids)))
        .returning(TrashedGeneration.id, TrashedGeneration.board_id)
    )
    return [TrashedPlace(generation_id, board_id) for generation_id, board_id in rows]


async def remove_expired(session: AsyncSession, now: datetime | None = None) -> list[TrashedPlace]:
    """Empty every entry older than KEEP_DAYS (the daily emptying)."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    rows = await session.execute(
        delete(TrashedGeneration)
        .where(TrashedGeneration.trashed_at < cutoff)
        .returning(TrashedGeneration.id, TrashedGeneration.board_id)
    )
    return [TrashedPlace(generation_id, board_id) for generation_id, board_id in rows]


def visible_to(user_id: uuid.UUID, tenant_id: uuid.UUID) -> ColumnElement[bool]:
    """Entries this user may see: everything trashed on their own boards, and what they made elsewhere.

    The same people who may delete a generation (permissions.require_generation_control); restoring and
    emptying check the board role again, so a former editor sees at most their own work.
    """
    owns_board = select(Board.id).where(Board.id == TrashedGeneration.board_id, Board.owner_id == user_id).exists()
    return and_(TrashedGeneration.tenant_id == tenant_id, or_(owns_board, TrashedGeneration.user_id == user_id))


async def list_entries(
    session: AsyncSession,
    where: ColumnElement[bool],
    *,
    board_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[TrashedGeneration]:
    """Newest trashed first."""
    query = select(TrashedGeneration).where(where)
    if board_id is not None:
        query = query.where(TrashedGeneration.board_id == board_id)
    query = query.order_by(TrashedGeneration.trashed_at.desc(), TrashedGeneration.id.desc())
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def count_entries(session: AsyncSession, where: ColumnElement[bool], *, board_id: uuid.UUID | None) -> int:
    query = select(func.count()).select_from(TrashedGeneration).where(where)
    if board_id is not None:
        query = query.where(TrashedGeneration.board_id == board_id)
    return int(await session.scalar(query) or 0)


async def entries_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[TrashedGeneration]:
    if not ids:
        return []
    return list((await session.scalars(select(TrashedGeneration).where(TrashedGeneration.id.in_(list(ids))))).all())


async def entry_ids(
    session: AsyncSession, where: ColumnElement[bool], *, board_id: uuid.UUID | None
) -> list[uuid.UUID]:
    query = select(TrashedGeneration.id).where(where)
    if board_id is not None:
        query = query.where(TrashedGeneration.board_id == board_id)
    return list((await session.scalars(query)).all())
