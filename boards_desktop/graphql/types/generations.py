"""Generation, its extra files and the inputs it was made from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from boards_desktop.api.media_urls import MediaUrls
from boards_desktop.db.queries.lineage import parse_input_artifacts
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, context_of
from boards_desktop.graphql.enums import ArtifactType, GenerationStatus
from boards_desktop.graphql.lookups import readable_generation
from boards_desktop.graphql.types.boards import Board, load_user
from boards_desktop.graphql.types.lineage import AncestryNode, DescendantNode, build_ancestry, build_descendants
from boards_desktop.graphql.types.tags import Tag
from boards_desktop.graphql.types.users import User

_ARTIFACT_TYPES = {member.value for member in ArtifactType}
_AS_STORED = MediaUrls.as_stored()


@strawberry.type
class AdditionalFile:
    url: str
    type: str
    metadata: JSON


@strawberry.type
class ArtifactLineage:
    generation_id: uuid.UUID
    role: str
    artifact_type: ArtifactType

    @strawberry.field(description="The input generation; null when it is gone or you may not read it.")
    async def generation(self, info: strawberry.Info) -> Generation | None:
        ctx = context_of(info)
        row = await readable_generation(ctx, self.generation_id)
        return None if row is None else Generation.from_row(row, ctx)


@strawberry.type
class Generation:
    id: uuid.UUID
    tenant_id: uuid.UUID
    board_id: uuid.UUID
    user_id: uuid.UUID
    generator_name: str
    artifact_type: ArtifactType
    # Absolute and signed for the request's client (api.media_urls); the database keeps /api/storage/<key>.
    storage_url: str | None = strawberry.field(
        description="The file's absolute URL, signed: a tag can load it without the token."
    )
    thumbnail_url: str | None = strawberry.field(description="The thumbnail's absolute URL, signed like storageUrl.")
    additional_files: list[AdditionalFile]
    input_params: JSON
    output_metadata: JSON
    external_job_id: str | None
    status: GenerationStatus
    progress: float = strawberry.field(description="0 to 100.")
    error_message: str | None
    started_at: datetime | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    raw_input_artifacts: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: GenerationRecord, ctx: RequestContext | None = None) -> Generation:
        """The generation as sent; with a context, later lookups of it in this request cost nothing."""
        if ctx is not None:
            ctx.loaders.generations.prime(row.id, row)
        # Computed here rather than in resolvers: a resolver per URL costs more than the URL (a board page has 100).
        urls = ctx.media_urls if ctx is not None else _AS_STORED
        return cls(
            id=row.id,
            tenant_id=row.tenant_id,
            board_id=row.board_id,
            user_id=row.user_id,
            generator_name=row.generator_name,
            artifact_type=ArtifactType(row.artifact_type),
            storage_url=urls(row.storage_url),
            thumbnail_url=urls(row.thumbnail_url),
            additional_files=_additional_files(row.additional_files, urls),
            input_params=row.input_params if row.input_params is not None else {},
            output_metadata=row.output_metadata if row.output_metadata is not None else {},
            external_job_id=row.external_job_id,
            status=GenerationStatus(row.status),
            progress=float(row.progress or 0),
            error_message=row.error_message,
            started_at=row.started_at,
            completed_at=row.completed_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            raw_input_artifacts=row.input_artifacts,
        )

    @strawberry.field
    async def board(self, info: strawberry.Info) -> Board:
        ctx = context_of(info)
        row = await ctx.loaders.boards.load(self.board_id)
        if row is None:
            raise LookupError(f"board {self.board_id} of generation {self.id} is missing")
        return Board.from_row(row)

    @strawberry.field
    async def user(self, info: strawberry.Info) -> User:
        return await load_user(info, self.user_id)

    @strawberry.field
    def input_artifacts(self) -> list[ArtifactLineage]:
        return [
            ArtifactLineage(
                generation_id=artifact.generation_id,
                role=artifact.role,
                artifact_type=ArtifactType(artifact.artifact_type),
            )
            for artifact in parse_input_artifacts(self.raw_input_artifacts)
            if artifact.artifact_type in _ARTIFACT_TYPES
        ]

    @strawberry.field(description="This generation and, level by level, the generations it was made from.")
    async def ancestry(self, info: strawberry.Info, max_depth: int = 25) -> AncestryNode:
        return await build_ancestry(context_of(info), self, validation.lineage_depth(max_depth))

    @strawberry.field(description="This generation and, level by level, the generations made from it.")
    async def descendants(self, info: strawberry.Info, max_depth: int = 25) -> DescendantNode:
        return await build_descendants(context_of(info), self, validation.lineage_depth(max_depth))

    @strawberry.field
    async def tags(self, info: strawberry.Info) -> list[Tag]:
        rows = await context_of(info).loaders.tags.load(self.id)
        return [Tag.from_row(row) for row in rows]

    @strawberry.field(description="Whether you starred it (favourites are yours alone).")
    async def is_favourite(self, info: strawberry.Info) -> bool:
        return await context_of(info).loaders.favourites.load(self.id)

    @strawberry.field(description="inputParams.prompt when it is a string; null otherwise.")
    def prompt(self) -> str | None:
        value = self.input_params.get("prompt") if isinstance(self.input_params, dict) else None
        return value if isinstance(value, str) else None


def _additional_files(raw: Any, urls: MediaUrls) -> list[AdditionalFile]:
    if not isinstance(raw, list):
        return []
    return [
        AdditionalFile(
            url=urls(str(item.get("url", ""))) or "",
            type=str(item.get("type", "")),
            metadata=JSON(item.get("metadata") or {}),
        )
        for item in raw
        if isinstance(item, dict)
    ]
