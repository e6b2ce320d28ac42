"""The generator plugin API (compatible with upstream's) and the registry of generators."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
_HOMES = {
    "AudioArtifact": "artifacts",
    "DigitalArtifact": "artifacts",
    "ImageArtifact": "artifacts",
    "TextArtifact": "artifacts",
    "VideoArtifact": "artifacts",
    "BaseGenerator": "base",
    "GeneratorResult": "base",
    "GeneratorContext": "context",
    "GeneratorError": "errors",
    "GeneratorUnavailable": "errors",
    "TransientError": "errors",
    "ProgressUpdate": "progress",
}


def __getattr__(name: str) -> Any:
    # Imported on first use, not with the package: the artifacts bring pydantic, and the GraphQL
    # schema reads only the light modules here (naming, registry) before the server's first answer.
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"boards_desktop.generators.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
