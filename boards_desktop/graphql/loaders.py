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
from boards_desktop.db.queries import boards, generations, members, tags, users
from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.graphql.sessions import RequestSessions

K = TypeVar("K")
V = TypeVar("V")

PageKey = tuple[uuid.UUID, int, int]  # board id, limit, offset


class Loaders:
    def __init__(self, sessions: RequestSessions) -> None:
        self._sessions = sessions
        self.users: DataLoader[uuid.UUID, models.User | None] = self._by_key(users.users_by_ids, None)
        self.boards: DataLoader[uuid.UUID, BoardRecord | None] = self._by_key(boards.boards_by_ids, None)
        self.generations: DataLoader[uuid.UUID, GenerationRecord | None] = self._by_key(
            generations.generations_by_ids, None
        )
        self.members: DataLoader[uuid.UUID, list[models.BoardMember]] = self._by_key(members.members_by_boards, [])
        self.tags: DataLoader[uuid.UUID, list[models.Tag]] = self._by_key(tags.tags_by_generations, [])
        self.board_pages: DataLoader[PageKey, list[GenerationRecord]] = DataLoader(self._load_board_pages)

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
        # Usually every key has the same limit and offset (one list field on many boards).
        by_window: dict[tuple[int, int], list[uuid.UUID]] = {}
        for board_id, limit, offset in keys:
            by_window.setdefault((limit, offset), []).append(board_id)
        pages: dict[PageKey, list[GenerationRecord]] = {}
        async with self._sessions.read() as session:
            for (limit, offset), board_ids in by_window.items():
                found = await generations.board_generation_pages(session, board_ids, limit=limit, offset=offset)
                pages.update({(board_id, limit, offset): rows for board_id, rows in found.items()})
        return [pages[key] for key in keys]

    def remember_board(self, board: BoardRecord) -> None:
        self.boards.prime(board.id, board, force=True)

    def remember_generation(self, generation: GenerationRecord) -> None:
        self.generations.prime(generation.id, generation, force=True)

    def forget_board_contents(self, board_id: uuid.UUID) -> None:
        """Drop what this request loaded about a board's generations after it changed them."""
        _forget(self.boards, lambda key: key == board_id)  # the row carries the generation count
        _forget(self.board_pages, lambda key: key[0] == board_id)

    def forget_tags(self, generation_id: uuid.UUID) -> None:
        _forget(self.tags, lambda key: key == generation_id)

    def forget_members(self, board_id: uuid.UUID) -> None:
        _forget(self.members, lambda key: key == board_id)


def _forget(loader: DataLoader[K, V], matches: Callable[[K], bool]) -> None:
    cached = getattr(loader.cache_map, "cache_map", {})  # strawberry's DefaultCache keeps a dict
    loader.clear_many([key for key in list(cached) if matches(key)])
