"""`BaseGenerator` and `GeneratorResult`: the plugin API, kept compatible with upstream.

A generator is a class with `name`, `artifact_type` and `description`, an input model
(`get_input_schema()`), and `async generate(inputs, context)`. What upstream lacked is optional:
- `display_name` and `icon` are what the page shows ("Title card" and a drawing of type, not
  `local-title-card`); without them they are derived (boards_desktop.generators.naming);
- `cancel(external_job_id)` stops the remote job when an artist cancels (the local task is
  cancelled in any case);
- `resume(external_job_id, context)` picks a remote job up again after the app restarted,
  instead of paying for it twice;
- `availability()` says why the generator cannot run here (no key, engine not answering);
- `provider` groups generators under one concurrency limit (`concurrency_group` narrows that: each
  OpenAI-compatible endpoint has its own); `timeout_seconds` bounds a job;
- `rerun_safe` says a job interrupted by a crash may simply run again from the start.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, Field

from boards_desktop.generators.artifacts import DigitalArtifact

if TYPE_CHECKING:
    from boards_desktop.generators.context import GeneratorContext


class GeneratorResult(BaseModel):
    outputs: list[DigitalArtifact] = Field(default_factory=list)


class BaseGenerator(ABC):
    name: ClassVar[str]
    artifact_type: ClassVar[str]  # image | video | audio | text
    description: ClassVar[str] = ""
    display_name: ClassVar[str] = ""  # empty: derived from `name`
    icon: ClassVar[str] = ""  # one of naming.ICONS; empty: the artifact type's
    provider: ClassVar[str] = "local"
    timeout_seconds: ClassVar[float | None] = None  # None: the app's default job timeout
    rerun_safe: ClassVar[bool] = False

    @abstractmethod
    def get_input_schema(self) -> type[BaseModel]: ...

    @abstractmethod
    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult: ...

    async def estimate_cost(self, inputs: BaseModel) -> float:
        """The expected cost in US dollars (0 for local work)."""
        return 0.0

    async def cancel(self, external_job_id: str) -> None:
        """Stop the remote job; the default has nothing remote to stop."""

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        raise NotImplementedError

    def availability(self) -> str | None:
        """None when the generator can run; else the reason, in words an artist can act on."""
        return None

    async def refresh_availability(self) -> None:
        """Check again what `availability()` answers from a cache (an engine's reachability), before
        a job is failed for it: an engine found down a while ago, or not yet checked, may be up."""

    @property
    def concurrency_group(self) -> str:
        """The generators whose jobs share one limit of jobs at once: the provider's, unless a generator
        runs on an engine of its own (an OpenAI-compatible endpoint: `openai-compatible/<endpoint>`)."""
        return self.provider

    @property
    def can_resume(self) -> bool:
        return type(self).resume is not BaseGenerator.resume
