"""Artifact inputs of a generator: which fields of its input model take media, and of what type.

A field typed `ImageArtifact`, `ImageArtifact | None`, `list[ImageArtifact]` or
`list[ImageArtifact] | None` (likewise Video, Audio, Text) is an artifact slot. Clients send a
generation id (or a list of ids) in such a field; the app checks them and hands the generator
artifact models. Upstream never resolved the optional and list forms: here every form is a slot.
A field with an alias (a model made from a service's schema) is a slot under its alias, the name
clients send.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from boards_desktop.generators.artifacts import DigitalArtifact, artifact_type_of


@dataclass(frozen=True)
class ArtifactSlot:
    field: str
    artifact_type: str  # image | video | audio | text
    many: bool  # a list of artifacts
    required: bool


def artifact_slots(model: type[BaseModel]) -> dict[str, ArtifactSlot]:
    slots: dict[str, ArtifactSlot] = {}
    for name, info in model.model_fields.items():
        found = _artifact_class(info.annotation)
        if found is not None:
            cls, many = found
            key = info.alias or name
            slots[key] = ArtifactSlot(key, artifact_type_of(cls), many, info.is_required())
    return slots


def _artifact_class(annotation: Any) -> tuple[type[DigitalArtifact], bool] | None:
    """(artifact class, is a list) for a slot's annotation, or None for any other field."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _artifact_class(members[0]) if len(members) == 1 else None
    if origin in (list, tuple, typing.Sequence, set):
        args = typing.get_args(annotation)
        inner = _artifact_class(args[0]) if args else None
        return (inner[0], True) if inner is not None and not inner[1] else None
    if isinstance(annotation, type) and issubclass(annotation, DigitalArtifact):
        return annotation, False
    return None
