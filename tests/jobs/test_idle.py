"""An idle app leaves its database alone: nothing queued and nobody asking, no statement for seconds.

The runner wakes when a job is queued (in this process, or announced by another over LISTEN), and
otherwise only every 30 s; leases are renewed only while jobs run. Observed through the engines'
own statement events, the seam `Database.sync_engines` offers for counting.
"""

from __future__ import annotations

import asyncio
from typing import Self

from sqlalchemy import event

from tests.app_harness import running_app
from tests.jobs.support import new_board, queue, wait_for


class Statements:
    """The statements sent on the app's engines while inside the block."""

    def __init__(self, database) -> None:
        self.engines = list({id(engine): engine for engine in database.sync_engines}.values())
        self.sent: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        self.sent.append(statement)

    def __enter__(self) -> Self:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        for engine in self.engines:
            event.remove(engine, "before_cursor_execute", self._record)


async def test_an_idle_app_sends_no_statement_after_its_jobs_are_done(database_url, tmp_path) -> None:
    async with running_app(database_url, tmp_path / "idle") as client:
        board = await new_board(client)
        # Busy first: a job run to the end leaves the dispatcher, the lease loop and the events settling.
        ids = [(await queue(client, board, "test-fast"))["id"] for _ in range(3)]
        assert [(await wait_for(client, i))["status"] for i in ids] == ["COMPLETED"] * 3
        await asyncio.sleep(1.0)  # the last completion's follow-ups (a claim that finds nothing)
        with Statements(client.services.database) as statements:
            await asyncio.sleep(4.0)
        assert statements.sent == []

        # Idle is not deaf: a job queued now starts at once, woken in process, with no poll to wait for.
        with Statements(client.services.database) as statements:
            done = await wait_for(client, (await queue(client, board, "test-fast"))["id"])
        assert done["status"] == "COMPLETED"
        assert statements.sent
