"""Group commit of the job runner's writes: what running jobs write together goes in one transaction.

Each job used to write its progress, its completion or its failure in a transaction of its own:
with many short jobs that is a transaction per job and state, each one a commit (on PostgreSQL an
fsync of its WAL; on SQLite a turn of the one writer). Here a job hands its write (a function of a
session) to the `GroupWriter` and waits; the writes that arrive while the writer waits its turn, or
while the previous group commits, are run in the next transaction, in the order they came.

Every write keeps its own guard (`status = 'processing' AND lease_owner = <me>`, db/queries/jobs.py),
so batching changes no outcome: a write that finds its job cancelled or taken over changes nothing,
as before. A group that fails (a statement's error, a commit refused) is retried one write per
transaction, so that one job's problem is that job's alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.engine import Database

log = logging.getLogger("boards.jobs")

T = TypeVar("T")
Write = Callable[[AsyncSession], Awaitable[Any]]


class GroupWriter:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[tuple[Write, asyncio.Future[Any]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def run(self, write: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`write(session)` committed, in a transaction shared with the writes waiting beside it."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="jobs-group-writes")
        # Shielded: a job cancelled while its write is under way leaves the group's transaction alone
        # (its write is guarded like any other; an artist's cancel has already made it match nothing).
        return await asyncio.shield(future)

    async def drain(self) -> None:
        """Wait until every write handed over so far is committed (or has failed)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.gather(asyncio.shield(self._flusher), return_exceptions=True)

    async def _flush(self) -> None:
        while self._waiting:
            group: list[tuple[Write, asyncio.Future[Any]]] = []
            try:
                # One pass of the loop first: the writes of the moment (jobs finishing together, the
                # claim of the slots they free) join this transaction instead of each waiting for the next.
                await asyncio.sleep(0)
                async with self._database.write() as session:
                    # Taken once the transaction is ours: whatever arrived while we waited joins it.
                    group, self._waiting = self._waiting, []
                    results = [await write(session) for write, _future in group]
            except asyncio.CancelledError:
                # The loop is closing under us: nobody is left to commit for the waiting jobs.
                for _write, future in [*group, *self._waiting]:
                    future.cancel()
                self._waiting = []
                raise
            except Exception as exc:  # noqa: BLE001 - each write gets its own answer below
                if len(group) <= 1:
                    for _write, future in group:
                        _settle(future, exc=exc)
                    continue
                log.warning("%d job writes failed together (%s); writing them one by one", len(group), exc)
                await self._one_by_one(group)
                continue
            for (_write, future), result in zip(group, results, strict=True):
                _settle(future, result=result)

    async def _one_by_one(self, group: list[tuple[Write, asyncio.Future[Any]]]) -> None:
        for write, future in group:
            try:
                async with self._database.write() as session:
                    result = await write(session)
            except Exception as exc:  # noqa: BLE001 - handed to the job that made the write
                _settle(future, exc=exc)
            else:
                _settle(future, result=result)


def _settle(future: asyncio.Future[Any], *, result: Any = None, exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
