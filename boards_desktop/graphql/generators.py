"""The `generators` query's source.

The generator registry arrives with the job queue: when the app's services carry one
(`services.generators`, an iterable of generators with the upstream plugin API: `name`,
`description`, `artifact_type`, `get_input_schema()`), its generators are listed here. Until then
the list is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boards_desktop.graphql.enums import ArtifactType
from boards_desktop.graphql.types.generators import GeneratorInfo
from boards_desktop.services import Services


def list_generators(services: Services, artifact_type: str | None) -> list[GeneratorInfo]:
    registry: Iterable[Any] = getattr(services, "generators", None) or ()
    wanted = artifact_type.strip().lower() if artifact_type else None
    listed = []
    for generator in registry:
        if wanted is not None and generator.artifact_type != wanted:
            continue
        listed.append(
            GeneratorInfo(
                name=generator.name,
                description=generator.description,
                artifact_type=ArtifactType(generator.artifact_type),
                input_schema=generator.get_input_schema().model_json_schema(),
            )
        )
    return sorted(listed, key=lambda info: info.name)
