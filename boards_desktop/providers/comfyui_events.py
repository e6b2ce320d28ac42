"""ComfyUI's progress WebSocket (`/ws?clientId=`): one connection for all of the app's jobs.

ComfyUI sends a prompt's messages (`execution_start`, `executing`, `progress`, `executed`,
`execution_success`, ...) only to the socket of the `client_id` the prompt was sent with, and
`status` (the queue changed) to every socket. So the app keeps one socket under its own client id,
opened while a job waits and closed a few seconds after the last one is done, and hands each
message to the inbox of its prompt (`subscription(prompt_id)`).

The socket may drop (ComfyUI restarts, the network blinks): it is opened again with backoff, and
every inbox hears `CONNECTED` on each connection and `DISCONNECTED` when it is lost. Messages sent
while no socket was open are gone for good, so a waiter reconciles with `/history` and `/queue`
whenever it hears `CONNECTED` (see ComfyUIProvider); it never relies on the socket alone.

Binary frames (previews of the image being sampled) are read and dropped: the app's progress
events carry no picture. Messages without a `prompt_id` (a reconnect's `executing`, older
ComfyUIs) go to the prompt that ComfyUI last said it was running for us.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect

log = logging.getLogger("boards.providers")

CONNECTED = "connected"  # markers the socket puts into every inbox
DISCONNECTED = "disconnected"
IDLE_SECONDS = 5.0  # how long the socket stays open with nobody waiting
OPEN_TIMEOUT = 5.0
MAX_FRAME_BYTES = 64 * 1024 * 1024  # a preview of a large image
_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds before each new try, then the last one again
_FINISHED = {"execution_success", "execution_error", "execution_interrupted"}


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


class EventSocket:
    def __init__(self, http_url: Callable[[], str], client_id: str) -> None:
        self._http_url = http_url  # ComfyUI's address as it is now (the Settings page may change it)
        self.client_id = client_id
        self._inboxes: dict[str, asyncio.Queue[Event]] = {}
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()
        self._current: str | None = None  # the prompt ComfyUI last said it runs for us
        self.connections = 0  # how many times a socket was opened (for the log and tests)

    @property
    def url(self) -> str:
        base = self._http_url().rstrip("/")
        scheme, rest = base.split("://", 1) if "://" in base else ("http", base)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws?clientId={quote(self.client_id)}"

    @asynccontextmanager
    async def subscription(self, prompt_id: str) -> AsyncIterator[asyncio.Queue[Event]]:
        """The inbox of one prompt's messages while the block runs (the socket opens if need be)."""
        inbox: asyncio.Queue[Event] = asyncio.Queue()
        self._inboxes[prompt_id] = inbox
        if self._connected.is_set():
            inbox.put_nowait(Event(CONNECTED))
        self._ensure_running()
        try:
            yield inbox
        finally:
            if self._inboxes.get(prompt_id) is inbox:
                del self._inboxes[prompt_id]

    async def wait_connected(self, timeout: float) -> bool:
        """Wait (a little) for the socket, so a prompt's first messages are heard; False if it is not up."""
        try:
            await asyncio.wait_for(self._connected.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def reset(self) -> None:
        """The address changed: drop the connection; it opens again at the new address if anyone waits."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        if self._inboxes:
            self._ensure_running()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    # -- the connection ------------------------------------------------------------------------------

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="comfyui-events")

    async def _run(self) -> None:
        failures = 0
        while self._inboxes:
            url = self.url
            try:
                async with connect(url, open_timeout=OPEN_TIMEOUT, max_size=MAX_FRAME_BYTES) as socket:
                    failures = 0
                    self.connections += 1
                    self._connected.set()
                    self._broadcast(Event(CONNECTED))
                    try:
                        await self._read(socket)
                    finally:
                        self._lost()
                if not self._inboxes:
                    return  # closed because nobody waits any more
            except asyncio.CancelledError:
                self._lost()
                raise
            except Exception as exc:  # noqa: BLE001 - refused, dropped, timed out: all mean "try again"
                log.debug("ComfyUI's event socket at %s: %s: %s", url.split("?")[0], type(exc).__name__, exc)
            pause = _BACKOFF[min(failures, len(_BACKOFF) - 1)] * random.uniform(0.8, 1.2)
            failures += 1
            await asyncio.sleep(pause)

    async def _read(self, socket: ClientConnection) -> None:
        idle_since: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                # Cancelling recv() is safe in websockets' asyncio client: no frame is lost.
                frame = await asyncio.wait_for(socket.recv(), timeout=1.0)
            except TimeoutError:
                frame = None
            if self._inboxes:
                idle_since = None
            else:
                idle_since = idle_since or loop.time()
                if loop.time() - idle_since >= IDLE_SECONDS:
                    await socket.close()
                    return
            if frame is not None:
                self._dispatch(frame)

    def _lost(self) -> None:
        if self._connected.is_set():
            self._connected.clear()
            self._current = None
            self._broadcast(Event(DISCONNECTED))

    def _dispatch(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            return  # a preview image
        try:
            message = json.loads(frame)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        kind = str(message.get("type") or "")
        data = raw if isinstance(raw := message.get("data"), dict) else {}
        if kind == "status":
            self._broadcast(Event(kind, data))
            return
        prompt_id = data.get("prompt_id")
        if kind == "execution_start" and prompt_id:
            self._current = str(prompt_id)
        target = str(prompt_id) if prompt_id else self._current
        inbox = self._inboxes.get(target) if target else None
        if inbox is not None:
            inbox.put_nowait(Event(kind, data))
        if kind in _FINISHED and target == self._current:
            self._current = None

    def _broadcast(self, event: Event) -> None:
        for inbox in self._inboxes.values():
            inbox.put_nowait(event)
