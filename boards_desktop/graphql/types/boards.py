"""Board and BoardMember."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from boards_desktop.db import models
from boards_desktop.db.queries.board_shapes import board_shapes
from boards_desktop.db.queries.records import BoardRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.enums import BoardRole
from boards_desktop.graphql.inputs import GenerationFilter
from boards_desktop.graphql.search import with_tag_matches
from boards_desktop.graphql.types.users import User

if TYPE_CHECKING:
    from boards_desktop.graphql.types.generations import Generation

_GenerationType = Annotated["Generation", strawberry.lazy("boards_desktop.graphql.types.generations")]


async def load_user(info: strawberry.Info, user_id: uuid.UUID) -> User:
    row = await context_of(info).loaders.users.load(user_id)
    if row is None:
        raise LookupError(f"user {user_id} is referenced but missing")
    return User.from_row(row)


@strawberry.type
class BoardMember:
    id: uuid.UUID
    board_id: uuid.UUID
    user_id: uuid.UUID
    role: BoardRole
    invited_by: uuid.UUID | None
    joined_at: datetime

    @classmethod
    def from_row(cls, row: models.BoardMember) -> BoardMember:
        return cls(
            id=row.id,
            board_id=row.board_id,
            user_id=row.user_id,
            role=BoardRole(row.role),
            invited_by=row.invited_by_id,
            joined_at=row.joined_at,
        )

    @strawberry.field
    async def user(self, info: strawberry.Info) -> User:
        return await load_user(info, self.user_id)

    @strawberry.field
    async def inviter(self, info: strawberry.Info) -> User | None:
        if self.invited_by is None:
            return None
        row = await context_of(info).loaders.users.load(self.invited_by)
        return None if row is None else User.from_row(row)


@strawberry.type
class Board:
    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    description: str | None
    is_public: bool
    settings: JSON
    metadata: JSON
    created_at: datetime
    updated_at: datetime
    # Kept on the board row by triggers (schemas/003, 004), so reading it costs nothing.
    generation_count: int

    @classmethod
    def from_row(cls, row: BoardRecord, ctx: RequestContext | None = None) -> Board:
        """The board as sent; with a context, later lookups of it in this request cost nothing."""
        if ctx is not None:
            ctx.loaders.remember_board(row)
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            owner_id=row.owner_id,
            title=row.title,
            description=row.description,
            is_public=row.is_public,
            settings=row.settings if row.settings is not None else {},
            metadata=row.metadata_ if row.metadata_ is not None else {},
            created_at=row.created_at,
            updated_at=row.updated_at,
            generation_count=row.generation_count,
        )

    @strawberry.field
    async def owner(self, info: strawberry.Info) -> User:
        return await load_user(info, self.owner_id)

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[BoardMember]:
        rows = await context_of(info).loaders.members.load(self.id)
        return [BoardMember.from_row(row) for row in rows]

    @strawberry.field(description="Generations on the board, newest first; with a filter, only those it keeps.")
    async def generations(
        self,
        info: strawberry.Info,
        limit: int | None = 50,
        offset: int | None = 0,
        filter: GenerationFilter | None = None,
    ) -> list[_GenerationType]:
        from boards_desktop.graphql.types.generations import Generation

        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        grid_filter = await with_tag_matches(ctx, validation.grid_filter(filter, ctx.actor.user_id))
        rows = await ctx.loaders.board_pages.load((self.id, limit, offset, grid_filter))
        return [Generation.from_row(row, ctx) for row in rows]

    @strawberry.field(description="How many generations the filter keeps (all of them without one): the grid's length.")
    async def generation_total(
        self,
        info: strawberry.Info,
        filter: GenerationFilter | None = None,
    ) -> int:
        ctx = context_of(info)
        grid_filter = await with_tag_matches(ctx, validation.grid_filter(filter, ctx.actor.user_id))
        if grid_filter is None:
            return self.generation_count  # kept on the board row by triggers: no query
        return await ctx.loaders.board_totals.load((self.id, grid_filter))

    @strawberry.field(
        description="Width over height of every generation the filter keeps, in the grid's order (newest"
        " first); null where it is not known (text, audio, a job that has not started and was given no size)."
        " The grid lays out its justified rows with it before the pages arrive."
    )
    async def generation_shapes(
        self,
        info: strawberry.Info,
        filter: GenerationFilter | None = None,
    ) -> list[float | None]:
        ctx = context_of(info)
        grid_filter = await with_tag_matches(ctx, validation.grid_filter(filter, ctx.actor.user_id))
        async with ctx.sessions.read() as session:
            return await board_shapes(session, self.id, grid_filter)

    @strawberry.field(description="Thumbnail URLs of the board's newest completed images and videos, newest first.")
    async def cover_thumbnails(self, info: strawberry.Info, limit: int | None = 4) -> list[str]:
        count = validation.cover_count(limit)
        if count == 0:
            return []
        ctx = context_of(info)
        return ctx.media_urls.all(await ctx.loaders.covers.load((self.id, count)))

    @strawberry.field(description="The generators used on this board, by name (for a filter menu).")
    async def generator_names(self, info: strawberry.Info) -> list[str]:
        return await context_of(info).loaders.generator_names.load(self.id)
