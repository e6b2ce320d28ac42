"""The contract's role table, decided from facts loaded once per request.

| capability                           | viewer    | editor    | admin            | owner            |
| read a board and its generations     | yes       | yes       | yes              | yes              |
| create/regenerate/upload/tag         |           | yes       | yes              | yes              |
| cancel or delete a generation        |           | own only  | own only         | any              |
| update board, add or change members  |           |           | yes              | yes              |
| remove members                       | self only | self only | yes (not owner)  | yes (not owner)  |
| delete board                         |           |           |                  | yes              |
Public boards are readable by anyone, writable only by members with the role.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Literal

from boards_desktop.db.queries import access
from boards_desktop.db.queries.records import BoardRecord, GenerationRecord
from boards_desktop.db.queries.users import Actor
from boards_desktop.graphql.errors import forbidden
from boards_desktop.graphql.sessions import RequestSessions

Role = Literal["viewer", "editor", "admin", "owner"]
_RANK: dict[str, int] = {"viewer": 1, "editor": 2, "admin": 3, "owner": 4}


class Permissions:
    """What the caller may do, with the caller's memberships loaded at most once per request."""

    def __init__(self, sessions: RequestSessions, actor: Actor) -> None:
        self._sessions = sessions
        self.actor = actor
        self._roles: dict[uuid.UUID, str] | None = None
        self._visibility: access.BoardVisibility | None = None
        self._lock = asyncio.Lock()

    async def role_on(self, board: BoardRecord) -> Role | None:
        if board.tenant_id != self.actor.tenant_id:
            return None
        if board.owner_id == self.actor.user_id:
            return "owner"  # no query: most boards on a desktop are the caller's own
        role = (await self._member_roles()).get(board.id)
        return role if role in _RANK else None  # type: ignore[return-value]  # in _RANK, so a Role

    async def can_read(self, board: BoardRecord) -> bool:
        if board.tenant_id != self.actor.tenant_id:
            return False
        return board.is_public or await self.role_on(board) is not None

    async def describe(self, board: BoardRecord) -> str:
        """How errors name a board: by title only to those who may read it (a title can tell secrets)."""
        return f"board '{board.title}'" if await self.can_read(board) else f"board {board.id}"

    async def require(self, board: BoardRecord, minimum: Role, action: str) -> Role:
        """The caller's role, when it is at least `minimum`; FORBIDDEN otherwise."""
        role = await self.role_on(board)
        if role is None or _RANK[role] < _RANK[minimum]:
            needed = "the owner" if minimum == "owner" else f"the {minimum} role (or higher)"
            held = f"you are {'a' if role != 'admin' else 'an'} {role}" if role else "you are not a member"
            raise forbidden(
                f"Only {needed} on {await self.describe(board)} may {action}; {held}. Ask its owner for access."
            )
        return role

    async def require_generation_control(self, board: BoardRecord, generation: GenerationRecord, action: str) -> None:
        """Cancel and delete: the owner of the board may touch any generation, editors and admins their own."""
        role = await self.require(board, "editor", action)
        if role != "owner" and generation.user_id != self.actor.user_id:
            raise forbidden(
                f"You may {action} on {await self.describe(board)} only when they are your own; "
                "this one was made by someone else. Ask the board's owner."
            )

    async def visibility(self) -> access.BoardVisibility:
        async with self._lock:
            if self._visibility is None:
                async with self._sessions.read() as session:
                    self._visibility = await access.board_visibility(session, self.actor)
            return self._visibility

    def forget(self) -> None:
        """Drop what was loaded, after a change to boards or memberships in this request."""
        self._roles = None
        self._visibility = None

    async def _member_roles(self) -> dict[uuid.UUID, str]:
        async with self._lock:
            if self._roles is None:
                async with self._sessions.read() as session:
                    self._roles = await access.member_roles(session, self.actor.user_id)
            return self._roles
