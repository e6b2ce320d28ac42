"""Reading under load: every reader gets its answer; on SQLite no more than READ_CONNECTIONS
connections are open at once however many readers come, and each has its page cache sized."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import event, text

from boards_desktop.db.engine import READ_CACHE_KIB, READ_CONNECTIONS, Database
from boards_desktop.db.read_slots import ReadSlots
from boards_desktop.db.schema_runner import upgrade

READERS = 32


class PoolWatch:
    """Connections opened, and the most handed out at once, on the database's engines."""

    def __init__(self, database: Database) -> None:
        self.opened = 0
        self.out = 0
        self.most_out = 0
        for engine in database.sync_engines:
            event.listen(engine, "connect", self._connect)
            event.listen(engine, "checkout", self._checkout)
            event.listen(engine, "checkin", self._checkin)

    def _connect(self, *_: Any) -> None:
        self.opened += 1

    def _checkout(self, *_: Any) -> None:
        self.out += 1
        self.most_out = max(self.most_out, self.out)

    def _checkin(self, *_: Any) -> None:
        self.out -= 1


async def _read_like_a_page(database: Database, reader: int) -> tuple[int, int]:
    # A GraphQL operation keeps its read session across the awaits between its resolvers.
    async with database.read() as session:
        first = (await session.execute(text("SELECT :n + 0"), {"n": reader})).scalar_one()
        await asyncio.sleep(0.01)
        second = (await session.execute(text("SELECT count(*) FROM tenants"))).scalar_one()
    return int(first), int(second)


async def test_thirty_two_readers_at_once_all_get_their_answer(database_url):
    database = Database(database_url)
    try:
        await upgrade(database)
        watch = PoolWatch(database)
        answers = await asyncio.gather(*(_read_like_a_page(database, n) for n in range(READERS)))
        assert answers == [(n, 0) for n in range(READERS)]
        if database.is_sqlite:
            assert watch.most_out <= READ_CONNECTIONS
            assert watch.opened <= READ_CONNECTIONS
            # and they are still there for the next burst: it opens none
            await asyncio.gather(*(_read_like_a_page(database, n) for n in range(READERS)))
            assert watch.opened <= READ_CONNECTIONS
    finally:
        await database.dispose()


async def test_every_sqlite_read_connection_has_its_page_cache_sized(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}")
    try:
        await upgrade(database)
        watch = PoolWatch(database)

        async def cache_size() -> int:
            async with database.read() as session:
                size = (await session.execute(text("PRAGMA cache_size"))).scalar_one()
                await asyncio.sleep(0.01)  # held, so that each reader has a connection of its own
            return int(size)

        sizes = await asyncio.gather(*(cache_size() for _ in range(READ_CONNECTIONS)))
        assert watch.opened == READ_CONNECTIONS
        assert sizes == [-READ_CACHE_KIB] * READ_CONNECTIONS  # negative: KiB
    finally:
        await database.dispose()


async def test_a_reader_holding_a_slot_that_waits_for_another_is_let_through(caplog):
    # Two tasks each hold one of the two slots and ask for one more: waiting on each other for
    # good would be a deadlock; after the wait they go on, and the log says why.
    slots = ReadSlots(2, wait_seconds=0.05)
    done: list[int] = []

    async def nested(n: int) -> None:
        async with slots.slot():
            await asyncio.sleep(0.01)  # both hold theirs before either asks again
            async with slots.slot():
                done.append(n)

    with caplog.at_level(logging.WARNING, logger="boards.db"):
        await asyncio.wait_for(asyncio.gather(nested(1), nested(2)), timeout=30)
    assert sorted(done) == [1, 2]
    assert "all 2 SQLite read connections were busy" in caplog.text


async def test_readers_beyond_the_slots_wait_their_turn_in_order():
    slots = ReadSlots(1)
    order: list[int] = []

    async def read(n: int) -> None:
        async with slots.slot():
            order.append(n)
            await asyncio.sleep(0)

    await asyncio.gather(*(read(n) for n in range(5)))
    assert order == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("size", [1, 4])
async def test_slots_given_back_when_a_reader_fails(size):
    slots = ReadSlots(size)
    for _ in range(size + 2):
        with pytest.raises(RuntimeError):
            async with slots.slot():
                raise RuntimeError("the query failed")
    async with asyncio.timeout(5):
        async with slots.slot():
            pass
