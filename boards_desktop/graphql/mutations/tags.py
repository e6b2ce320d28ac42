"""createTag, updateTag, deleteTag, addTagToGeneration(s), removeTagFromGeneration(s)."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db import models
from boards_desktop.db.queries import tags as tag_queries
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.errors import ApiError, bad_input, conflict, not_found
from boards_desktop.graphql.inputs import CreateTagInput, UpdateTagInput
from boards_desktop.graphql.mutations.common import all_or_nothing, existing_generation, existing_generations
from boards_desktop.graphql.types.tags import Tag
from boards_desktop.jobs.board_events import BoardEvent


@strawberry.type
class TagMutations:
    @strawberry.mutation(description="A new tag; its slug comes from the name unless given.")
    async def create_tag(self, info: strawberry.Info, input: CreateTagInput) -> Tag:
        ctx = context_of(info)
        name = validation.tag_name(input.name)
        slug = _slug(input.slug if input.slug is not None else name)
        metadata = validation.json_object(input.metadata, "metadata")
        tenant_id = ctx.actor.tenant_id
        try:
            async with ctx.sessions.write() as session:
                if await tag_queries.tag_with_slug(session, tenant_id, slug) is not None:
                    raise _slug_taken(slug)
                row = await tag_queries.insert_tag(
                    session,
                    tenant_id,
                    name=name,
                    slug=slug,
                    description=validation.optional_text(input.description),
                    metadata=metadata,
                )
        except IntegrityError:
            raise _slug_taken(slug) from None
        return Tag.from_row(row)

    @strawberry.mutation(
        description="Change a tag; a new name gives it a new slug, derived from the name, unless one is given."
    )
    async def update_tag(self, info: strawberry.Info, input: UpdateTagInput) -> Tag:
        ctx = context_of(info)
        changes: dict[str, Any] = {}
        if input.name is not None:
            changes["name"] = validation.tag_name(input.name)
        if input.slug is not None:
            changes["slug"] = _slug(input.slug)
        elif "name" in changes:
            changes["slug"] = _slug(changes["name"])  # as upstream: a renamed tag's slug follows its name
        if input.description is not None:
            changes["description"] = validation.optional_text(input.description)
        if input.metadata is not None:
            changes["metadata_"] = validation.json_object(input.metadata, "metadata")
        tenant_id = ctx.actor.tenant_id
        try:
            async with ctx.sessions.write() as session:
                if "slug" in changes:
                    holder = await tag_queries.tag_with_slug(session, tenant_id, changes["slug"])
                    if holder is not None and holder.id != input.id:
                        raise _slug_taken(changes["slug"])
                row = await tag_queries.update_tag(session, tenant_id, input.id, changes)
                if row is None:
                    raise not_found(f"Tag {input.id} not found; it may have been deleted")
                boards = await tag_queries.boards_with_tag(session, row.id) if "name" in changes else []
        except IntegrityError:
            raise _slug_taken(changes.get("slug", "")) from None
        for board_id in boards:  # the open boards that show the tag show its new name
            await ctx.services.events.publish(
                BoardEvent("tag", str(board_id), tag_id=str(row.id), tag_name=row.name, tag_slug=row.slug)
            )
        return Tag.from_row(row)

    @strawberry.mutation(description="Delete a tag; it comes off every generation that had it.")
    async def delete_tag(self, info: strawberry.Info, id: uuid.UUID) -> bool:
        ctx = context_of(info)
        async with ctx.sessions.write() as session:
            deleted = await tag_queries.delete_tag(session, ctx.actor.tenant_id, id)
        if not deleted:
            raise not_found(f"Tag {id} not found; it may have been deleted")
        return True

    @strawberry.mutation(description="Put a tag on a generation (editor or above); doing it twice changes nothing.")
    async def add_tag_to_generation(self, info: strawberry.Info, generation_id: uuid.UUID, tag_id: uuid.UUID) -> Tag:
        ctx = context_of(info)
        generation = await _taggable_generation(ctx, generation_id, "tag generations")
        try:
            async with ctx.sessions.write() as session:
                tag = await _existing_tag(session, ctx, tag_id)
                # Taken now: a rollback below would expire the row's attributes.
                answer = Tag.from_row(tag)
                if not await tag_queries.has_tag_link(session, generation.id, tag.id):
                    await tag_queries.insert_tag_link(session, generation.id, tag.id)
        except IntegrityError:
            pass  # the same link was made in the same instant: the outcome we wanted
        ctx.loaders.forget_tags(generation.id)
        return answer

    @strawberry.mutation(description="Take a tag off a generation (editor or above).")
    async def remove_tag_from_generation(
        self, info: strawberry.Info, generation_id: uuid.UUID, tag_id: uuid.UUID
    ) -> bool:
        ctx = context_of(info)
        generation = await _taggable_generation(ctx, generation_id, "untag generations")
        async with ctx.sessions.write() as session:
            tag = await _existing_tag(session, ctx, tag_id)
            removed = await tag_queries.delete_tag_link(session, generation.id, tag.id)
        if not removed:
            raise not_found(f"Tag '{tag.slug}' is not on generation {generation_id}; there is nothing to remove")
        ctx.loaders.forget_tags(generation.id)
        return True

    @strawberry.mutation(
        description="Put a tag on generations, up to 1,000 at once (editor or above on each board); those that "
        "have it keep it. All or nothing."
    )
    async def add_tag_to_generations(
        self, info: strawberry.Info, generation_ids: list[uuid.UUID], tag_id: uuid.UUID
    ) -> Tag:
        ctx = context_of(info)
        ids = await _taggable_generations(ctx, generation_ids, "tag generations", "no tag was added")
        try:
            async with ctx.sessions.write() as session:
                tag = await _existing_tag(session, ctx, tag_id)
                answer = Tag.from_row(tag)
                await tag_queries.insert_tag_links_many(session, ids, tag.id)
        except IntegrityError:
            raise not_found("A generation or the tag was deleted meanwhile; no tag was added") from None
        for generation_id in ids:
            ctx.loaders.forget_tags(generation_id)
        return answer

    @strawberry.mutation(
        description="Take a tag off generations, up to 1,000 at once (editor or above on each board); those "
        "without it are left as they are."
    )
    async def remove_tag_from_generations(
        self, info: strawberry.Info, generation_ids: list[uuid.UUID], tag_id: uuid.UUID
    ) -> bool:
        ctx = context_of(info)
        ids = await _taggable_generations(ctx, generation_ids, "untag generations", "no tag was removed")
        async with ctx.sessions.write() as session:
            tag = await _existing_tag(session, ctx, tag_id)
            await tag_queries.delete_tag_links_many(session, ids, tag.id)
        for generation_id in ids:
            ctx.loaders.forget_tags(generation_id)
        return True


async def _taggable_generations(
    ctx: RequestContext, generation_ids: list[uuid.UUID], action: str, nothing_done: str
) -> list[uuid.UUID]:
    ids = validation.bulk_ids(generation_ids, "generationIds")
    for row, board in await existing_generations(ctx, ids, nothing_done=nothing_done):
        try:
            await ctx.permissions.require(board, "editor", action)
        except ApiError as exc:
            raise all_or_nothing(exc, row.id, nothing_done) from None
    return ids


async def _taggable_generation(ctx: RequestContext, generation_id: uuid.UUID, action: str) -> GenerationRecord:
    generation, board = await existing_generation(ctx, generation_id)
    await ctx.permissions.require(board, "editor", action)
    return generation


async def _existing_tag(session: AsyncSession, ctx: RequestContext, tag_id: uuid.UUID) -> models.Tag:
    tag = await tag_queries.get_tag(session, ctx.actor.tenant_id, tag_id)
    if tag is None:
        raise not_found(f"Tag {tag_id} not found; it may have been deleted")
    return tag


def _slug(text: str) -> str:
    slug = tag_queries.slugify(text)
    if not slug:
        raise bad_input(f"'{text}' makes an empty slug; use letters or digits (a-z, 0-9) in the tag's name or slug")
    if len(slug) > validation.MAX_TAG_NAME_LENGTH:
        raise bad_input(f"The slug is {len(slug)} characters long; use at most {validation.MAX_TAG_NAME_LENGTH}")
    return slug


def _slug_taken(slug: str) -> Exception:
    return conflict(f"Tag with slug '{slug}' already exists")
