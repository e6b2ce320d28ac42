"""Changes to a board itself, published live beside the generation events: what moved, what was deleted, a new title, who may see it.

A `BoardEvent` travels through the same broker (and between app processes, the same LISTEN/NOTIFY
relay) as generation progress, and reaches the board's stream as an `event: board` frame, which a
client that knows only `event: generation` frames ignores. Kinds:

- `moved`: `generation_ids` left `board_id` for `to_board_id` (both boards' streams receive it).
- `deleted`: `generation_ids` were deleted from `board_id`; none means the board itself was.
- `renamed`: the board's `title` and `description` are now these.
- `members`: the roles of `user_ids` changed to `role` (null: they were removed from the board).
- `tag`: the tag `tag_id`, on some of the board's generations, is now named `tag_name` (`tag_slug`).

Events are published after the change is committed, never before: a rolled-back change tells no one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from boards_desktop.db.types import utcnow

KINDS = frozenset({"moved", "deleted", "restored", "renamed", "members", "tag"})


@dataclass(frozen=True)
class BoardEvent:
    kind: str
    board_id: str
    generation_ids: tuple[str, ...] = ()
    to_board_id: str | None = None
    title: str | None = None
    description: str | None = None
    user_ids: tuple[str, ...] = ()
    role: str | None = None
    tag_id: str | None = None
    tag_name: str | None = None
    tag_slug: str | None = None
    timestamp: datetime = field(default_factory=utcnow)

    @property
    def board_ids(self) -> frozenset[str]:
        """The boards whose streams receive the event."""
        return frozenset({self.board_id} if self.to_board_id is None else {self.board_id, self.to_board_id})

    @property
    def ends_board(self) -> bool:
        return self.kind == "deleted" and not self.generation_ids

    def sse_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "board_id": self.board_id,
            "generation_ids": list(self.generation_ids),
            "to_board_id": self.to_board_id,
            "title": self.title,
            "description": self.description,
            "user_ids": list(self.user_ids),
            "role": self.role,
            "tag_id": self.tag_id,
            "tag_name": self.tag_name,
            "tag_slug": self.tag_slug,
            "timestamp": self.timestamp.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> BoardEvent:
        """The inverse of `sse_payload` (events relayed from another process arrive this way)."""
        stamp = payload.get("timestamp")
        return cls(
            kind=str(payload["kind"]),
            board_id=str(payload["board_id"]),
            generation_ids=tuple(str(i) for i in payload.get("generation_ids") or ()),
            to_board_id=None if payload.get("to_board_id") is None else str(payload["to_board_id"]),
            title=payload.get("title"),
            description=payload.get("description"),
            user_ids=tuple(str(i) for i in payload.get("user_ids") or ()),
            role=payload.get("role"),
            tag_id=payload.get("tag_id"),
            tag_name=payload.get("tag_name"),
            tag_slug=payload.get("tag_slug"),
            timestamp=datetime.fromisoformat(stamp) if isinstance(stamp, str) and stamp else utcnow(),
        )

    def split(self) -> tuple[BoardEvent, BoardEvent]:
        """Two events of half the generations each, for a relay whose messages have a size limit."""
        middle = len(self.generation_ids) // 2
        return (
            replace(self, generation_ids=self.generation_ids[:middle]),
            replace(self, generation_ids=self.generation_ids[middle:]),
        )


__all__ = ["KINDS", "BoardEvent"]
