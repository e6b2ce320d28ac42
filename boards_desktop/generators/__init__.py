"""The generator plugin API (compatible with upstream's) and the registry of generators."""

from boards_desktop.generators.artifacts import (
    AudioArtifact,
    DigitalArtifact,
    ImageArtifact,
    TextArtifact,
    VideoArtifact,
)
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError, GeneratorUnavailable, TransientError
from boards_desktop.generators.progress import ProgressUpdate

__all__ = [
    "AudioArtifact",
    "BaseGenerator",
    "DigitalArtifact",
    "GeneratorContext",
    "GeneratorError",
    "GeneratorResult",
    "GeneratorUnavailable",
    "ImageArtifact",
    "ProgressUpdate",
    "TextArtifact",
    "TransientError",
    "VideoArtifact",
]
