"""Engines and sessions: one `Database` per app, for SQLite or PostgreSQL.

SQLite allows one writer at a time. Rather than letting writers collide and retry, every write
goes through `Database.write()`: on SQLite that is a dedicated engine with a single connection
that opens its transactions with BEGIN IMMEDIATE, so writers inside this process queue on the
pool (fairly, in order) and writers in other processes wait on the busy timeout instead of
failing with "database is locked". Reads use their own pool and never block on the writer (WAL).
On PostgreSQL both go through one ordinary pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

BUSY_TIMEOUT_MS = 30_000

Dialect = Literal["sqlite", "postgresql"]


def dialect_of(url: str) -> Dialect:
    if url.startswith("sqlite"):
        return "sqlite"
    if url.startswith("postgresql"):
        return "postgresql"
    raise ValueError(f"unsupported database URL {url!r}")


def create_engine(url: str, *, echo: bool = False, immediate: bool = False, **kwargs: Any) -> AsyncEngine:
    """An engine with our connection settings; `immediate` makes SQLite transactions BEGIN IMMEDIATE."""
    if dialect_of(url) == "postgresql":
        return create_async_engine(url, echo=echo, pool_pre_ping=False, **kwargs)
    engine = create_async_engine(
        url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs
    )
    _configure_sqlite(engine, immediate=immediate)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, immediate: bool) -> None:
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that we can say BEGIN IMMEDIATE ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode, far fewer fsyncs
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


class Database:
    """The app's database: sessions for reading and for writing, and the engines behind them."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.dialect: Dialect = dialect_of(url)
        if self.dialect == "sqlite":
            self.engine = create_engine(url, echo=echo, pool_size=8, max_overflow=8)
            # One connection: in-process writers wait their turn here, in order.
            self.write_engine = create_engine(
                url, echo=echo, immediate=True, pool_size=1, max_overflow=0, pool_timeout=120
            )
        else:
            self.engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)
            self.write_engine = self.engine
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False, autoflush=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; its transaction is rolled back at the end, nothing is written."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends without an error."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()
