"""GeneratorInfo: what a generator makes and the inputs it takes."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from boards_desktop.graphql.enums import ArtifactType


@strawberry.type
class GeneratorInfo:
    name: str
    description: str
    artifact_type: ArtifactType
    input_schema: JSON = strawberry.field(description="The generator's pydantic input model as JSON Schema.")
