"""Tags: tenant-wide labels, and the links that put them on generations."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Generation, GenerationTag, Tag
from boards_desktop.db.queries.upserts import insert_ignoring_duplicates
from boards_desktop.db.rowcount import rows_changed
from boards_desktop.db.types import utcnow


def slugify(text: str) -> str:
    """The contract's slug: lower-case, spaces and underscores to '-', only [a-z0-9-], no '-' runs or ends."""
    slug = re.sub(r"[\s_]", "-", text.lower())  # any white space, as upstream did
    slug = re.sub(r"[^a-z0-9-]", "", slug)
    return re.sub(r"-{2,}", "-", slug).strip("-")


async def list_tags(session: AsyncSession, tenant_id: uuid.UUID, *, limit: int, offset: int) -> list[Tag]:
    query = select(Tag).where(Tag.tenant_id == tenant_id).order_by(Tag.name, Tag.id).limit(limit).offset(offset)
    return list(await session.scalars(query))


async def get_tag(session: AsyncSession, tenant_id: uuid.UUID, tag_id: uuid.UUID) -> Tag | None:
    return await session.scalar(
        select(Tag).where(Tag.tenant_id == tenant_id, Tag.id == tag_id).execution_options(populate_existing=True)
    )


async def tag_with_slug(session: AsyncSession, tenant_id: uuid.UUID, slug: str) -> Tag | None:
    return await session.scalar(select(Tag).where(Tag.tenant_id == tenant_id, Tag.slug == slug))


async def insert_tag(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    name: str,
    slug: str,
    description: str | None,
    metadata: dict[str, Any],
) -> Tag:
    now = utcnow()
    tag = Tag(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name=name,
        slug=slug,
        description=description,
        metadata_=metadata,
        created_at=now,
        updated_at=now,
    )
    session.add(tag)
    await session.flush()
    return tag


async def update_tag(
    session: AsyncSession, tenant_id: uuid.UUID, tag_id: uuid.UUID, changes: dict[str, Any]
) -> Tag | None:
    """Apply `changes` (attribute name to value); None when the tag is gone."""
    await session.execute(
        update(Tag)
        .where(Tag.tenant_id == tenant_id, Tag.id == tag_id)
        .values(**changes, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await get_tag(session, tenant_id, tag_id)


async def delete_tag(session: AsyncSession, tenant_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    result = await session.execute(delete(Tag).where(Tag.tenant_id == tenant_id, Tag.id == tag_id))
    return bool(rows_changed(result))


async def tags_by_generations(session: AsyncSession, generation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Tag]]:
    """Each generation's tags, by name."""
    rows = await session.execute(
        select(GenerationTag.generation_id, Tag)
        .join(Tag, Tag.id == GenerationTag.tag_id)
        .where(GenerationTag.generation_id.in_(list(generation_ids)))
        .order_by(Tag.name, Tag.id)
    )
    tags: dict[uuid.UUID, list[Tag]] = {generation_id: [] for generation_id in generation_ids}
    for generation_id, tag in rows:
        tags[generation_id].append(tag)
    return tags


async def boards_with_tag(session: AsyncSession, tag_id: uuid.UUID) -> list[uuid.UUID]:
    """The boards where some generation carries the tag (whose open pages show its name)."""
    rows = await session.scalars(
        select(Generation.board_id)
        .join(GenerationTag, GenerationTag.generation_id == Generation.id)
        .where(GenerationTag.tag_id == tag_id)
        .distinct()
    )
    return list(rows)


async def has_tag_link(session: AsyncSession, generation_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(GenerationTag.id).where(GenerationTag.generation_id == generation_id, GenerationTag.tag_id == tag_id)
    )
    return found is not None


async def insert_tag_link(session: AsyncSession, generation_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    session.add(GenerationTag(id=uuid.uuid4(), generation_id=generation_id, tag_id=tag_id, created_at=utcnow()))
    await session.flush()


async def delete_tag_link(session: AsyncSession, generation_id: uuid.UUID, tag_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(GenerationTag).where(GenerationTag.generation_id == generation_id, GenerationTag.tag_id == tag_id)
    )
    return bool(rows_changed(result))


async def insert_tag_links_many(session: AsyncSession, generation_ids: Sequence[uuid.UUID], tag_id: uuid.UUID) -> None:
    """Put a tag on many generations; those that have it keep their link."""
    if not generation_ids:
        return
    now = utcnow()
    await session.execute(
        insert_ignoring_duplicates(session, GenerationTag),
        [
            {"id": uuid.uuid4(), "generation_id": generation_id, "tag_id": tag_id, "created_at": now}
            for generation_id in generation_ids
        ],
    )


async def delete_tag_links_many(session: AsyncSession, generation_ids: Sequence[uuid.UUID], tag_id: uuid.UUID) -> int:
    """Take a tag off many generations; how many had it."""
    result = await session.execute(
        delete(GenerationTag).where(
            GenerationTag.tag_id == tag_id, GenerationTag.generation_id.in_(list(generation_ids))
        )
    )
    return int(rows_changed(result) or 0)
