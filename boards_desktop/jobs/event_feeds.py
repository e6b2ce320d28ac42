"""What a watching client receives: the current state first, then each change (SSE and GraphQL share it).

The subscription is made before the database is read, so that nothing published in between is lost;
events older than the state read are then dropped, and an event that repeats the state already sent
is skipped. A feed yields None after `idle` seconds without anything to send, so that a stream can
write a keep-alive.

Silence is also when a feed looks at the database again: an event can be missed (another process's,
while the PostgreSQL connection was down) and a generation's feed hears of no deletion. A generation
found finished is sent and ends its feed; a deleted generation ends it quietly, a deleted board with a
`deleted` board event. Only a terminal state is taken from the row in between: progress is saved at intervals, so the row may be older
than the last event sent.

A board's feed also carries the changes to the board itself (`BoardEvent`: moves, deletions,
renames, members), each as it comes; it ends after the board's own deletion, which it always
reports (when silence finds the board gone first, in an event of its own making).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Generation
from boards_desktop.db.queries.generations import ACTIVE_STATUSES
from boards_desktop.db.queries.records import select_generations
from boards_desktop.jobs.events import (
    TERMINAL_STATUSES,
    AnyEvent,
    BoardEvent,
    EventBroker,
    GenerationEvent,
    Subscription,
)

IDLE_SECONDS = 30.0  # an idle app wakes at most this often (design.md: idle budget)
_SEEN_LIMIT = 10_000  # generations whose last sent state a feed remembers


async def generation_feed(
    broker: EventBroker, database: Database, generation_id: uuid.UUID, *, idle: float = IDLE_SECONDS
) -> AsyncIterator[GenerationEvent | None]:
    """One generation's state, then its changes; ends after a terminal status (or if it is deleted)."""
    async with broker.subscribe(generation_id=generation_id) as subscription:
        record = await _generation(database, generation_id)
        if record is None:
            return
        last = GenerationEvent.from_record(record)
        yield last
        if last.is_terminal:
            return
        async for event in _fresh(subscription, {last.generation_id: (record.updated_at, last)}, idle):
            if isinstance(event, BoardEvent):  # not subscribed to these; only a board's feed receives them
                continue
            if event is None:
                record = await _generation(database, generation_id)
                if record is None:
                    return
                if record.status in TERMINAL_STATUSES:
                    yield GenerationEvent.from_record(record)
                    return
            yield event
            if event is not None and event.is_terminal:
                return


async def board_feed(
    broker: EventBroker, database: Database, board_id: uuid.UUID, *, idle: float = IDLE_SECONDS
) -> AsyncIterator[AnyEvent | None]:
    """The board's active (pending or processing) generations, oldest first, then every change; never ends."""
    async for batch in board_feed_batches(broker, database, board_id, idle=idle):
        if batch is None:
            yield None
            continue
        for event in batch:
            yield event


async def board_feed_batches(
    broker: EventBroker, database: Database, board_id: uuid.UUID, *, idle: float = IDLE_SECONDS
) -> AsyncIterator[list[AnyEvent] | None]:
    """`board_feed`, what is ready at once in one list: a stream sends a busy moment's events in one write."""
    async with broker.subscribe(board_id=board_id) as subscription:
        async with database.read() as session:
            rows = await session.execute(
                select_generations()
                .where(Generation.board_id == board_id, Generation.status.in_(ACTIVE_STATUSES))
                .order_by(Generation.created_at, Generation.id)
            )
            records = list(rows)
        seen: dict[str, tuple[datetime, GenerationEvent]] = {}
        active: list[AnyEvent] = []
        for record in records:
            event = GenerationEvent.from_record(record)
            seen[event.generation_id] = (record.updated_at, event)
            active.append(event)
        if active:
            yield active
        async for batch in _fresh_batches(subscription, seen, idle):
            if batch is None:
                if not await _board_exists(database, board_id):
                    # Found before its own event came (published after the commit, or missed): told all the same.
                    yield [BoardEvent("deleted", str(board_id))]
                    return
                # A completion whose event was lost (another app's, while LISTEN was reconnecting) is
                # found here, after at most `idle` seconds of silence, instead of never.
                finished: list[AnyEvent] = list(await _finished_meanwhile(database, board_id, seen))
                if finished:
                    yield finished
                yield None
                continue
            for index, item in enumerate(batch):
                if isinstance(item, BoardEvent) and item.ends_board and item.board_id == str(board_id):
                    yield batch[: index + 1]
                    return
            yield batch


