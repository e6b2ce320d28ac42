"""The Query type: reads answer null or [] where a thing is missing or not the caller's to read."""

from __future__ import annotations

import uuid

import strawberry

from boards_desktop.db.queries import boards as board_queries
from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries import tags as tag_queries
from boards_desktop.db.queries import users as user_queries
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.enums import ArtifactType, BoardQueryRole, GenerationStatus, SortOrder
from boards_desktop.graphql.generators import list_generators
from boards_desktop.graphql.lookups import readable_board, readable_generation
from boards_desktop.graphql.search import search_generations
from boards_desktop.graphql.types.boards import Board
from boards_desktop.graphql.types.generations import Generation
from boards_desktop.graphql.types.generators import GeneratorInfo
from boards_desktop.graphql.types.tags import Tag
from boards_desktop.graphql.types.users import User


@strawberry.type
class Query:
    @strawberry.field(description="You: the local user of this installation.")
    async def me(self, info: strawberry.Info) -> User | None:
        ctx = context_of(info)
        row = await ctx.loaders.users.load(ctx.actor.user_id)
        return None if row is None else User.from_row(row)

    @strawberry.field
    async def user(self, info: strawberry.Info, id: uuid.UUID) -> User | None:
        ctx = context_of(info)
        row = await ctx.loaders.users.load(id)
        return None if row is None or row.tenant_id != ctx.actor.tenant_id else User.from_row(row)

    @strawberry.field(
        description=(
            "The teammate directory: users of your tenant (on a team database, everyone whose app has opened it), "
            "by name; `search` keeps those whose name or email contains it, any case."
        )
    )
    async def users(
        self, info: strawberry.Info, search: str | None = None, limit: int | None = 50, offset: int | None = 0
    ) -> list[User]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        text = validation.search_text(search)
        async with ctx.sessions.read() as session:
            rows = await user_queries.tenant_users(session, ctx.actor.tenant_id, text, limit=limit, offset=offset)
        return [User.from_row(row) for row in rows]

    @strawberry.field
    async def board(self, info: strawberry.Info, id: uuid.UUID) -> Board | None:
        ctx = context_of(info)
        row = await readable_board(ctx, id)
        return None if row is None else Board.from_row(row, ctx)

    @strawberry.field(description="Boards you own or are a member of; most recently changed first by default.")
    async def my_boards(
        self,
        info: strawberry.Info,
        limit: int | None = 50,
        offset: int | None = 0,
        role: BoardQueryRole | None = None,
        sort: SortOrder | None = None,
    ) -> list[Board]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        async with ctx.sessions.read() as session:
            rows = await board_queries.my_boards(
                session,
                ctx.actor,
                membership=(role or BoardQueryRole.ANY).value,
                sort=(sort or SortOrder.UPDATED_DESC).value,
                limit=limit,
                offset=offset,
            )
        return [Board.from_row(row, ctx) for row in rows]

    @strawberry.field
    async def public_boards(
        self, info: strawberry.Info, limit: int | None = 50, offset: int | None = 0, sort: SortOrder | None = None
    ) -> list[Board]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        async with ctx.sessions.read() as session:
            rows = await board_queries.public_boards(
                session, ctx.actor, sort=(sort or SortOrder.UPDATED_DESC).value, limit=limit, offset=offset
            )
        return [Board.from_row(row, ctx) for row in rows]

    @strawberry.field
    async def generation(self, info: strawberry.Info, id: uuid.UUID) -> Generation | None:
        ctx = context_of(info)
        row = await readable_generation(ctx, id)
        return None if row is None else Generation.from_row(row, ctx)

    @strawberry.field(description="Generations of boards you may read, newest first.")
    async def recent_generations(
        self,
        info: strawberry.Info,
        board_id: uuid.UUID | None = None,
        status: GenerationStatus | None = None,
        artifact_type: ArtifactType | None = None,
        limit: int | None = 50,
        offset: int | None = 0,
    ) -> list[Generation]:
        return await _recent_generations(info, board_id, status, artifact_type, limit, offset)

    @strawberry.field(
        description="Generations you may read, newest first; of one board with boardId (upstream's front end asks so)."
    )
    async def generations(
        self, info: strawberry.Info, board_id: uuid.UUID | None = None, limit: int | None = 50, offset: int | None = 0
    ) -> list[Generation]:
        return await _recent_generations(info, board_id, None, None, limit, offset)

    @strawberry.field(
        description="Generations of every board you may read that hold each word of the query, newest first: "
        "in their prompt and other inputs, an upload's file name, a text result, their tags or their generator's "
        "name; case and accents do not matter ('ete' finds 'Été')."
    )
    async def search_generations(
        self, info: strawberry.Info, query: str, limit: int | None = 50, offset: int | None = 0
    ) -> list[Generation]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        rows = await search_generations(ctx, query, limit, offset)
        return [Generation.from_row(row, ctx) for row in rows]

    @strawberry.field(description="Boards you may read whose title or description contains the query, any case.")
    async def search_boards(
        self, info: strawberry.Info, query: str, limit: int | None = 50, offset: int | None = 0
    ) -> list[Board]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset)
        text = query.strip()
        if not text:
            return []
        async with ctx.sessions.read() as session:
            rows = await board_queries.search_boards(session, ctx.actor, text, limit=limit, offset=offset)
        return [Board.from_row(row, ctx) for row in rows]

    @strawberry.field
    async def generators(self, info: strawberry.Info, artifact_type: str | None = None) -> list[GeneratorInfo]:
        services = context_of(info).services
        if services.keys is not None:
            await services.keys.ready()  # just after start-up: a key in the keyring is not missing
        return list_generators(services, artifact_type)

    @strawberry.field
    async def tags(self, info: strawberry.Info, limit: int | None = 100, offset: int | None = 0) -> list[Tag]:
        ctx = context_of(info)
        limit, offset = validation.page(limit, offset, default_limit=100)
        async with ctx.sessions.read() as session:
            rows = await tag_queries.list_tags(session, ctx.actor.tenant_id, limit=limit, offset=offset)
        return [Tag.from_row(row) for row in rows]

    @strawberry.field
    async def tag(self, info: strawberry.Info, id: uuid.UUID) -> Tag | None:
        ctx = context_of(info)
        async with ctx.sessions.read() as session:
            row = await tag_queries.get_tag(session, ctx.actor.tenant_id, id)
        return None if row is None else Tag.from_row(row)

    @strawberry.field
    async def tag_by_slug(self, info: strawberry.Info, slug: str) -> Tag | None:
        ctx = context_of(info)
        async with ctx.sessions.read() as session:
            row = await tag_queries.tag_with_slug(session, ctx.actor.tenant_id, tag_queries.slugify(slug))
        return None if row is None else Tag.from_row(row)


async def _recent_generations(
    info: strawberry.Info,
    board_id: uuid.UUID | None,
    status: GenerationStatus | None,
    artifact_type: ArtifactType | None,
    limit: int | None,
    offset: int | None,
) -> list[Generation]:
    ctx = context_of(info)
    limit, offset = validation.page(limit, offset)
    visibility = await ctx.permissions.visibility()
    async with ctx.sessions.read() as session:
        rows = await generation_queries.recent_generations(
            session,
            visibility,
            board_id=board_id,
            status=status.value if status else None,
            artifact_type=artifact_type.value if artifact_type else None,
            limit=limit,
            offset=offset,
        )
    return [Generation.from_row(row, ctx) for row in rows]
