"""Stopping within the grace, whatever is running: open streams end, long requests are cancelled quietly.

uvicorn's graceful shutdown stops accepting, waits for every connection to finish, and once its
grace (`timeout_graceful_shutdown`) has run out cancels what is left, logging each with a traceback.
The page always holds an SSE stream open, which never finishes by itself: every shutdown used to
wait the whole grace and end in tracebacks. So:

- `Stopping` (in `app.state`) is set the moment shutdown starts. SSE streams and GraphQL
  subscriptions read through `until_stopping`, which ends them cleanly then (a client reconnects
  to whatever serves next).
- `GracefulServer`, the uvicorn Server that `serve` and the window run, sets it, and cancels the
  requests still running one second before the grace runs out.
- `end_cancelled_request` (the app's entry point) turns that cancellation into a 503 "shutting
  down" answer, or a closed connection when an answer had begun, without a traceback.
- Under another server's loop (`uvicorn --factory`), `begin_on_exit_signals` chains onto the
  server's own SIGINT/SIGTERM handlers, so that the streams end there too; what is still running
  when that server's grace runs out is cancelled by it, and answered as above.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import FrameType
from typing import Any, TypeVar

import uvicorn

from boards_desktop.quiet_server import QuietServer

log = logging.getLogger("boards")

STATE_KEY = "stopping"
# What was left running gets cancelled this long before uvicorn's own cancellation would come.
_CANCEL_BEFORE_GRACE_ENDS = 1.0
_STREAMS_END_SECONDS = 0.05
_SHUTTING_DOWN_BODY = b'{"error":"the server is shutting down; try again once it is back","code":"UNAVAILABLE"}'

T = TypeVar("T")


class Stopping:
    """Set once, when the server starts shutting down."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def begin(self) -> None:
        self._event.set()

    @property
    def started(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()


async def until_stopping(items: AsyncIterator[T], stopping: Stopping | None) -> AsyncIterator[T]:
    """The items of `items` until shutdown starts; then `items` is closed and this ends."""
    if stopping is None:
        async for item in items:
            yield item
        return
    iterator = aiter(items)
    stop = asyncio.ensure_future(stopping.wait())
    following: asyncio.Future[T] | None = None
    try:
        while not stopping.started:
            following = asyncio.ensure_future(anext(iterator))
            await asyncio.wait((following, stop), return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                return  # shutdown started: the finally block stops the step under way
            step, following = following, None
            try:
                item = step.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        stop.cancel()
        if following is not None and not following.done():
            # The step under way is inside `items`: cancelling it ends `items` there (its cleanup runs).
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await following
        else:
            close = getattr(iterator, "aclose", None)
            if close is not None:
                await close()


@contextlib.contextmanager
def begin_on_exit_signals(stopping: Stopping) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM also begin `stopping` (then reach the handlers they reached before)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; whoever runs this loop elsewhere stops it
        return
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def on_signal(number: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(stopping.begin)
        handler = previous.get(number)
        if callable(handler):
            handler(number, frame)
        elif number == signal.SIGINT:
            raise KeyboardInterrupt

    for exit_signal in (signal.SIGINT, signal.SIGTERM):
        previous[exit_signal] = signal.getsignal(exit_signal)
        signal.signal(exit_signal, on_signal)
    try:
        yield
    finally:
        for caught, handler in previous.items():
            if signal.getsignal(caught) is on_signal:  # nobody replaced ours meanwhile
                signal.signal(caught, handler if handler is not None else signal.SIG_DFL)


class GracefulServer(QuietServer):
    """uvicorn's Server (without its idle wake-ups), telling the app when shutdown starts and cancelling
    long requests within the grace."""

    def __init__(self, config: uvicorn.Config, stopping: Stopping) -> None:
        super().__init__(config)
        self.stopping = stopping

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.stopping.begin()
        # A moment for the streams to send their last frames (a subscription's `complete`) before
        # uvicorn closes every connection that is not in the middle of a response.
        await asyncio.sleep(_STREAMS_END_SECONDS)
        grace = self.config.timeout_graceful_shutdown
        late = None
        if grace is not None:
            late = asyncio.create_task(self._cancel_late_requests(max(grace - _CANCEL_BEFORE_GRACE_ENDS, 0.0)))
        try:
            await super().shutdown(sockets)
        finally:
            if late is not None:
                late.cancel()

    async def _cancel_late_requests(self, after: float) -> None:
        await asyncio.sleep(after)
        if self.server_state.tasks:
            log.info("shutting down: cancelling %d request(s) still running", len(self.server_state.tasks))
        for task in list(self.server_state.tasks):
            task.cancel()


Send = Callable[[Any], Awaitable[None]]  # an ASGI send: its messages are dicts


async def end_cancelled_request(call: Callable[[Send], Awaitable[None]], send: Send, stopping: Stopping) -> None:
    """Run one HTTP request (`call(send)`); when shutdown cancels it, answer 503 (or close) instead of a traceback."""
    started = False

    async def watching_send(message: dict[str, Any]) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = True
        await send(message)

    try:
        await call(watching_send)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if not stopping.started or task is None:
            raise
        while task.uncancel():  # the server is stopping: this request ends here, and that is no error
            pass
        if not started:
            headers = [(b"content-type", b"application/json"), (b"connection", b"close"), (b"retry-after", b"5")]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": _SHUTTING_DOWN_BODY})
        # An answer already begun cannot be finished honestly: returning lets uvicorn close the connection.
