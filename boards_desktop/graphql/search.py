"""Find anything: a search's words matched against tags too, and `searchGenerations` across boards.

A generation's stored search text (db/search_text.py) holds what it was made with; its tags are
given and taken after the fact, so a word is matched against the tenant's tag names here, folded
in Python the same way, and the grid's SQL takes the matching tag ids (a tenant has tens of tags,
not thousands: reading their names is one small query per search).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
import weakref

from sqlalchemy import select

from boards_desktop.db.models import Tag
from boards_desktop.db.queries import generations as generation_queries
from boards_desktop.db.queries.board_grid import GridFilter, word_conditions
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.db.search_text import fold, search_words
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import bad_input


async def with_tag_matches(ctx: RequestContext, grid_filter: GridFilter | None) -> GridFilter | None:
    """The filter with, for each of its words, the tags whose name holds that word."""
    if grid_filter is None or not grid_filter.words:
        return grid_filter
    folded = await _folded_tag_names(ctx)
    matches = tuple(
        tuple(sorted((tag_id for tag_id, name in folded if word in name), key=str)) for word in grid_filter.words
    )
    return dataclasses.replace(grid_filter, word_tags=matches if any(matches) else ())


# The tenant's tag names, read once per request (keyed by its loaders, which live as long as it):
# a request that searches many boards at once asks for them once, not once a board.
_TAG_NAMES: weakref.WeakKeyDictionary[object, asyncio.Future[list[tuple[uuid.UUID, str]]]] = weakref.WeakKeyDictionary()


async def _folded_tag_names(ctx: RequestContext) -> list[tuple[uuid.UUID, str]]:
    pending = _TAG_NAMES.get(ctx.loaders)
    if pending is None:
        pending = asyncio.get_running_loop().create_future()
        _TAG_NAMES[ctx.loaders] = pending
        try:
            async with ctx.sessions.read() as session:
                rows = await session.execute(select(Tag.id, Tag.name).where(Tag.tenant_id == ctx.actor.tenant_id))
            pending.set_result([(uuid.UUID(str(tag_id)), fold(name)) for tag_id, name in rows])
        except BaseException as exc:
            _TAG_NAMES.pop(ctx.loaders, None)
            pending.set_exception(exc)
            pending.exception()  # retrieved: a waiter re-raises it, none is left unobserved
            raise
    return await pending


async def search_generations(ctx: RequestContext, query: str, limit: int, offset: int) -> list[GenerationRecord]:
    """Generations of every board the caller may read whose text or tags hold each word, newest first."""
    if len(query) > validation.MAX_SEARCH_LENGTH:
        raise bad_input(f"query is {len(query)} characters long; use at most {validation.MAX_SEARCH_LENGTH}")
    words = search_words(query)
    if not words:
        return []
    if len(words) > validation.MAX_SEARCH_WORDS:
        raise bad_input(f"query has {len(words)} words; use at most {validation.MAX_SEARCH_WORDS}")
    grid_filter = await with_tag_matches(ctx, GridFilter(words=words))
    assert grid_filter is not None
    visibility = await ctx.permissions.visibility()
    async with ctx.sessions.read() as session:
        return await generation_queries.recent_generations(
            session,
            visibility,
            board_id=None,
            status=None,
            artifact_type=None,
            limit=limit,
            offset=offset,
            also=word_conditions(grid_filter),
        )
