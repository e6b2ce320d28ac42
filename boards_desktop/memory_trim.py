"""After a burst of requests, the heap's free pages go back to the system (glibc only).

Thirty-two clients at once hold thirty-two requests' worth of objects and SQLite connections; once
they are freed, glibc keeps most of the pages, and the idle app stays tens of megabytes above its
size (tests/benchmarks/idle_memory.py). When the last request of a burst ends and none has started
two seconds later, `malloc_trim` hands them back: once per burst, never a timer while idle.
"""

from __future__ import annotations

import asyncio

from boards_desktop.media import decode_budget

# A burst: this many requests in flight at once (one client, or a few, never grow the heap much).
BURST_REQUESTS = 8
QUIET_SECONDS = 2.0


class BurstTrimmer:
    def __init__(self) -> None:
        self.in_flight = 0
        self._peak = 0
        self._pending: asyncio.TimerHandle | None = None

    def started(self) -> None:
        self.in_flight += 1
        self._peak = max(self._peak, self.in_flight)

    def ended(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0 and self._peak >= BURST_REQUESTS and self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(QUIET_SECONDS, self._trim)

    def _trim(self) -> None:
        self._pending = None
        if self.in_flight:  # busy again: the burst's end will ask once more
            return
        self._peak = 0
        decode_budget.trim_heap()
