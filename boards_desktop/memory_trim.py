"""After a burst of requests, caches kept for speed are emptied and the heap's free pages go back
to the system (glibc only).

Thirty-two clients at once hold thirty-two requests' worth of objects and SQLite connections, and
200 title cards leave fonts open in every worker thread; once the work is done glibc keeps most of
the freed pages, and the idle app stays tens of megabytes above its size
(tests/benchmarks/idle_memory.py). Two seconds after the last request of a burst began or ended,
the caches registered with `release_when_idle` are emptied and `malloc_trim` hands the pages
back: once per burst, never a timer while idle.

Quiet is the time since a request last began or ended, not "no request in flight": the open page
keeps its event streams (/api/sse/...) in flight for as long as it is open, and they carry no work.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from boards_desktop.media import decode_budget

log = logging.getLogger("boards.memory")

# A burst: this many requests since the last trim (one page load asks for a few dozen thumbnails).
BURST_REQUESTS = 8
QUIET_SECONDS = 2.0

_releasers: list[Callable[[], None]] = []
_releasers_lock = threading.Lock()


def release_when_idle(release: Callable[[], None]) -> None:
    """Have `release` called (on the event loop) whenever the app goes quiet after a burst.

    For caches that make work faster while it goes on and are not worth their memory between
    bursts. `release` must be quick and safe to call while other threads use the cache.
    """
    with _releasers_lock:
        if release not in _releasers:
            _releasers.append(release)


def release_idle_memory() -> None:
    """Empty the registered caches, then give the heap's free pages back to the system."""
    with _releasers_lock:
        releasers = list(_releasers)
    for release in releasers:
        try:
            release()
        except Exception:  # a cache that cannot be emptied must not stop the others or the trim
            log.exception("emptying a cache when idle failed")
    decode_budget.trim_heap()


class BurstTrimmer:
    """Counts requests; the first quiet moment after a burst releases idle memory."""

    def __init__(
        self, *, release: Callable[[], None] = release_idle_memory, quiet_seconds: float = QUIET_SECONDS
    ) -> None:
        self._release = release
        self._quiet_seconds = quiet_seconds
        self.since_trim = 0  # requests begun since the last trim
        self._last_activity = 0.0
        self._pending: asyncio.TimerHandle | None = None

    def started(self) -> None:
        self.since_trim += 1
        self._touch()
        if self.since_trim >= BURST_REQUESTS and self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(self._quiet_seconds, self._trim)

    def ended(self) -> None:
        self._touch()

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()

    def _trim(self) -> None:
        loop = asyncio.get_running_loop()
        remaining = self._last_activity + self._quiet_seconds - loop.time()
        if remaining > 0:  # still busy: look again when it may have gone quiet
            self._pending = loop.call_later(remaining, self._trim)
            return
        self._pending = None
        self.since_trim = 0
        self._release()
