"""Per-request DataLoaders: each batches the lookups of one request into one query.

A board page asks for its owner, its generations, their tags and their boards field by field;
the loaders turn that into a fixed number of statements however many rows the page holds.
Batches read through the operation's shared read session (see `sessions`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from boards_desktop.db import models
from boards_desktop.db.queries import board_grid, boards, favourites, generations, members, tags, users
from boards_desktop.db.queries.board_grid import GridFilter
from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql.sessions import RequestSessions

K = TypeVar("K")
V = TypeVar("V")

PageKey = tuple[uuid.UUID, int, int, GridFilter | None]  # board id, limit, offset, filter
TotalKey = tuple[uuid.UUID, GridFilter]
CoverKey = tuple[uuid.UUID, int]  # board id, how many


class Loaders:
    def __init__(self, sessions: RequestSessions, user_id: uuid.UUID | None = None) -> None:
        self._sessions = sessions
        self._user_id = user_id
        self.users: DataLoader[uuid.UUID, models.User | None] = self._by_key(users.users_by_ids, None)
        self.boards: DataLoader[uuid.UUID, BoardRecord | None] = self._by_key(boards.boards_by_ids, None)
        self.generations: DataLoader[uuid.UUID, GenerationRecord | None] = self._by_key(
            generations.generations_by_ids, None
        )
        self.members: DataLoader[uuid.UUID, list[models.BoardMember]] = self._by_key(members.members_by_boards, [])
        self.tags: DataLoader[uuid.UUID, list[models.Tag]] = self._by_key(tags.tags_by_generations, [])
        self.board_pages: DataLoader[PageKey, list[GenerationRecord]] = DataLoader(self._load_board_pages)
        self.board_totals: DataLoader[TotalKey, int] = DataLoader(self._load_board_totals)
        self.covers: DataLoader[CoverKey, list[str]] = DataLoader(self._load_covers)
        self.generator_names: DataLoader[uuid.UUID, list[str]] = self._by_key(board_grid.generator_names, [])
        # Whether the caller starred a generation (favourites are per user).
        self.favourites: DataLoader[uuid.UUID, bool] = DataLoader(self._load_favourites)

    def _by_key(
        self,
        query: Callable[[AsyncSession, Sequence[K]], Awaitable[Mapping[K, V]]],
        missing: V,
    ) -> DataLoader[K, V]:
        async def load(keys: list[K]) -> list[V]:
            async with self._sessions.read() as session:
                found = await query(session, keys)
            return [found.get(key, missing) for key in keys]

        return DataLoader(load)

    async def _load_board_pages(self, keys: list[PageKey]) -> list[list[GenerationRecord]]:
        # Usually every key has the same window and filter (one list field on many boards).
        by_window: dict[tuple[int, int, GridFilter | None], list[uuid.UUID]] = {}
        for board_id, limit, offset, grid_filter in keys:
            by_window.setdefault((limit, offset, grid_filter), []).append(board_id)
        pages: dict[PageKey, list[GenerationRecord]] = {}
        async with self._sessions.read() as session:
            for (limit, offset, grid_filter), board_ids in by_window.items():
                found = await board_grid.board_pages(
                    session, board_ids, limit=limit, offset=offset, grid_filter=grid_filter
                )
                pages.update({(board_id, limit, offset, grid_filter): rows for board_id, rows in found.items()})
        return [pages[key] for key in keys]

    async def _load_board_totals(self, keys: list[TotalKey]) -> list[int]:
        by_filter: dict[GridFilter, list[uuid.UUID]] = {}
        for board_id, grid_filter in keys:
            by_filter.setdefault(grid_filter, []).append(board_id)
        totals: dict[TotalKey, int] = {}
        async with self._sessions.read() as session:
            for grid_filter, board_ids in by_filter.items():
                found = await board_grid.board_totals(session, board_ids, grid_filter)
                totals.update({(board_id, grid_filter): count for board_id, count in found.items()})
        return [totals[key] for key in keys]

    async def _load_covers(self, keys: list[CoverKey]) -> list[list[str]]:
        by_limit: dict[int, list[uuid.UUID]] = {}
        for board_id, limit in keys:
            by_limit.setdefault(limit, []).append(board_id)
        covers: dict[CoverKey, list[str]] = {}
        async with self._sessions.read() as session:
            for limit, board_ids in by_limit.items():
                found = await board_grid.cover_thumbnails(session, board_ids, limit=limit)
                covers.update({(board_id, limit): urls for board_id, urls in found.items()})
        return [covers[key] for key in keys]

    async def _load_favourites(self, generation_ids: list[uuid.UUID]) -> list[bool]:
        if self._user_id is None:
            return [False] * len(generation_ids)
        async with self._sessions.read() as session:
            starred = await favourites.starred_among(session, self._user_id, generation_ids)
        return [generation_id in starred for generation_id in generation_ids]

    def remember_board(self, board: BoardRecord) -> None:
        self.boards.prime(board.id, board, force=True)

    def remember_generation(self, generation: GenerationRecord) -> None:
        self.generations.prime(generation.id, generation, force=True)

    def forget_board_contents(self, board_id: uuid.UUID) -> None:
        """Drop what this request loaded about a board's generations after it changed them."""
        _forget(self.boards, lambda key: key == board_id)  # the row carries the generation count
        _forget(self.board_pages, lambda key: key[0] == board_id)
        _forget(self.board_totals, lambda key: key[0] == board_id)
        _forget(self.covers, lambda key: key[0] == board_id)
        _forget(self.generator_names, lambda key: key == board_id)

    def forget_favourites(self, generation_ids: Sequence[uuid.UUID]) -> None:
        """After a change of stars; the board pages too, since a favourites-only page may have changed."""
        changed = set(generation_ids)
        _forget(self.favourites, lambda key: key in changed)
        _forget(self.board_pages, lambda key: key[3] is not None and key[3].favourites_of is not None)
        _forget(self.board_totals, lambda key: key[1].favourites_of is not None)

    def forget_tags(self, generation_id: uuid.UUID) -> None:
        _forget(self.tags, lambda key: key == generation_id)
        # A page filtered by tags may have changed with them.
        _forget(self.board_pages, lambda key: key[3] is not None and bool(key[3].tag_ids))
        _forget(self.board_totals, lambda key: bool(key[1].tag_ids))

    def forget_members(self, board_id: uuid.UUID) -> None:
        _forget(self.members, lambda key: key == board_id)


def _forget(loader: DataLoader[K, V], matches: Callable[[K], bool]) -> None:
    cached = getattr(loader.cache_map, "cache_map", {})  # strawberry's DefaultCache keeps a dict
    loader.clear_many([key for key in list(cached) if matches(key)])
