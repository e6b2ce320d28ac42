"""The rows provenance needs: parents' content hashes for an export, known generations for an upload.

Content hashes sit in `output_metadata.sha256` (every stored file has one, see media.ingest), with
an index on that expression (schema file 013, `content_hash`): a look-up by hash reads only the rows that have it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, Generation
from boards_desktop.db.queries.access import readable_boards_clause
from boards_desktop.db.queries.content_hash import content_hash
from boards_desktop.db.queries.lineage import parse_input_artifacts
from boards_desktop.db.queries.users import Actor
from boards_desktop.media.provenance import ParentFact


async def parent_facts(session: AsyncSession, rows: Sequence[Any]) -> dict[uuid.UUID, list[ParentFact]]:
    """For each row, its inputs (id, role) with each input's stored SHA-256 (None once it is deleted)."""
    inputs = {row.id: parse_input_artifacts(row.input_artifacts) for row in rows}
    ids = list({artifact.generation_id for artifacts in inputs.values() for artifact in artifacts})
    hashes: dict[uuid.UUID, str | None] = {}
    for start in range(0, len(ids), 500):
        found = await session.execute(
            select(Generation.id, Generation.output_metadata).where(Generation.id.in_(ids[start : start + 500]))
        )
        for generation_id, metadata in found:
            sha = metadata.get("sha256") if isinstance(metadata, dict) else None
            hashes[generation_id] = sha if isinstance(sha, str) else None
    return {
        row_id: [ParentFact(str(a.generation_id), a.role, hashes.get(a.generation_id)) for a in artifacts]
        for row_id, artifacts in inputs.items()
    }


async def readable_generations(
    session: AsyncSession, actor: Actor, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Of these ids, the generations the actor may read: id -> (board id, artifact type)."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    found = await session.execute(
        select(Generation.id, Generation.board_id, Generation.artifact_type)
        .join(Board, Board.id == Generation.board_id)
        .where(Generation.id.in_(wanted), readable_boards_clause(actor))
    )
    return {generation_id: (board_id, artifact_type) for generation_id, board_id, artifact_type in found}


async def readable_generations_with_hashes(
    session: AsyncSession, actor: Actor, hashes: Iterable[str]
) -> dict[str, tuple[uuid.UUID, str]]:
    """Of these SHA-256 hashes, the oldest readable completed generation with each: hash -> (id, artifact type)."""
    wanted = {value for value in hashes if isinstance(value, str) and len(value) == 64}
    if not wanted:
        return {}
    # One hash at a time through its index (the hash alone: beside the status, SQLite chose the status index),
    # then which of those rows may be read.
    sha = content_hash()
    candidates: list[uuid.UUID] = []
    for value in sorted(wanted):
        by_hash = select(Generation.id).where(sha == value)
        candidates.extend(await session.scalars(by_hash))
    if not candidates:
        return {}
    found = await session.execute(
        select(sha, Generation.id, Generation.artifact_type)
        .join(Board, Board.id == Generation.board_id)
        .where(Generation.id.in_(candidates), Generation.status == "completed", readable_boards_clause(actor))
        .order_by(Generation.created_at, Generation.id)
    )
    result: dict[str, tuple[uuid.UUID, str]] = {}
    for value, generation_id, artifact_type in found:
        result.setdefault(value, (generation_id, artifact_type))
    return result
