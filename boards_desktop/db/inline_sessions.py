"""SQLite sessions on the event loop: reads through plain sqlite3 connections, and writes one
at a time through a single one.

Through an async driver every statement is two thread hops, and a write transaction is a dozen
statements' worth of them (BEGIN, each INSERT or UPDATE with its fetches, COMMIT): measured, a
`createGeneration` spent most of its 9 ms waiting for the driver's thread. Our write transactions
are short, indexed statements with no fsync at commit (WAL, synchronous=NORMAL), so they run
inline like the reads do.

Writers in this process take turns on an asyncio lock, in order, so the one connection is never
waited for while holding the loop. A writer in another process (a `media gc`, a `db upgrade`)
holds SQLite's write lock for moments; BEGIN IMMEDIATE then fails fast (a short busy timeout)
and is retried after an asynchronous pause, so the loop never blocks on another process.

Checkpoints (copying the WAL back into the database file, with its fsyncs) are the one slow part
of a commit: SQLite runs one inside whichever commit brings the WAL past 1,000 pages. The writer's
connection leaves them out (`wal_autocheckpoint=0`); every `CHECKPOINT_EVERY_COMMITS` commits a
PASSIVE checkpoint runs in a worker thread on a connection of its own, beside the writers.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger("boards.db")

LOCKED_RETRY_SECONDS = 0.01
BUSY_TIMEOUT_MS = 5  # on the loop: fail fast, then wait asynchronously
# A commit adds a few pages to the WAL: this many commits stay near SQLite's own 1,000-page mark.
CHECKPOINT_EVERY_COMMITS = 200


class InlineReadSession:
    """The reading half of an AsyncSession over a synchronous SQLite session (see the module doc).

    Queries take either; they only read through `execute`, `scalar`, `scalars` and `get`.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def bind(self) -> Any:
        """The engine, as AsyncSession.bind: queries read its dialect where the engines' SQL differs."""
        return self._session.bind

    async def execute(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        return self._session.execute(statement, params, **kwargs)

    async def scalar(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        return self._session.scalar(statement, params, **kwargs)

    async def scalars(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        return self._session.scalars(statement, params, **kwargs)

    async def get(self, entity: Any, ident: Any, **kwargs: Any) -> Any:
        return self._session.get(entity, ident, **kwargs)

    def core_execute(self, statement: Any, params: Any = None) -> Any:
        """`statement` on the session's connection: rows as the Core gives them (see db.core_reads)."""
        return self._session.connection().execute(statement, params)


class InlineWriteSession(InlineReadSession):
    """The part of AsyncSession our writes use, over a synchronous session on the loop."""

    def add(self, instance: Any) -> None:
        self._session.add(instance)

    def add_all(self, instances: Any) -> None:
        self._session.add_all(instances)

    async def flush(self) -> None:
        self._session.flush()


class InlineWriter:
    def __init__(self, engine: Engine, *, lock_wait_seconds: float) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._lock = asyncio.Lock()
        self._lock_wait_seconds = lock_wait_seconds

        self._path = engine.url.database if engine.url.database not in (None, "", ":memory:") else None
        self._commits = 0
        self._checkpointing: asyncio.Task[None] | None = None
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpointer_lock = threading.Lock()
        self._closed = False

        @event.listens_for(engine, "connect")
        def _fail_fast(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            if self._path is not None:
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")  # done off the loop instead

    @asynccontextmanager
    async def session(self) -> AsyncIterator[InlineWriteSession]:
        async with self._lock:
            session = await self._begin()
            try:
                yield InlineWriteSession(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        self._commits += 1
        if self._commits % CHECKPOINT_EVERY_COMMITS == 0:
            self._checkpoint_soon()

    def _checkpoint_soon(self) -> None:
        if self._path is None or (self._checkpointing is not None and not self._checkpointing.done()):
            return  # one at a time; the next round comes CHECKPOINT_EVERY_COMMITS commits later
        self._checkpointing = asyncio.create_task(asyncio.to_thread(self._checkpoint), name="sqlite-checkpoint")

    def _checkpoint(self) -> None:
        with self._checkpointer_lock:
            if self._closed:
                return
            try:
                if self._checkpointer is None:
                    assert self._path is not None
                    self._checkpointer = sqlite3.connect(self._path, timeout=0, check_same_thread=False)
                # PASSIVE: copies what no reader still needs, waits for nobody; the writers carry on.
                self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # busy (another checkpointer), or the file went away: next round
                log.debug("checkpoint skipped: %s", exc)

    def close(self) -> None:
        """Close the checkpoints' connection (the writer's own belongs to its engine)."""
        with self._checkpointer_lock:
            self._closed = True
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None

    async def _begin(self) -> Session:
        deadline = time.monotonic() + self._lock_wait_seconds
        while True:
            session = self._sessions()
            try:
                session.connection()  # BEGIN IMMEDIATE (see engine._configure_sqlite): the write lock now
                return session
            except OperationalError as exc:
                session.close()
                if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(LOCKED_RETRY_SECONDS)
