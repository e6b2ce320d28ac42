"""A local engine's reachability, checked in the background and read from a cache.

`availability()` is synchronous and runs on every `generators` query, so it must never wait on the
network. An engine provider (ComfyUI) keeps an `EngineStatus`: `reason()` answers from the last
check at once (and starts a new check in the background when that one is old), `refresh()` checks
now (after the address changed, or when a job is about to be refused), and `run()` is the loop
that keeps it fresh while the app runs: often just after the engine went down or the app started
(so a freshly started ComfyUI is noticed within seconds), then less and less often, down to every
`IDLE_CHECK_SECONDS` (an idle app wakes no oftener: design.md), and rarely while it answers. Asking
(`reason()`, on every `generators` query) still checks a down engine again after `down_every`.

    status = EngineStatus(self._check, label="ComfyUI")   # _check: async () -> None | reason
    def availability(self): return status.reason()
    async def start(self): status.start()
    async def stop(self): await status.stop()
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Self

log = logging.getLogger("boards.providers")

Check = Callable[[], Awaitable[str | None]]  # None: it answers; else why not, for the artist

# What kind of trouble a reason is, for the Settings page's status (the words stay the reason's own).
NOT_RUNNING = "not-running"  # nothing answers at the address
API_OFF = "api-off"  # the engine answers, but not its API (the WebUI without --api)
KEY_REFUSED = "key-refused"  # it answered 401/403 to the key sent
WRONG_ADDRESS = "wrong-address"  # something else answers there
NO_MODEL = "no-model"  # it answers, with nothing to run
OTHER = "other"


class Unavailable(str):
    """A reason (the words an artist reads) that also says what kind of trouble it is: `kind`.

    A `str`, so every reader of a reason keeps working; `kind_of` reads the kind back.
    """

    kind: str

    def __new__(cls, text: str, kind: str) -> Self:
        made = super().__new__(cls, text)
        made.kind = kind
        return made


def kind_of(reason: str | None) -> str | None:
    """None when it answers; else the reason's kind (`OTHER` for a plain string)."""
    if reason is None:
        return None
    return getattr(reason, "kind", OTHER)


IDLE_CHECK_SECONDS = 30.0  # the background loop's longest pause while the engine stays down


class EngineStatus:
    def __init__(
        self,
        check: Check,
        *,
        label: str,
        check_timeout: float = 3.0,
        up_every: float = 30.0,
        down_every: float = 5.0,
    ) -> None:
        self._check = check
        self._label = label
        self._check_timeout = check_timeout
        self._up_every = up_every
        self._down_every = down_every
        self._reason: str | None = f"{label} has not been checked yet"
        self._checked_at: float | None = None
        self._refreshing: asyncio.Task[str | None] | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    def reason(self) -> str | None:
        """The last check's answer; never waits. An old answer starts a check in the background."""
        if self._is_stale():
            self._refresh_soon()
        return self._reason

    @property
    def checked(self) -> bool:
        return self._checked_at is not None

    async def refresh(self) -> str | None:
        """Check now (one check at a time: a second caller waits for the one running)."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._run_check())
        return await asyncio.shield(self._refreshing)

    def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._keep_fresh(), name=f"engine-{self._label}")

    async def stop(self) -> None:
        for task in (self._loop_task, self._refreshing):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._loop_task = None

    def poke(self) -> None:
        """The address changed: check at once, in the background."""
        self._checked_at = None
        self._changed.set()
        self._refresh_soon()

    async def _run_check(self) -> str | None:
        try:
            reason = await asyncio.wait_for(self._check(), self._check_timeout)
        except TimeoutError:
            reason = Unavailable(f"{self._label} did not answer within {self._check_timeout:g} s", NOT_RUNNING)
        except Exception as exc:  # noqa: BLE001 - a failed check is an unreachable engine, not a crash
            reason = f"{self._label} could not be checked ({type(exc).__name__})"
        if reason != self._reason:
            log.info("%s: %s", self._label, reason or "answers")
        self._reason = reason
        self._checked_at = time.monotonic()
        return reason

    def _is_stale(self) -> bool:
        if self._checked_at is None:
            return True
        every = self._down_every if self._reason else self._up_every
        return time.monotonic() - self._checked_at > every

    def _refresh_soon(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a command-line listing): `refresh()` is awaited there instead
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._run_check())

    async def _keep_fresh(self) -> None:
        down_checks = 0  # in a row: the pause grows with them
        while True:
            await self.refresh()
            self._changed.clear()
            down_checks = down_checks + 1 if self._reason else 0
            every = (
                min(self._down_every * 2 ** min(down_checks - 1, 8), max(IDLE_CHECK_SECONDS, self._down_every))
                if self._reason
                else self._up_every
            )
            try:
                await asyncio.wait_for(self._changed.wait(), every)
                down_checks = 0  # a new address: check often again
            except TimeoutError:
                pass
