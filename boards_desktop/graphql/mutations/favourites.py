"""setFavourite: your stars. Anyone who may read a board may star its generations; a star is yours alone."""

from __future__ import annotations

import uuid

import strawberry
from sqlalchemy.exc import IntegrityError

from boards_desktop.db.queries import favourites as favourite_queries
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import not_found
from boards_desktop.graphql.lookups import readable_generations
from boards_desktop.graphql.mutations.common import name_ids
from boards_desktop.graphql.types.generations import Generation


@strawberry.type
class FavouriteMutations:
    @strawberry.mutation(
        description="Star (favourite: true) or unstar generations you may read, up to 1,000 at once; starring a "
        "starred one changes nothing. Returns them, in the order given."
    )
    async def set_favourite(
        self, info: strawberry.Info, generation_ids: list[uuid.UUID], favourite: bool
    ) -> list[Generation]:
        ctx = context_of(info)
        ids = validation.bulk_ids(generation_ids, "generationIds")
        readable = await readable_generations(ctx, ids)
        # Not found and not readable read alike: a board you may not read does not tell what is on it.
        missing = [generation_id for generation_id in ids if generation_id not in readable]
        done = "starred" if favourite else "unstarred"
        if missing:
            raise not_found(
                f"Generation not found, or on a board you may not read: {name_ids(missing)}; nothing was {done}"
            )
        rows = [readable[generation_id] for generation_id in ids]
        try:
            async with ctx.sessions.write() as session:
                if favourite:
                    await favourite_queries.star(session, ctx.actor.user_id, rows)
                else:
                    await favourite_queries.unstar(session, ctx.actor.user_id, ids)
        except IntegrityError:
            raise not_found(f"A generation was deleted meanwhile; nothing was {done}") from None
        ctx.loaders.forget_favourites(ids)
        for generation_id in ids:
            ctx.loaders.favourites.prime(generation_id, favourite)
        return [Generation.from_row(row, ctx) for row in rows]