async def _finished_meanwhile(
    database: Database, board_id: uuid.UUID, seen: dict[str, tuple[datetime, GenerationEvent]]
) -> list[GenerationEvent]:
    """The terminal states, read from the rows, of generations last sent as running (and `seen` updated)."""
    running = [uuid.UUID(key) for key, (_at, event) in seen.items() if not event.is_terminal]
    if not running:
        return []
    async with database.read() as session:
        rows = await session.execute(
            select_generations().where(
                Generation.id.in_(running[:500]),
                Generation.board_id == board_id,
                Generation.status.in_(TERMINAL_STATUSES),
            )
        )
        records = list(rows)
    found = []
    for record in records:
        event = GenerationEvent.from_record(record)
        seen[event.generation_id] = (record.updated_at, event)
        found.append(event)
    return found


async def queue_feed(broker: EventBroker, *, idle: float = IDLE_SECONDS) -> AsyncIterator[GenerationEvent | None]:
    """Every job's changes of status (queued, started, finished), not its progress: what moves the
    queue panel's counts. Never ends."""
    async with broker.subscribe() as subscription:
        statuses: dict[str, str] = {}
        loop = asyncio.get_running_loop()
        quiet_since = loop.time()
        while True:
            event = await subscription.next(timeout=max(idle - (loop.time() - quiet_since), 0.0))
            if event is None:
                if subscription.closed:
                    return
                quiet_since = loop.time()
                yield None
                continue
            if not isinstance(event, GenerationEvent) or statuses.get(event.generation_id) == event.status:
                continue  # a change to a board itself moves no count
            if event.is_terminal:
                statuses.pop(event.generation_id, None)
            else:
                statuses[event.generation_id] = event.status
            quiet_since = loop.time()
            yield event


async def _generation(database: Database, generation_id: uuid.UUID) -> Any:
    async with database.read() as session:
        return (await session.execute(select_generations().where(Generation.id == generation_id))).first()


async def _board_exists(database: Database, board_id: uuid.UUID) -> bool:
    async with database.read() as session:
        return (await session.execute(select(Board.id).where(Board.id == board_id))).first() is not None


async def _fresh(
    subscription: Subscription, seen: dict[str, tuple[datetime, GenerationEvent]], idle: float
) -> AsyncIterator[AnyEvent | None]:
    """The subscription's events minus those older than, or equal to, what was sent of their generation."""
    async for batch in _fresh_batches(subscription, seen, idle):
        if batch is None:
            yield None
            continue
        for event in batch:
            yield event


async def _fresh_batches(
    subscription: Subscription, seen: dict[str, tuple[datetime, GenerationEvent]], idle: float
) -> AsyncIterator[list[AnyEvent] | None]:
    """`_fresh`, the events that were waiting together in one list (never empty), in their order."""
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    while True:
        # Silence is measured from the last thing sent: skipped events do not put the keep-alive off.
        timeout = max(idle - (loop.time() - quiet_since), 0.0)
        events = await subscription.next_batch(timeout=timeout)
        if events is None:
            if subscription.closed:
                return
            quiet_since = loop.time()
            yield None
            continue
        fresh = [event for event in events if _is_fresh(event, seen)]
        if fresh:
            quiet_since = loop.time()
            yield fresh


def _is_fresh(event: AnyEvent, seen: dict[str, tuple[datetime, GenerationEvent]]) -> bool:
    """Whether `event` tells something not yet sent (then it is remembered as sent)."""
    if isinstance(event, BoardEvent):
        return True
    previous = seen.get(event.generation_id)
    if previous is not None:
        read_at, sent = previous
        if event.timestamp < read_at or event.same_state(sent):
            return False
    # Kept after a terminal status too: an older event arriving late (a job's announcement that
    # its completion overtook) would otherwise show a finished generation as pending again.
    if len(seen) >= _SEEN_LIMIT and event.generation_id not in seen:
        del seen[next(iter(seen))]  # the oldest generation sent; a stream may run for days
    seen[event.generation_id] = (event.timestamp, event)
    return True
