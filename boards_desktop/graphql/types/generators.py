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
    provider: str = strawberry.field(description="Who runs it (`local`, `openai`, ...); concurrency is per provider.")
    available: bool = strawberry.field(description="False when it cannot run here; see unavailableReason.")
    unavailable_reason: str | None = strawberry.field(
        description="Why it cannot run (a missing key, an engine that does not answer), in words an artist can act on."
    )
    display_name: str = strawberry.field(
        default="",
        description="What an artist calls it (`Title card`); `name` stays the id scripts use.",
    )
    icon: str = strawberry.field(
        default="",
        description="The drawing the page shows beside it: `title`, `resize`, `adjust`, `grid`, `frame`, `edit`, "
        "`speech`, or its artifact type (`image`, `video`, `audio`, `text`).",
    )
