"""The artifact models of the plugin API: what generators take as inputs and produce.

Their class names are part of the contract: clients find a generator's media slots in its input
schema by `$ref` to `#/$defs/ImageArtifact` (or Video, Audio, Text), so the names stay as upstream.
"""

from __future__ import annotations

from pydantic import BaseModel


class DigitalArtifact(BaseModel):
    generation_id: str
    storage_url: str
    format: str


class ImageArtifact(DigitalArtifact):
    width: int | None = None
    height: int | None = None


class VideoArtifact(DigitalArtifact):
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None


class AudioArtifact(DigitalArtifact):
    duration: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


class TextArtifact(DigitalArtifact):
    content: str


ARTIFACT_CLASSES: dict[str, type[DigitalArtifact]] = {
    "image": ImageArtifact,
    "video": VideoArtifact,
    "audio": AudioArtifact,
    "text": TextArtifact,
}


def artifact_type_of(cls: type[DigitalArtifact]) -> str:
    for name, candidate in ARTIFACT_CLASSES.items():
        if issubclass(cls, candidate):
            return name
    raise ValueError(f"{cls.__name__} is not an artifact class")
