"""Engines and sessions: one `Database` per app, for SQLite or PostgreSQL.

SQLite allows one writer at a time. Rather than letting writers collide and retry, every write
goes through `Database.write()`: on SQLite that is one sqlite3 connection used on the event loop
by one writer at a time, in order, opening its transactions with BEGIN IMMEDIATE; a writer in
another process is waited for asynchronously instead of failing with "database is locked"
(see db.inline_sessions).

SQLite reads run on the event loop itself, through a plain sqlite3 connection. In WAL mode a
reader takes no lock a writer holds, so it does not wait; and our reads are short, indexed
statements, faster than the two thread hops per statement that an async driver costs (measured:
a board page takes a third less time). At most `READ_CONNECTIONS` reads hold a connection at once
(db.read_slots), and each connection's page cache is `READ_CACHE_KIB`: the memory that reading
keeps has a bound, however many clients come at once. On PostgreSQL reads and writes share one
asyncpg pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import msgspec
from sqlalchemy import Engine, event
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker

from boards_desktop.db.inline_sessions import InlineReadSession, InlineWriter
from boards_desktop.db.read_slots import ReadSlots

BUSY_TIMEOUT_MS = 30_000
# SQLite reads holding a connection at once; the connections stay open between requests. One
# event loop runs them all, so more would only interleave them (tests/benchmarks/board_page.py).
READ_CONNECTIONS = 8
# Each read connection's page cache (SQLite's default is 2 MiB). A board page uses a few hundred
# KiB of pages; a search that scans the library reads far more than any cache holds, from the
# system's file cache either way.
READ_CACHE_KIB = 1024

Dialect = Literal["sqlite", "postgresql"]


def dialect_of(url: str) -> Dialect:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise ValueError(f"unsupported database URL {url!r}")


def _json_encode(value: Any) -> str:
    return msgspec.json.encode(value).decode()


# Every generation row carries four JSON documents; msgspec reads them several times faster than
# the standard library, and a page of fifty generations is two hundred of them.
JSON_CODEC: dict[str, Any] = {"json_serializer": _json_encode, "json_deserializer": msgspec.json.decode}


def create_engine(url: str, *, echo: bool = False, immediate: bool = False, **kwargs: Any) -> AsyncEngine:
    """An engine with our connection settings; `immediate` makes SQLite transactions BEGIN IMMEDIATE."""
    if dialect_of(url) == "postgresql":
        return create_async_engine(url, echo=echo, pool_pre_ping=False, **JSON_CODEC, **kwargs)
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **JSON_CODEC, **kwargs
    )
    _configure_sqlite(engine, immediate=immediate)
    return engine


def _configure_sqlite(engine: AsyncEngine | Engine, *, immediate: bool, cache_kib: int | None = None) -> None:
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode, far fewer fsyncs
        if cache_kib is not None:
            cursor.execute(f"PRAGMA cache_size=-{cache_kib}")  # negative: KiB, not pages
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


class Database:
    """The app's database: sessions for reading and for writing, and the engines behind them."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect: Dialect = dialect_of(url)
        self._inline_engine: Engine | None = None
        self._inline_write_engine: Engine | None = None
        self._inline_writer: InlineWriter | None = None
        if self.dialect == "sqlite":
            self.engine = create_engine(url, echo=echo, pool_size=8, max_overflow=8)
            self._inline_engine = create_sync_engine(
                url.replace("sqlite+aiosqlite:", "sqlite+pysqlite:", 1),
                echo=echo,
                # The pool never makes a read wait: that would block the event loop that must run to
                # give a connection back. Reads wait their turn before it instead (db.read_slots);
                # the overflow is for a reader that waited too long for one of the slots.
                pool_size=READ_CONNECTIONS,
                max_overflow=-1,
                connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
                **JSON_CODEC,
            )
            _configure_sqlite(self._inline_engine, immediate=False, cache_kib=READ_CACHE_KIB)
            self._read_slots = ReadSlots(READ_CONNECTIONS)
            self._inline_sessions = sessionmaker(self._inline_engine, expire_on_commit=False, autoflush=False)
            # One connection, used on the loop by one writer at a time (see db.inline_sessions).
            self._inline_write_engine = create_sync_engine(
                url.replace("sqlite+aiosqlite:", "sqlite+pysqlite:", 1),
                echo=echo,
                pool_size=1,
                max_overflow=0,
                connect_args={"timeout": 0, "check_same_thread": False},
                **JSON_CODEC,
            )
            _configure_sqlite(self._inline_write_engine, immediate=True)
            self._inline_writer = InlineWriter(self._inline_write_engine, lock_wait_seconds=BUSY_TIMEOUT_MS / 1000)
            self.write_engine = self.engine
        else:
            # At most 30 connections, as before (10 kept and 20 more in a burst), but all 30 kept once
            # opened: a burst's overflow connections were closed as each came back and opened again for
            # the next request, a new server process each time (queue_throughput: 648 connections opened
            # for 500 queued jobs; PostgreSQL's fork and our TLS attempt cost more than the request).
            self.engine = create_engine(url, echo=echo, pool_size=30, max_overflow=0)
            self.write_engine = self.engine
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sync_engines(self) -> list[Engine]:
        """The synchronous engines behind every session, for event listeners (timing, counting)."""
        engines = [self.engine.sync_engine]
        if self.write_engine is not self.engine:
            engines.append(self.write_engine.sync_engine)
        if self._inline_engine is not None:
            engines.append(self._inline_engine)
        if self._inline_write_engine is not None:
            engines.append(self._inline_write_engine)
        return engines

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; its transaction is rolled back at the end, nothing is written."""
        if self._inline_engine is not None:
            async with self._read_slots.slot():
                with self._inline_sessions() as session:
                    yield InlineReadSession(session)  # type: ignore[misc]  # the reading half of AsyncSession
            return
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends without an error."""
        if self._inline_writer is not None:
            async with self._inline_writer.session() as inline:
                yield inline  # type: ignore[misc]  # the writing half of AsyncSession
            return
        async with self._write_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        if self._inline_engine is not None:
            self._inline_engine.dispose()
        if self._inline_write_engine is not None:
            self._inline_write_engine.dispose()
        if self._inline_writer is not None:
            self._inline_writer.close()
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
