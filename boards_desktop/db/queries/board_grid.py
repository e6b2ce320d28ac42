"""A board's grid: its pages of generations (filtered or not), how many match, its covers and
the generators used on it. Each takes many boards and answers in one statement, for the loaders.

Pages keep the order of every listing, newest first (created_at DESC, id DESC), and walk
`ix_generations_board_created`. A filter is checked on the rows of the board as the walk meets
them, so its cost is bounded by the board's size whatever it matches: on a board of 10,000
generations a page or a count costs a few milliseconds (tests/benchmarks/queries.py).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, CompoundSelect, Integer, Select, bindparam, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.core_reads import core_rows
from boards_desktop.db.models import Favourite, Generation, GenerationTag
from boards_desktop.db.queries.records import GenerationRecord, select_generations
from boards_desktop.db.types import UUIDText

NEWEST_FIRST = (Generation.created_at.desc(), Generation.id.desc())
COVER_TYPES = ("image", "video")


@dataclass(frozen=True)
class GridFilter:
    """Which generations of a board a grid shows; an empty part leaves that side open.

    Hashable, so that a request asking the same filter of many boards loads them together.
    """

    artifact_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    favourites_of: uuid.UUID | None = None  # a user: only what they starred
    tag_ids: tuple[uuid.UUID, ...] = ()  # any of them
    generator_names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # folded (db.search_text); every one must be found
    # Per word, the tags whose folded name holds it (graphql/search.py): a word is also found
    # as a tag of the generation. Empty, or one tuple per word.
    word_tags: tuple[tuple[uuid.UUID, ...], ...] = ()

    @property
    def is_open(self) -> bool:
        return self == _OPEN


_OPEN = GridFilter()


async def board_pages(
    session: AsyncSession,
    board_ids: Sequence[uuid.UUID],
    *,
    limit: int,
    offset: int,
    grid_filter: GridFilter | None = None,
) -> dict[uuid.UUID, list[GenerationRecord]]:
    """The same page of generations (newest first) of each board, in one statement."""
    pages: dict[uuid.UUID, list[GenerationRecord]] = {board_id: [] for board_id in board_ids}
    if not board_ids:
        return pages
    # One index-ordered LIMIT query per board, glued with UNION ALL: a window function over the
    # boards would read every generation of each board to number the rows.
    if grid_filter is None or grid_filter.is_open:
        unique = list(dict.fromkeys(board_ids))
        parameters: dict[str, Any] = {f"board_{index}": board_id for index, board_id in enumerate(unique)}
        statement = _open_pages_statement(len(unique))
        result = await core_rows(session, statement, {**parameters, "limit": limit, "offset": offset})
        for generation in result.all():  # one fetch, not a fetch per row
            pages[generation.board_id].append(generation)
        for page in pages.values():
            page.sort(key=lambda g: (g.created_at, g.id), reverse=True)
        return pages
    literal = _plans_per_board(session, grid_filter)
    parts = [
        select_generations()
        .where(*_conditions([board_id], grid_filter, literal=literal))
        .order_by(*NEWEST_FIRST)
        .limit(limit)
        .offset(offset)
        for board_id in dict.fromkeys(board_ids)
    ]
    for generation in await session.execute(_glued(parts)):
        pages[generation.board_id].append(generation)
    for rows in pages.values():
        rows.sort(key=lambda g: (g.created_at, g.id), reverse=True)
    return pages


async def board_totals(
    session: AsyncSession, board_ids: Sequence[uuid.UUID], grid_filter: GridFilter
) -> dict[uuid.UUID, int]:
    """How many generations of each board the filter keeps (without one, read `boards.generation_count`)."""
    totals = dict.fromkeys(board_ids, 0)
    if not board_ids:
        return totals
    ids = list(dict.fromkeys(board_ids))
    conditions = _conditions(ids, grid_filter, literal=_plans_per_board(session, grid_filter))
    rows = await session.execute(
        select(Generation.board_id, func.count()).where(*conditions).group_by(Generation.board_id)
    )
    totals.update({board_id: count for board_id, count in rows})
    return totals


async def cover_thumbnails(
    session: AsyncSession, board_ids: Sequence[uuid.UUID], *, limit: int
) -> dict[uuid.UUID, list[str]]:
    """The thumbnails of each board's newest completed images and videos, newest first.

    Each board's part walks `ix_generations_board_covers`, which holds only what has a thumbnail.
    """
    covers: dict[uuid.UUID, list[str]] = {board_id: [] for board_id in board_ids}
    if not board_ids or limit < 1:
        return covers
    unique = list(dict.fromkeys(board_ids))
    parameters = {f"board_{index}": board_id for index, board_id in enumerate(unique)}
    rows = await session.execute(_covers_statement(len(unique)), {**parameters, "limit": limit})
    for row in sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True):
        covers[row.board_id].append(row.thumbnail_url)
    return covers


@functools.lru_cache(maxsize=64)
def _open_pages_statement(boards: int) -> Any:
    # The unfiltered page (every board page the app opens) built once per number of boards, its
    # ids, limit and offset bound at execution: building it per request cost as much as running it
    # (measured: 0.5 ms of 1.3 ms for a page of fifty).
    parts = [
        select_generations()
        .where(Generation.board_id == bindparam(f"board_{index}", type_=UUIDText()))
        .order_by(*NEWEST_FIRST)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
        for index in range(boards)
    ]
    return _glued(parts)


@functools.lru_cache(maxsize=64)
def _covers_statement(boards: int) -> Any:
    # Built once per number of boards: fifty parts made per request cost ten times what SQLite
    # spends running them (measured: 15 ms against 0.5 ms for the board cards).
    columns = Generation.__table__.c
    parts = [
        select(columns.board_id, columns.thumbnail_url, columns.created_at, columns.id)
        .where(
            columns.board_id == bindparam(f"board_{index}"),
            columns.status == "completed",
            columns.artifact_type.in_(COVER_TYPES),
            columns.thumbnail_url.is_not(None),
        )
        .order_by(columns.created_at.desc(), columns.id.desc())
        .limit(bindparam("limit", type_=Integer))
        for index in range(boards)
    ]
    return _glued(parts)


async def generator_names(session: AsyncSession, board_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The generators used on each board, by name (read from `ix_generations_board_generator` alone)."""
    names: dict[uuid.UUID, list[str]] = {board_id: [] for board_id in board_ids}
    if not board_ids:
        return names
    rows = await session.execute(
        select(Generation.board_id, Generation.generator_name)
        .where(Generation.board_id.in_(list(dict.fromkeys(board_ids))))
        .distinct()
    )
    for board_id, name in rows:
        names[board_id].append(name)
    for found in names.values():
        found.sort(key=str.casefold)
    return names


