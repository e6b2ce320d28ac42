"""The database sessions of one GraphQL operation.

Reads share one session, opened on first use and closed when the operation ends: the loaders of a
page then cost one transaction instead of one each (on SQLite every statement is a hop to the
driver's thread), and they all see one snapshot. Resolvers run concurrently and a session may not,
so they take turns on a lock. A write gets a short transaction of its own (the read session is closed before it starts and after
it commits), so that what the operation reads next includes the change.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.extensions import SchemaExtension

from boards_desktop.db.engine import Database


class RequestSessions:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._lock = asyncio.Lock()
        self._opened: AbstractAsyncContextManager[AsyncSession] | None = None
        self._session: AsyncSession | None = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """The shared read session; hold it only for the statements, never across other awaits."""
        async with self._lock:
            if self._session is None:
                self._opened = self._database.read()
                self._session = await self._opened.__aenter__()
            yield self._session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block ends without an error.

        The read session is given back first: an operation never holds two connections, or a burst
        of writers, each holding a read connection while it waits for a write one, would empty the
        pool and wait on each other (seen with 50 concurrent createGeneration calls on PostgreSQL).
        """
        await self.close()
        async with self._database.write() as session:
            yield session
        await self.close()

    async def close(self) -> None:
        async with self._lock:
            opened, self._opened, self._session = self._opened, None, None
            if opened is not None:
                await opened.__aexit__(None, None, None)


class CloseRequestSessions(SchemaExtension):
    """Gives the operation's read session back to the pool when the operation ends, however it ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sessions = getattr(self.execution_context.context, "sessions", None)
            if isinstance(sessions, RequestSessions):
                await sessions.close()
