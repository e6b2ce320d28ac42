"""Generation updates, published once and delivered to every interested subscriber.

The job runner publishes an event on each status change and progress report; SSE streams, GraphQL
subscriptions and the runner itself (cancellations, new jobs from elsewhere) subscribe. Delivery
within the process is immediate: `publish` hands the event to each matching subscriber's buffer and
wakes it, without awaiting anything, so a slow reader never holds up the publisher or the others.

Changes to a board itself (`board_events.BoardEvent`: moves, deletions, renames, members) travel
the same way to the board's subscribers.

On PostgreSQL the broker also relays events through LISTEN/NOTIFY (`events_postgres`), so that
several app processes sharing one database see each other's progress.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from boards_desktop.db.types import utcnow
from boards_desktop.jobs.board_events import BoardEvent

if TYPE_CHECKING:
    from boards_desktop.db.engine import Database
    from boards_desktop.jobs.events_postgres import PostgresRelay

log = logging.getLogger("boards.events")

TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
PHASES = ("queued", "initializing", "processing", "finalizing")

# Per subscriber. A reader that falls this far behind gets only the newest state of each generation.
DEFAULT_BUFFER = 256


@dataclass(frozen=True)
class GenerationEvent:
    generation_id: str
    board_id: str
    status: str  # pending|processing|completed|failed|cancelled (lower case)
    progress: float  # 0..1
    phase: str  # queued|initializing|processing|finalizing
    message: str | None = None
    error_message: str | None = None
    estimated_completion: datetime | None = None
    artifacts: tuple[dict[str, Any], ...] = ()  # [{"url", "type", "metadata"}] once completed
    thumbnail_url: str | None = None
    timestamp: datetime = field(default_factory=utcnow)
    generator_name: str | None = None  # lets a job runner in another process wake the right provider
    text: str | None = None  # a text being written (streamed from a language model), so far
    preview_url: str | None = None  # a running job's live preview (a small `data:` URL), when its engine sends one

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    def same_state(self, other: GenerationEvent) -> bool:
        """Equal in what a client sees of the generation (not when, nor who made it): resending tells nothing."""
        return replace(self, timestamp=other.timestamp, generator_name=other.generator_name) == other

    def sse_payload(self) -> dict[str, Any]:
        """The upstream progress payload (snake_case, progress 0..1), plus board_id, error_message, thumbnail_url,
        `text` while a text is being written and `preview_url` while a local engine shows the work in progress
        (each only then)."""
        payload: dict[str, Any] = {
            "job_id": self.generation_id,
            "board_id": self.board_id,
            "status": self.status,
            "progress": self.progress,
            "phase": self.phase,
            "message": self.message,
            "error_message": self.error_message,
            "estimated_completion": _iso(self.estimated_completion),
            "artifacts": [dict(artifact) for artifact in self.artifacts],
            "thumbnail_url": self.thumbnail_url,
            "timestamp": _iso(self.timestamp),
            "generator_name": self.generator_name,
        }
        if self.text is not None:
            payload["text"] = self.text
        if self.preview_url is not None:
            payload["preview_url"] = self.preview_url
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> GenerationEvent:
        """The inverse of `sse_payload` (events relayed from another process arrive this way)."""
        return cls(
            generation_id=str(payload["job_id"]),
            board_id=str(payload["board_id"]),
            status=str(payload["status"]),
            progress=float(payload.get("progress") or 0.0),
            phase=str(payload.get("phase") or "processing"),
            message=payload.get("message"),
            error_message=payload.get("error_message"),
            estimated_completion=_parse_time(payload.get("estimated_completion")),
            artifacts=tuple(payload.get("artifacts") or ()),
            thumbnail_url=payload.get("thumbnail_url"),
            timestamp=_parse_time(payload.get("timestamp")) or utcnow(),
            generator_name=payload.get("generator_name"),
            text=payload.get("text"),
            preview_url=payload.get("preview_url"),
        )

    @classmethod
    def from_record(cls, record: Any) -> GenerationEvent:
        """The current state of a generations row (ORM object or record), stamped now.

        The database keeps progress as 0..100 (as upstream did); events carry 0..1.
        """
        status = str(record.status)
        progress = min(max(float(record.progress or 0) / 100.0, 0.0), 1.0)
        return cls(
            generation_id=str(record.id),
            board_id=str(record.board_id),
            status=status,
            progress=1.0 if status == "completed" else progress,
            phase=_phase_of(status, getattr(record, "progress_phase", None), progress),
            message=getattr(record, "progress_message", None),
            error_message=record.error_message,
            artifacts=_artifacts_of(record) if status == "completed" else (),
            thumbnail_url=record.thumbnail_url,
            generator_name=getattr(record, "generator_name", None),
        )

    @classmethod
    def from_write(cls, record: Any) -> GenerationEvent:
        """The state a write just committed, stamped with the row's `updated_at` (the time of the write).

        Not the time of publishing: between the commit and the publish a job runner (this app's or
        another's) may claim the row and publish newer states, and an event stamped later would
        overtake them in every feed and buffer that orders by time (a job seen pending after it completed).
        """
        event = cls.from_record(record)
        written = getattr(record, "updated_at", None)
        return replace(event, timestamp=written) if isinstance(written, datetime) else event

    def newer_than(self, other: GenerationEvent) -> bool:
        """Later in the generation's life: events of one generation may arrive out of order (see from_write)."""
        return self.timestamp >= other.timestamp


AnyEvent = GenerationEvent | BoardEvent


class Subscription:
    """Events matching a filter, buffered until read. Use as `async with broker.subscribe() as events:`."""

    def __init__(self, broker: EventBroker, *, generation_id: str | None, board_id: str | None, buffer: int) -> None:
        self.generation_id = generation_id
        self.board_id = board_id
        self.coalesced = 0  # events replaced by a newer one of the same generation while the reader lagged
        self._broker = broker
        self._limit = max(buffer, 1)
        self._buffer: deque[AnyEvent] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    async def __aenter__(self) -> Self:
        self._broker._attach(self)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._broker._detach(self)
        self._closed = True

    @property
    def closed(self) -> bool:
        """True once the broker stopped (or the block ended): no more events will arrive."""
        return self._closed

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> AnyEvent:
        event = await self.next()
        if event is None:
            raise StopAsyncIteration
        return event

    async def next(self, timeout: float | None = None) -> AnyEvent | None:
        """The next event; None after `timeout` seconds without one, or once the broker has stopped."""
        while not self._buffer:
            if self._closed:
                return None
            self._ready.clear()
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return None
        return self._buffer.popleft()

    async def next_batch(self, timeout: float | None = None) -> list[AnyEvent] | None:
        """Every event waiting, oldest first (at least one); None as `next` gives it.

        What was published while the reader was busy arrives together: a stream writes it at once.
        """
        event = await self.next(timeout)
        if event is None:
            return None
        batch = [event, *self._buffer]
        self._buffer.clear()
        return batch

    def _offer(self, event: AnyEvent) -> None:
        if self.board_id is not None:
            if isinstance(event, BoardEvent) and self.board_id not in event.board_ids:
                return
            if isinstance(event, GenerationEvent) and event.board_id != self.board_id:
                return
        if len(self._buffer) >= self._limit:
            self._coalesce()
        self._buffer.append(event)
        self._ready.set()

    def _coalesce(self) -> None:
        # Progress is a state, not a log: of each generation only the newest event still matters.
        # What remains is at most one event per generation with news, however far behind the reader is.
        # Newest by time, not by arrival: a late announcement ("pending", stamped at its write) must not
        # replace the completion that overtook it, or the reader never learns the job completed.
        # A board event is a change, not a state: each one is kept, in its place.
        newest: dict[str, AnyEvent] = {}
        for event in self._buffer:
            if isinstance(event, BoardEvent):
                newest[f"board {id(event)}"] = event
                continue
            kept = newest.pop(event.generation_id, None)
            newest[event.generation_id] = (
                event if not isinstance(kept, GenerationEvent) or event.newer_than(kept) else kept
            )
        self.coalesced += len(self._buffer) - len(newest)
        self._buffer = deque(newest.values())

    def _close(self) -> None:
        self._closed = True
        self._ready.set()


class EventBroker:
    """One publish/subscribe channel of generation events for the whole app."""

    def __init__(self, *, relay: PostgresRelay | None = None, buffer: int = DEFAULT_BUFFER) -> None:
        self.origin = uuid.uuid4().hex  # tells this broker's own notifications apart from other processes'
        self._relay = relay
        self._buffer = buffer
        self._everything: set[Subscription] = set()
        self._by_generation: dict[str, set[Subscription]] = {}
        self._by_board: dict[str, set[Subscription]] = {}
        self._stopped = False

    @classmethod
    def for_database(cls, database: Database) -> EventBroker:
        """In memory on SQLite; on PostgreSQL also relayed to the other processes on the database."""
        if database.dialect != "postgresql":
            return cls()
        from boards_desktop.jobs.events_postgres import PostgresRelay

        broker = cls()
        broker._relay = PostgresRelay(database, origin=broker.origin, deliver=broker.deliver)
        return broker

    @property
    def subscriber_count(self) -> int:
        groups: Iterable[set[Subscription]] = [
            self._everything,
            *self._by_generation.values(),
            *self._by_board.values(),
        ]
        return sum(len(group) for group in groups)

    async def start(self) -> None:
        self._stopped = False
        if self._relay is not None:
            await self._relay.start()

    async def stop(self) -> None:
        """End every subscription (their readers see the end of the stream) and stop relaying."""
        self._stopped = True
        if self._relay is not None:
            await self._relay.stop()
        for group in [self._everything, *self._by_generation.values(), *self._by_board.values()]:
            for subscription in list(group):
                subscription._close()

    async def publish(self, event: AnyEvent) -> None:
        """Deliver to this process's subscribers at once; on PostgreSQL also to other processes."""
        self.deliver(event)
        if self._relay is not None:
            self._relay.send(event)

    def deliver(self, event: AnyEvent) -> None:
        """Hand an event to the local subscribers only (the relay calls this for other processes' events)."""
        if isinstance(event, BoardEvent):
            groups = [self._everything, *(self._by_board.get(board_id, ()) for board_id in event.board_ids)]
            for group in groups:
                for subscription in list(group):
                    subscription._offer(event)
            return
        for group in (
            self._everything,
            self._by_generation.get(event.generation_id, ()),
            self._by_board.get(event.board_id, ()),
        ):
            for subscription in list(group):
                subscription._offer(event)

    def subscribe(
        self, *, generation_id: str | uuid.UUID | None = None, board_id: str | uuid.UUID | None = None
    ) -> Subscription:
        """Events of one generation, of one board, or (no filter) every event; an async context manager."""
        return Subscription(
            self,
            generation_id=None if generation_id is None else str(generation_id),
            board_id=None if board_id is None else str(board_id),
            buffer=self._buffer,
        )

    def _attach(self, subscription: Subscription) -> None:
        if self._stopped:
            subscription._close()
            return
        if subscription.generation_id is not None:
            self._by_generation.setdefault(subscription.generation_id, set()).add(subscription)
        elif subscription.board_id is not None:
            self._by_board.setdefault(subscription.board_id, set()).add(subscription)
        else:
            self._everything.add(subscription)

    def _detach(self, subscription: Subscription) -> None:
        if subscription.generation_id is not None:
            key, index = subscription.generation_id, self._by_generation
        elif subscription.board_id is not None:
            key, index = subscription.board_id, self._by_board
        else:
            self._everything.discard(subscription)
            return
        group = index.get(key)
        if group is not None:
            group.discard(subscription)
            if not group:
                del index[key]


def _phase_of(status: str, stored: str | None, progress: float) -> str:
    if status == "pending":
        return "queued"
    if status in TERMINAL_STATUSES:
        return "finalizing"
    if stored in PHASES:
        return stored
    return "processing" if progress > 0 else "initializing"


def _artifacts_of(record: Any) -> tuple[dict[str, Any], ...]:
    artifacts: list[dict[str, Any]] = []
    if record.storage_url:
        metadata = record.output_metadata if isinstance(record.output_metadata, dict) else {}
        artifacts.append({"url": record.storage_url, "type": record.artifact_type, "metadata": metadata})
    for extra in record.additional_files or ():
        if isinstance(extra, dict) and extra.get("url"):
            artifacts.append(
                {
                    "url": extra["url"],
                    "type": extra.get("type", record.artifact_type),
                    "metadata": extra.get("metadata") or {},
                }
            )
    return tuple(artifacts)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


__all__ = ["TERMINAL_STATUSES", "AnyEvent", "BoardEvent", "EventBroker", "GenerationEvent", "Subscription"]
