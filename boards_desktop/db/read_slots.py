"""How many SQLite reads hold a connection at once: the rest wait their turn on the event loop.

Reads run on the event loop through a synchronous connection pool (boards_desktop.db.engine), and
a GraphQL operation keeps its connection until it ends (boards_desktop.graphql.sessions). Unbounded,
32 clients held 32 connections: 24 of them opened for the burst and closed after it (half a
millisecond of the server's CPU each, schema parse included), each growing its own page cache,
statement cache and cursor list in the middle of the burst, where their remains kept the freed
memory from going back. Bounded, the 33rd operation waits until one of the first 32 is done, which
on one event loop takes no longer than running them side by side.

A reader waits asynchronously (a pool that made it wait would block the loop that must run to
give a connection back), and at most `WAIT_SECONDS`: then it reads on a connection of its own, so
that a task holding a slot while it waits for one (a read within a read, however unlikely) is never
a deadlock, only a delay.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

log = logging.getLogger("boards.db")

WAIT_SECONDS = 2.0


class ReadSlots:
    def __init__(self, size: int, *, wait_seconds: float = WAIT_SECONDS) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._semaphore: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _slots(self) -> asyncio.Semaphore:
        # One per event loop: a Database outlives the loop of a test or of `asyncio.run` in a command.
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._semaphore, self._loop = asyncio.Semaphore(self.size), loop
        return self._semaphore

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        slots = self._slots()
        if slots.locked():
            try:
                async with asyncio.timeout(self.wait_seconds):
                    await slots.acquire()
            except TimeoutError:
                log.warning(
                    "all %d SQLite read connections were busy for %g s; reading on one more",
                    self.size,
                    self.wait_seconds,
                )
                yield
                return
        else:
            await slots.acquire()  # free: returns at once, without giving the loop away
        try:
            yield
        finally:
            slots.release()
