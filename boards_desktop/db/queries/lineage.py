"""Lineage: which generations a generation was made from, as JSON and as edge rows.

`generations.input_artifacts` (JSON) is the contract's record; `generation_lineage` holds the same
edges as rows so that `ancestry` and `descendants` are one indexed recursive query, the same SQL on
SQLite and PostgreSQL. Both are written in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Board, Generation, GenerationLineage
from boards_desktop.db.queries.access import readable_boards_clause
from boards_desktop.db.queries.users import Actor

# A walk over a graph full of diamonds grows by paths, not nodes; past this many edges it stops.
MAX_WALK_EDGES = 10_000


@dataclass(frozen=True)
class InputArtifact:
    generation_id: uuid.UUID
    role: str
    artifact_type: str

    def as_json(self) -> dict[str, str]:
        return {"generation_id": str(self.generation_id), "role": self.role, "artifact_type": self.artifact_type}

    @classmethod
    def from_json(cls, raw: Any) -> InputArtifact | None:
        """One entry of `input_artifacts`, or None when it is not one we can read."""
        try:
            return cls(uuid.UUID(str(raw["generation_id"])), str(raw["role"]), str(raw["artifact_type"]))
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class LineageEdge:
    """One step of a walk: `node_id` reached from `from_id` by the edge's role, along `path`."""

    from_id: uuid.UUID
    node_id: uuid.UUID
    depth: int
    role: str
    position: int
    path: str  # ",id,id,...,": the ids from the walk's start to node_id


def parse_input_artifacts(raw: Any) -> list[InputArtifact]:
    if not isinstance(raw, list):
        return []
    return [artifact for artifact in map(InputArtifact.from_json, raw) if artifact is not None]


async def detect_input_artifacts(
    session: AsyncSession, actor: Actor, input_params: dict[str, Any]
) -> list[InputArtifact]:
    """Inputs of a new generation, guessed from its params.

    Stop-gap until the generator registry: it will read artifact inputs from each generator's
    input schema and replace this guess. For now any param whose value is a UUID (or a list of
    UUIDs) naming a generation the actor may read is recorded, with the param name as its role.
    """
    candidates: list[tuple[str, uuid.UUID]] = []
    for name, value in input_params.items():
        for item in value if isinstance(value, list) else [value]:
            parsed = _as_uuid(item)
            if parsed is not None:
                candidates.append((name[:100], parsed))  # the role column holds 100 characters
    if not candidates:
        return []
    rows = await session.execute(
        select(Generation.id, Generation.artifact_type)
        .join(Board, Board.id == Generation.board_id)
        .where(Generation.id.in_(list({gid for _, gid in candidates})), readable_boards_clause(actor))
    )
    types: dict[uuid.UUID, str] = {gid: artifact_type for gid, artifact_type in rows}
    return [InputArtifact(gid, role, types[gid]) for role, gid in candidates if gid in types]


async def still_present(session: AsyncSession, artifacts: Sequence[InputArtifact]) -> list[InputArtifact]:
    """The artifacts whose generation still exists (a copied lineage must not name deleted ones)."""
    if not artifacts:
        return []
    ids = {artifact.generation_id for artifact in artifacts}
    present = set(await session.scalars(select(Generation.id).where(Generation.id.in_(list(ids)))))
    return [artifact for artifact in artifacts if artifact.generation_id in present]


def _as_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def insert_lineage(session: AsyncSession, generation_id: uuid.UUID, artifacts: Sequence[InputArtifact]) -> None:
    if not artifacts:
        return
    await session.execute(
        insert(GenerationLineage),
        [
            {
                "generation_id": generation_id,
                "position": position,
                "input_generation_id": artifact.generation_id,
                "role": artifact.role,
                "artifact_type": artifact.artifact_type,
            }
            for position, artifact in enumerate(artifacts)
        ],
    )


# The two walks differ only in the direction they follow an edge. The path string carries the ids
# visited so far: a step to an id already on the path is a cycle and is not taken. A node reached
# by two paths (a diamond) appears once per path, as the contract wants.
_WALK_SQL = """
WITH RECURSIVE walk(from_id, node_id, depth, role, position, path) AS (
    SELECT l.{near}, l.{far}, 1, l.role, l.position, ',' || l.{near} || ',' || l.{far} || ','
    FROM generation_lineage l
    WHERE l.{near} = :start AND l.{far} <> :start
    UNION ALL
    SELECT l.{near}, l.{far}, w.depth + 1, l.role, l.position, w.path || l.{far} || ','
    FROM walk w
    JOIN generation_lineage l ON l.{near} = w.node_id
    WHERE w.depth < :max_depth AND w.path NOT LIKE '%,' || l.{far} || ',%'
)
SELECT from_id, node_id, depth, role, position, path FROM walk LIMIT :max_edges
"""
_ANCESTRY_SQL = text(_WALK_SQL.format(near="generation_id", far="input_generation_id"))
_DESCENDANTS_SQL = text(_WALK_SQL.format(near="input_generation_id", far="generation_id"))


async def lineage_walk(
    session: AsyncSession, start: uuid.UUID, *, direction: Literal["ancestry", "descendants"], max_depth: int
) -> list[LineageEdge]:
    """Every path from `start` up to `max_depth` steps towards inputs (ancestry) or outputs."""
    if max_depth < 1:
        return []
    statement = _ANCESTRY_SQL if direction == "ancestry" else _DESCENDANTS_SQL
    rows = await session.execute(statement, {"start": str(start), "max_depth": max_depth, "max_edges": MAX_WALK_EDGES})
    return [
        LineageEdge(uuid.UUID(from_id), uuid.UUID(node_id), depth, role, position, path)
        for from_id, node_id, depth, role, position, path in rows
    ]
