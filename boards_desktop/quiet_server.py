"""A uvicorn Server that sleeps while nothing happens.

uvicorn's main loop wakes every 0.1 s, to notice `should_exit` and to remake the Date header once
a second: ten wake-ups a second, about 0.017 CPU-seconds per 10 s on this machine, more than the
idle budget of the whole app (0.01). Here the main loop waits for `should_exit` to be set (the
setter wakes it, from a signal handler or another thread alike), and the Date header is made when
a response reads the default headers, once per second at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from email.utils import formatdate

import uvicorn
from uvicorn.server import ServerState


class _DatedState(ServerState):
    """The server state whose default headers carry a Date made when they are read."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._config = config
        self._second = -1
        self._headers: list[tuple[bytes, bytes]] = []
        super().__init__()

    @property  # uvicorn declares a plain attribute; reading it is what counts
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        now = int(time.time())
        if now != self._second:
            date = [(b"date", formatdate(now, usegmt=True).encode())] if self._config.date_header else []
            self._headers = date + self._config.encoded_headers
            self._second = now
        return self._headers

    @default_headers.setter
    def default_headers(self, _value: list[tuple[bytes, bytes]]) -> None:
        pass  # uvicorn's own tick would set them; they are made when read instead


class QuietServer(uvicorn.Server):
    """uvicorn's Server without its ten wake-ups a second."""

    def __init__(self, config: uvicorn.Config) -> None:
        self._exit_wanted = False
        self._exit_event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        super().__init__(config)
        self.server_state = _DatedState(config)

    @property  # a plain attribute in uvicorn; setting it must wake the main loop
    def should_exit(self) -> bool:
        return self._exit_wanted

    @should_exit.setter
    def should_exit(self, value: bool) -> None:
        self._exit_wanted = value
        loop, event = self._loop, self._exit_event
        if value and loop is not None and event is not None:
            # Thread-safe and signal-safe: it writes to the loop's self-pipe, which wakes it.
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing left to wake
                loop.call_soon_threadsafe(event.set)

    async def main_loop(self) -> None:
        if self.config.limit_max_requests is not None or self.config.callback_notify is not None:
            await super().main_loop()  # those need uvicorn's tick; the app uses neither
            return
        self._loop = asyncio.get_running_loop()
        self._exit_event = asyncio.Event()
        if not self._exit_wanted:
            await self._exit_event.wait()