def filter_conditions(
    session: AsyncSession, board_id: uuid.UUID, grid_filter: GridFilter | None
) -> list[ColumnElement[bool]]:
    """The WHERE of one board's grid under a filter, planned as a page of it is."""
    return _conditions([board_id], grid_filter, literal=_plans_per_board(session, grid_filter))


def _plans_per_board(session: AsyncSession, grid_filter: GridFilter | None) -> bool:
    """Whether a filtered statement names its boards in its text, so that each board gets its own plan.

    asyncpg prepares every statement, and after five runs PostgreSQL may settle on one generic
    plan that ignores the parameters' values. Boards differ by orders of magnitude (50 generations
    or 10,000), and a generic plan for a filtered page of a large board was 30 times slower than its
    own (measured: 250 ms against 8). An unfiltered page is an index walk whatever the board.
    """
    bind = session.bind  # never None here: the app's sessions are bound to its engine
    return grid_filter is not None and bind is not None and bind.dialect.name == "postgresql"


def _board_ids(board_ids: list[uuid.UUID], literal: bool) -> list[Any]:
    if not literal:
        return list(board_ids)
    return [bindparam(None, board_id, type_=UUIDText(), unique=True, literal_execute=True) for board_id in board_ids]


def _conditions(
    board_ids: list[uuid.UUID], grid_filter: GridFilter | None, *, literal: bool = False
) -> list[ColumnElement[bool]]:
    boards = _board_ids(board_ids, literal)
    on_boards = Generation.board_id == boards[0] if len(boards) == 1 else Generation.board_id.in_(boards)
    conditions: list[ColumnElement[bool]] = [on_boards]
    if grid_filter is None:
        return conditions
    if grid_filter.artifact_types:
        conditions.append(Generation.artifact_type.in_(grid_filter.artifact_types))
    if grid_filter.statuses:
        conditions.append(Generation.status.in_(grid_filter.statuses))
    if grid_filter.generator_names:
        conditions.append(Generation.generator_name.in_(grid_filter.generator_names))
    if grid_filter.favourites_of is not None:
        # The caller's stars on these boards, read through ix_favourites_user_board: a few rows,
        # not a probe per generation of the board.
        on_favourite_boards = Favourite.board_id == boards[0] if len(boards) == 1 else Favourite.board_id.in_(boards)
        starred = select(Favourite.generation_id).where(
            Favourite.user_id == grid_filter.favourites_of, on_favourite_boards
        )
        conditions.append(Generation.id.in_(starred))
    if grid_filter.tag_ids:
        tagged = select(GenerationTag.generation_id).where(GenerationTag.tag_id.in_(grid_filter.tag_ids))
        conditions.append(Generation.id.in_(tagged))
    conditions.extend(word_conditions(grid_filter))
    return conditions


def word_conditions(grid_filter: GridFilter) -> list[ColumnElement[bool]]:
    """A search's words: each found in the search text, or as a tag of the generation."""
    conditions: list[ColumnElement[bool]] = []
    for index, word in enumerate(grid_filter.words):
        # Both sides are folded already; LIKE then needs no case rules of its own (autoescape: a
        # '%' or '_' typed in the search is that character).
        found: ColumnElement[bool] = Generation.search_text.contains(word, autoescape=True)
        tags = grid_filter.word_tags[index] if index < len(grid_filter.word_tags) else ()
        if tags:
            tagged = select(GenerationTag.generation_id).where(GenerationTag.tag_id.in_(tags))
            found = or_(found, Generation.id.in_(tagged))
        conditions.append(found)
    return conditions


def _glued(parts: list[Select[Any]]) -> Select[Any] | CompoundSelect[Any]:
    return parts[0] if len(parts) == 1 else union_all(*(select(part.subquery()) for part in parts))
