"""The mutations' input objects, with the upstream defaults."""

from __future__ import annotations

import uuid

import strawberry
from strawberry.scalars import JSON

from boards_desktop.graphql.enums import ArtifactType, BoardRole


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
    user_id: uuid.UUID
    role: BoardRole = BoardRole.VIEWER


@strawberry.input
class CreateGenerationInput:
    board_id: uuid.UUID
    generator_name: str
    artifact_type: ArtifactType
    input_params: JSON


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
