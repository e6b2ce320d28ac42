"""What a running generator may ask of the app: its inputs' files, a place for its results,
progress, and somewhere to keep the remote job's id.

The job runner gives each job one `GeneratorContext`. Results go straight into the media store
(remote outputs expire, so they are fetched at once); the generation row is finished by the runner
when `generate` returns, in one transaction with any sibling outputs.

A result's `source` is what the generator has in hand: an `http(s)` URL (downloaded), a `data:`
URL, raw `bytes`, or a local `Path` (copied).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boards_desktop.generators.artifacts import (
    AudioArtifact,
    DigitalArtifact,
    ImageArtifact,
    TextArtifact,
    VideoArtifact,
)
from boards_desktop.generators.progress import ProgressUpdate

if TYPE_CHECKING:
    import httpx

ResultSource = str | bytes | Path


class GeneratorContext(ABC):
    generation_id: str
    board_id: str
    tenant_id: str
    user_id: str
    external_job_id: str | None  # the id saved by set_external_job_id, on a resumed job

    @property
    @abstractmethod
    def http(self) -> httpx.AsyncClient:
        """The app's shared HTTP client (providers are given it; tests point it at fakes)."""

    @abstractmethod
    async def resolve_artifact(self, artifact: DigitalArtifact) -> Path:
        """The local file of an input artifact (a text artifact's content is in the model)."""

    @abstractmethod
    async def store_image_result(
        self,
        source: ResultSource,
        format: str,
        width: int | None = None,
        height: int | None = None,
        output_index: int = 0,
    ) -> ImageArtifact: ...

    @abstractmethod
    async def store_video_result(
        self,
        source: ResultSource,
        format: str,
        width: int | None = None,
        height: int | None = None,
        duration: float | None = None,
        fps: float | None = None,
        output_index: int = 0,
    ) -> VideoArtifact: ...

    @abstractmethod
    async def store_audio_result(
        self,
        source: ResultSource,
        format: str,
        duration: float | None = None,
        sample_rate: int | None = None,
        channels: int | None = None,
        output_index: int = 0,
    ) -> AudioArtifact: ...

    @abstractmethod
    async def store_text_result(self, content: str, format: str = "plain", output_index: int = 0) -> TextArtifact:
        """Kept whole (upstream cut text results to 50 characters)."""

    @abstractmethod
    async def publish_progress(
        self, update: ProgressUpdate | float, message: str | None = None, phase: str | None = None
    ) -> None:
        """Report progress: a `ProgressUpdate`, or a number 0..1 with an optional message and phase."""

    def add_output_metadata(self, output_index: int, values: dict[str, Any]) -> None:
        """Keep `values` (JSON) in the output's `outputMetadata` beside the media facts: how an engine
        made it (its seed, sampler, model). A context that keeps no such record ignores them."""

    @abstractmethod
    async def set_external_job_id(self, external_job_id: str) -> None:
        """Save the remote job's id before waiting on it, so a restart can resume it."""
