"""Tag: a tenant-wide label for generations."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from boards_desktop.db import models


@strawberry.type
class Tag:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    slug: str
    description: str | None
    metadata: JSON
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: models.Tag) -> Tag:
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            name=row.name,
            slug=row.slug,
            description=row.description,
            metadata=row.metadata_ if row.metadata_ is not None else {},
            created_at=row.created_at,
            updated_at=row.updated_at,
        )
