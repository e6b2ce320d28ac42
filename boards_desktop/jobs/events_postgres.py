"""The PostgreSQL half of the event broker: LISTEN/NOTIFY between app processes on one database.

One dedicated asyncpg connection (not from the pool: a pooled connection is handed to others, and
LISTEN belongs to a session) both listens and sends. Outgoing events wait in an outbox that a single
sender drains in batches, so `publish` never waits on the network and events leave in the order they
were published. Notifications from this broker come back to it too; the `origin` in each payload
lets it skip them, since they were delivered locally already.

A NOTIFY payload must stay under 8000 bytes. An event too large for that (big output metadata) is
sent as a reference, and the receiving process reads the generation's current state from the
database instead; a live preview (the WebUI's) is left out rather than make the event a reference. A board event too large (a move of hundreds of generations) is sent in parts,
each with part of its generations.

When the connection drops, the relay reconnects with backoff; events of other processes published
meanwhile are missed (clients that reconnect get the current state from the database; open streams
find the generations they were showing running finished in the database after a silence: event_feeds).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import asyncpg
import msgspec
from sqlalchemy.engine import make_url

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Generation
from boards_desktop.db.queries.records import select_generations
from boards_desktop.jobs.events import AnyEvent, BoardEvent, GenerationEvent

log = logging.getLogger("boards.events")

CHANNEL = "boards_generation_events"
APPLICATION_NAME = "boards-events"  # how the connection shows in pg_stat_activity
MAX_PAYLOAD_BYTES = 7000  # PostgreSQL refuses 8000 and more
_MAX_OUTBOX = 10_000  # while disconnected; beyond this the oldest are dropped
_MAX_BATCH = 200
_PING_INTERVAL = 30.0  # a connection that silently died is noticed within this (and idle, no oftener)
_CONNECT_TIMEOUT = 10.0


class PostgresRelay:
    def __init__(self, database: Database, *, origin: str, deliver: Callable[[AnyEvent], None]) -> None:
        self._database = database
        self._dsn = make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._origin = origin
        self._deliver = deliver
        self._outbox: deque[str] = deque()
        self._wake = asyncio.Event()
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._connected = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._dropped = 0

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._connection_loop(), name="events-postgres-connection"),
            asyncio.create_task(self._receive_loop(), name="events-postgres-receive"),
        ]
        # Wait for LISTEN, so that what other processes publish from now on reaches us; a database
        # that answered the schema check a moment ago normally accepts at once.
        try:
            await asyncio.wait_for(self._connected.wait(), _CONNECT_TIMEOUT)
        except TimeoutError:
            log.warning("events: not yet listening on PostgreSQL; other app processes' progress will arrive later")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks = []

    def send(self, event: AnyEvent) -> None:
        if isinstance(event, BoardEvent):
            self._send_board(event)
            return
        payload = msgspec.json.encode({"origin": self._origin, **event.sse_payload()}).decode()
        if len(payload.encode()) > MAX_PAYLOAD_BYTES and event.preview_url is not None:
            # A live preview is too large to travel: the other processes' pages show the progress without it
            # (a reference instead would have them read the row twice a second while the job runs).
            without = replace(event, preview_url=None)
            payload = msgspec.json.encode({"origin": self._origin, **without.sse_payload()}).decode()
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            payload = msgspec.json.encode(
                {"origin": self._origin, "reload": True, "job_id": event.generation_id, "board_id": event.board_id}
            ).decode()
        self._enqueue(payload)

    def _send_board(self, event: BoardEvent) -> None:
        payload = msgspec.json.encode({"origin": self._origin, "board_event": event.sse_payload()}).decode()
        if len(payload.encode()) > MAX_PAYLOAD_BYTES and len(event.generation_ids) > 1:
            for part in event.split():
                self._send_board(part)
            return
        self._enqueue(payload)

    def _enqueue(self, payload: str) -> None:
        if len(self._outbox) >= _MAX_OUTBOX:
            self._outbox.popleft()
            self._dropped += 1
            if self._dropped == 1 or self._dropped % 1000 == 0:
                log.warning("events: PostgreSQL unreachable, %d event(s) not relayed to other processes", self._dropped)
        self._outbox.append(payload)
        self._wake.set()

    # -- the connection ------------------------------------------------------------------------------

    async def _connection_loop(self) -> None:
        delay = 0.2
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(
                    self._dsn, timeout=_CONNECT_TIMEOUT, server_settings={"application_name": APPLICATION_NAME}
                )
                lost = asyncio.Event()
                connection.add_termination_listener(partial(self._on_lost, lost))
                await connection.add_listener(CHANNEL, self._on_notification)
                if delay > 0.2:
                    log.info("events: listening on PostgreSQL again")
                delay = 0.2
                self._connected.set()
                await self._serve(connection, lost)
            except asyncio.CancelledError:
                if connection is not None:
                    # The app is stopping: drop the connection without a goodbye, which a busy server
                    # (or a query cut off mid-way) could make us wait for.
                    connection.terminate()
                raise
            except Exception as exc:  # noqa: BLE001 (whatever broke the connection, make a new one)
                self._connected.clear()
                log.warning(
                    "events: PostgreSQL connection for LISTEN/NOTIFY lost (%s); reconnecting in %.1f s",
                    exc or type(exc).__name__,
                    delay,
                )
            if connection is not None:
                await _close_quietly(connection)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _serve(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Send what the outbox holds, ping when idle; returns (raises) when the connection is gone."""
        while True:
            if lost.is_set() or connection.is_closed():
                raise asyncpg.InterfaceError("the connection was closed")
            if not self._outbox:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), _PING_INTERVAL)
                except TimeoutError:
                    await connection.fetchval("SELECT 1", timeout=_CONNECT_TIMEOUT)
                continue
            batch = [self._outbox.popleft() for _ in range(min(len(self._outbox), _MAX_BATCH))]
            try:
                # One round trip for the batch; pg_notify runs in array order, so order is kept.
                await connection.execute(
                    "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload", CHANNEL, batch
                )
            except BaseException:
                # Sent with the next connection: a batch that did arrive arrives twice, which is harmless
                # (an event is a state); one lost would leave another process's client stale.
                self._outbox.extendleft(reversed(batch))
                raise

    def _on_lost(self, lost: asyncio.Event, _connection: object) -> None:
        lost.set()
        self._wake.set()

    def _on_notification(self, _connection: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            message = msgspec.json.decode(str(payload))  # a str: asyncpg's types say only object
        except msgspec.DecodeError:
            log.warning("events: ignored a malformed notification on %s", CHANNEL)
            return
        if isinstance(message, dict) and message.get("origin") != self._origin:
            self._inbox.put_nowait(message)

    # -- delivering what other processes sent --------------------------------------------------------

    async def _receive_loop(self) -> None:
        # One consumer keeps other processes' events in their order, even when one needs a database read.
        while True:
            message = await self._inbox.get()
            try:
                event: AnyEvent | None
                if isinstance(message.get("board_event"), dict):
                    event = BoardEvent.from_payload(message["board_event"])
                elif message.get("reload"):
                    event = await self._load(message["job_id"])
                else:
                    event = GenerationEvent.from_payload(message)
            except Exception:
                log.exception("events: could not read a notification from another process")
                continue
            if event is not None:
                self._deliver(event)

    async def _load(self, generation_id: str) -> GenerationEvent | None:
        async with self._database.read() as session:
            rows = await session.execute(select_generations().where(Generation.id == uuid.UUID(generation_id)))
            record = rows.first()
        return None if record is None else GenerationEvent.from_record(record)


async def _close_quietly(connection: asyncpg.Connection) -> None:
    # asyncio.wait, not wait_for: on timeout wait_for waits for the cancelled close to finish, and a
    # close stuck on a dead socket may not; terminate() never waits.
    closing = asyncio.ensure_future(connection.close())
    done, _ = await asyncio.wait({closing}, timeout=2.0)
    if not done or closing.exception() is not None:
        closing.cancel()
        connection.terminate()
