"""User: a person known to the database (on a desktop, one per installation)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from boards_desktop.db import models
from boards_desktop.db.queries import boards as board_queries
from boards_desktop.db.queries.records import BoardRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import context_of

if TYPE_CHECKING:
    from boards_desktop.graphql.types.boards import Board

_BoardType = Annotated["Board", strawberry.lazy("boards_desktop.graphql.types.boards")]


@strawberry.type
class User:
    id: uuid.UUID
    tenant_id: uuid.UUID
    auth_provider: str
    auth_subject: str
    email: str | None
    display_name: str | None
    avatar_url: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: models.User) -> User:
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            auth_provider=row.auth_provider,
            auth_subject=row.auth_subject,
            email=row.email,
            display_name=row.display_name,
            avatar_url=row.avatar_url,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="Boards this user owns that you may read, most recently changed first.")
    async def boards(self, info: strawberry.Info, limit: int | None = 100, offset: int | None = 0) -> list[_BoardType]:
        return await _boards_page(info, board_queries.boards_owned_by, self.id, limit, offset)

    @strawberry.field(description="Boards where this user is a member that you may read, most recently changed first.")
    async def member_boards(
        self, info: strawberry.Info, limit: int | None = 100, offset: int | None = 0
    ) -> list[_BoardType]:
        return await _boards_page(info, board_queries.boards_with_member, self.id, limit, offset)


async def _boards_page(
    info: strawberry.Info,
    query: Callable[..., Awaitable[list[BoardRecord]]],
    user_id: uuid.UUID,
    limit: int | None,
    offset: int | None,
) -> list[Board]:
    """One page of a user's boards, as `query` selects them among those the caller may read."""
    from boards_desktop.graphql.types.boards import Board

    ctx = context_of(info)
    limit, offset = validation.page(limit, offset, default_limit=100)
    async with ctx.sessions.read() as session:
        rows = await query(session, ctx.actor, user_id, limit=limit, offset=offset)
    return [Board.from_row(row, ctx) for row in rows]
