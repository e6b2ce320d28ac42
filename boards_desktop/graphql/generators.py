"""The `generators` query's source: the app's generator registry, with each one's availability."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from boards_desktop.generators.naming import display_name_of, icon_of
from boards_desktop.generators.registry import availability_of
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
        listed.append(generator_info(generator))
    return sorted(listed, key=lambda info: info.name)


def generator_info(generator: Any) -> GeneratorInfo:
    reason = availability_of(generator)
    return GeneratorInfo(
        name=generator.name,
        description=generator.description,
        artifact_type=ArtifactType(generator.artifact_type),
        input_schema=generator.get_input_schema().model_json_schema(),
        provider=generator.provider,
        available=reason is None,
        unavailable_reason=reason,
        display_name=display_name_of(generator),
        icon=icon_of(generator),
    )
