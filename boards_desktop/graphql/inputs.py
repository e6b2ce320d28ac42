"""The mutations' input objects, with the upstream defaults."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.scalars import JSON

from boards_desktop.graphql.enums import ArtifactType, BoardRole, GenerationStatus


@strawberry.input
class CreateBoardInput:
    title: str
    description: str | None = None
    is_public: bool = False
    settings: JSON | None = None


@strawberry.input
class UpdateBoardInput:
    id: uuid.UUID
    title: str | None = None
    description: str | None = None
    is_public: bool | None = None
    settings: JSON | None = None


@strawberry.input
class AddBoardMemberInput:
    board_id: uuid.UUID
    user_id: uuid.UUID | None = strawberry.field(default=None, description="The user; or give their email.")
    role: BoardRole = BoardRole.VIEWER
    email: str | None = strawberry.field(default=None, description="The user's email, instead of userId.")


@strawberry.input
class CreateGenerationInput:
    board_id: uuid.UUID
    generator_name: str
    artifact_type: ArtifactType
    input_params: JSON
    prompt_from: uuid.UUID | None = strawberry.field(
        default=None,
        description="The text generation the prompt came from (the prompt assistant's): recorded in the lineage.",
    )


@strawberry.input
class UploadArtifactInput:
    board_id: uuid.UUID
    artifact_type: ArtifactType
    file_url: str | None = None
    original_filename: str | None = None
    user_description: str | None = None
    parent_generation_id: uuid.UUID | None = None


@strawberry.input
class CreateTagInput:
    name: str
    slug: str | None = None
    description: str | None = None
    metadata: JSON | None = None


@strawberry.input
class UpdateTagInput:
    id: uuid.UUID
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    metadata: JSON | None = None


@strawberry.input(
    description="Which generations of a board to show. Parts combine (all must hold); a part left out or empty "
    "leaves that side open."
)
class GenerationFilter:
    artifact_types: list[ArtifactType] | None = strawberry.field(default=None, description="Any of these types.")
    statuses: list[GenerationStatus] | None = strawberry.field(default=None, description="Any of these statuses.")
    favourites_only: bool | None = strawberry.field(default=False, description="Only the ones you starred.")
    tag_ids: list[uuid.UUID] | None = strawberry.field(default=None, description="Any of these tags.")
    generator_names: list[str] | None = strawberry.field(default=None, description="Any of these generators.")
    search: str | None = strawberry.field(
        default=None,
        description="Words found in the prompt or the other text inputs (inputParams), in any case; every word must "
        "be found, as a whole word or a part of one ('light' finds 'lighthouse').",
    )
