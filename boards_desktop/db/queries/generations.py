"""Generations: loading, listing newest first, creating, cancelling and moving (a board's grid: board_grid;
deleting goes to the trash: trash).

Every listing orders by (created_at DESC, id DESC), the order of the
`ix_generations_board_created` and `ix_generations_created` indexes, so a page is an index walk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, bindparam, case, insert, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, Generation
from boards_desktop.db.queries import favourites
from boards_desktop.db.queries.access import BoardVisibility, readable_boards_clause
from boards_desktop.db.queries.board_grid import NEWEST_FIRST
from boards_desktop.db.queries.boards import touch_board
from boards_desktop.db.queries.content_hash import content_hash
from boards_desktop.db.queries.lineage import InputArtifact, insert_lineage
from boards_desktop.db.queries.records import GenerationRecord, generation_columns, select_generations
from boards_desktop.db.queries.users import Actor
from boards_desktop.db.rowcount import rows_changed
from boards_desktop.db.search_text import search_text_of
from boards_desktop.db.types import utcnow

ACTIVE_STATUSES = ("pending", "processing")


async def generations_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, GenerationRecord]:
    rows = await session.execute(select_generations().where(Generation.id.in_(list(ids))))
    return {generation.id: generation for generation in rows}


async def recent_generations(
    session: AsyncSession,
    visibility: BoardVisibility,
    *,
    board_id: uuid.UUID | None,
    status: str | None,
    artifact_type: str | None,
    limit: int,
    offset: int,
    also: Sequence[ColumnElement[bool]] = (),
) -> list[GenerationRecord]:
    """Generations of readable boards, newest first; `also` narrows them further (a search's words)."""
    conditions: list[ColumnElement[bool]] = list(also)
    stored_board_id = type_coerce(Generation.board_id, String())  # compared with the stored text as is
    if board_id is not None:
        if not visibility.can_read(board_id):
            return []
        conditions.append(Generation.board_id == board_id)
    elif len(visibility.unreadable) <= len(visibility.readable):
        # NOT IN keeps the planner on the created_at index (usually the list is empty).
        if visibility.unreadable:
            conditions.append(stored_board_id.not_in(sorted(visibility.unreadable)))
    elif visibility.readable:
        conditions.append(stored_board_id.in_(sorted(visibility.readable)))
    else:
        return []
    if status is not None:
        conditions.append(Generation.status == status)
    if artifact_type is not None:
        conditions.append(Generation.artifact_type == artifact_type)
    query = select_generations().where(*conditions).order_by(*NEWEST_FIRST).limit(limit).offset(offset)
    return list(await session.execute(query))


async def insert_generation(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    board_id: uuid.UUID,
    user_id: uuid.UUID,
    generator_name: str,
    artifact_type: str,
    input_params: dict[str, Any],
    input_artifacts: Sequence[InputArtifact],
    media_storage: str | None = None,
) -> GenerationRecord:
    """A new pending generation with its lineage (JSON and rows together), and its board touched.

    `media_storage` is the queuing app's storage (MediaStore.storage_id): on a shared database only
    apps with the same storage claim the job (its inputs are there, its results must go there).
    """
    return await _insert(
        session,
        uuid.uuid4(),
        board_id,
        input_artifacts,
        tenant_id=tenant_id,
        user_id=user_id,
        generator_name=generator_name,
        artifact_type=artifact_type,
        input_params=input_params,
        status="pending",
        output_metadata={},
        progress=0,
        media_storage=media_storage,
    )


async def insert_completed_generation(
    session: AsyncSession,
    *,
    generation_id: uuid.UUID,
    tenant_id: uuid.UUID,
    board_id: uuid.UUID,
    user_id: uuid.UUID,
    generator_name: str,
    artifact_type: str,
    input_params: dict[str, Any],
    input_artifacts: Sequence[InputArtifact],
    storage_url: str,
    thumbnail_url: str | None,
    output_metadata: dict[str, Any],
) -> GenerationRecord:
    """A generation that is finished when it is created (an upload), with its lineage, its board touched.

    The id is the caller's: its files are in place under it before this row exists.
    """
    now = utcnow()
    return await _insert(
        session,
        generation_id,
        board_id,
        input_artifacts,
        tenant_id=tenant_id,
        user_id=user_id,
        generator_name=generator_name,
        artifact_type=artifact_type,
        input_params=input_params,
        status="completed",
        storage_url=storage_url,
        thumbnail_url=thumbnail_url,
        output_metadata=output_metadata,
        progress=100,
        started_at=now,
        completed_at=now,
    )


# Built once (see _insert): the columns a new generation is given; the rest keep their defaults.
_INSERT_COLUMNS = (
    "id",
    "tenant_id",
    "board_id",
    "user_id",
    "generator_name",
    "artifact_type",
    "input_params",
    "status",
    "storage_url",
    "thumbnail_url",
    "additional_files",
    "output_metadata",
    "input_artifacts",
    "progress",
    "attempts",
    "started_at",
    "completed_at",
    "created_at",
    "updated_at",
    "search_text",
    "media_storage",
)
_INSERT = (
    insert(Generation.__table__)
    .values({name: bindparam(name) for name in _INSERT_COLUMNS})
    .returning(*generation_columns())
)


async def _insert(
    session: AsyncSession,
    generation_id: uuid.UUID,
    board_id: uuid.UUID,
    input_artifacts: Sequence[InputArtifact],
    **values: Any,
) -> GenerationRecord:
    """One INSERT ... RETURNING, its lineage rows, and the board touched.

    The statement is built once, not per call, and is not the ORM's unit of work: queuing is the
    hottest write there is, and building the statement (its cache key above all) or flushing an
    object cost more than SQLite spends running it (measured).
    """
    now = utcnow()
    parameters = dict.fromkeys(_INSERT_COLUMNS)
    parameters.update(
        id=generation_id,
        board_id=board_id,
        additional_files=[],
        input_artifacts=[artifact.as_json() for artifact in input_artifacts],
        attempts=0,
        created_at=now,
        updated_at=now,
        search_text=search_text_of(
            values["input_params"],
            generator_name=values["generator_name"],
            file_name=_file_name(values.get("output_metadata")),
        ),
        **values,
    )
    row = (await session.execute(_INSERT, parameters)).one()
    await insert_lineage(session, generation_id, input_artifacts)
    await touch_board(session, board_id, now)
    return row


async def same_bytes_readable(
    session: AsyncSession, actor: Actor, board_id: uuid.UUID, sha256: str, *, other_than: uuid.UUID
) -> tuple[GenerationRecord, str] | None:
    """The completed generation whose file has this SHA-256 that an upload to `board_id` repeats, with
    its board's title: the board's own oldest first, else the oldest on another board `actor` may read
    (never one on a board they may not: the answer would reveal it).

    Two steps: the generations with this hash, through its index (a handful at most), then which
    of them may be read. Asked both at once, SQLite's planner walked every readable board's rows
    instead (90 ms at 50,000 generations).
    """
    # The hash alone in the first step: with the status beside it, SQLite chose the status index.
    same = await session.scalars(select(Generation.id).where(content_hash() == sha256, Generation.id != other_than))
    candidates = list(same)
    if not candidates:
        return None
    query = (
        select_generations()
        .add_columns(Board.title.label("board_title"))
        .join(Board, Board.id == Generation.board_id)
        .where(Generation.id.in_(candidates), Generation.status == "completed", readable_boards_clause(actor))
        .order_by(case((Generation.board_id == board_id, 0), else_=1), Generation.created_at, Generation.id)
        .limit(1)
    )
    found = (await session.execute(query)).first()
    return None if found is None else (found, str(found.board_title))


def _file_name(output_metadata: Any) -> str | None:
    name = output_metadata.get("original_filename") if isinstance(output_metadata, dict) else None
    return name if isinstance(name, str) else None


async def cancel_generation(session: AsyncSession, generation_id: uuid.UUID) -> Generation | None:
    """Mark an active generation cancelled; None when it is already terminal (or gone).

    The status condition is in the UPDATE itself so that a worker finishing the job at the same
    moment cannot be overwritten: a terminal status is final.
    """
    now = utcnow()
    result = await session.execute(
        update(Generation)
        .where(Generation.id == generation_id, Generation.status.in_(ACTIVE_STATUSES))
        .values(status="cancelled", completed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rows_changed(result):
        return None
    return await get_generation(session, generation_id)


async def get_generation(session: AsyncSession, generation_id: uuid.UUID) -> Generation | None:
    return await session.scalar(
        select(Generation).where(Generation.id == generation_id).execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class MovedGeneration:
    """A generation's new place: its board, and its file references pointed at the board's folder."""

    generation_id: uuid.UUID
    from_board_id: uuid.UUID
    storage_url: str | None
    thumbnail_url: str | None
    additional_files: Any


async def places_for_move(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """(board id, status) of each generation, read again inside the move's transaction.

    On PostgreSQL the rows stay locked until the commit, so no other app moves, deletes or
    finishes them meanwhile; SQLite's write transaction already excludes every other writer.
    """
    rows = await session.execute(
        select(Generation.id, Generation.board_id, Generation.status)
        .where(Generation.id.in_(list(ids)))
        .with_for_update()
    )
    return {generation_id: (board_id, status) for generation_id, board_id, status in rows}


_MOVE = (
    update(Generation.__table__)
    .where(Generation.__table__.c.id == bindparam("generation"))
    .values(
        board_id=bindparam("board"),
        storage_url=bindparam("storage"),
        thumbnail_url=bindparam("thumbnail"),
        additional_files=bindparam("extra"),
        updated_at=bindparam("when"),
    )
)


async def move_generations(session: AsyncSession, moved: Sequence[MovedGeneration], board_id: uuid.UUID) -> None:
    """Put generations on another board, with everyone's stars on them; both boards are touched.

    The board counters follow by themselves (the triggers of schemas/004).
    """
    if not moved:
        return
    now = utcnow()
    await session.execute(
        _MOVE,
        [
            {
                "generation": m.generation_id,
                "board": board_id,
                "storage": m.storage_url,
                "thumbnail": m.thumbnail_url,
                "extra": m.additional_files,
                "when": now,
            }
            for m in moved
        ],
    )
    await favourites.follow_move(session, [m.generation_id for m in moved], board_id)
    for touched in sorted({m.from_board_id for m in moved} | {board_id}, key=str):
        await touch_board(session, touched, now)
