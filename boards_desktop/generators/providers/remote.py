"""`RemoteGenerator`: a generator that is a thin definition on top of a provider.

A remote generator says which model it runs, which inputs it takes (its pydantic model) and how the
provider's output becomes artifacts; the provider (boards_desktop.providers) does the talking. It
is built with its provider instance (`self.service`; `provider`, the class attribute, stays the
provider's *name*, which is also the concurrency group of its jobs), and it is available exactly
when its provider is (a key is set, the engine answers).

`follow(statuses, context)` turns a provider's status stream into the job's progress: `submitted`
saves the remote job id before anything else (so a restart resumes instead of paying twice),
`queued` and `processing` are published, and the `completed` status's output is returned.

When `generate` raises a `TransientError` the runner calls it again. A generator whose provider
gave it a job id must then pick that job up rather than submit a new one:

    async def generate(self, inputs, context):
        if context.external_job_id:            # an earlier attempt of this run submitted it
            return await self.resume(context.external_job_id, context)
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.progress import ProgressUpdate, phase_of
from boards_desktop.providers.base import BaseProvider, Status


class RemoteGenerator(BaseGenerator):
    provider: ClassVar[str]  # the name of its provider in PROVIDERS

    def __init__(self, service: BaseProvider) -> None:
        if service.name != self.provider:
            raise ValueError(f"{type(self).__name__} runs on {self.provider}, not on {service.name}")
        self.service = service

    def availability(self) -> str | None:
        return self.service.availability()

    async def refresh_availability(self) -> None:
        await self.service.refresh_availability()

    async def follow(self, statuses: AsyncIterator[Status], context: GeneratorContext) -> dict[str, Any]:
        """Publish the stream's progress; return the output of its `completed` status."""
        progress = 0.0
        async for status in statuses:
            kind = status.get("status")
            if kind == "completed":
                return dict(status.get("output") or {})
            if kind == "submitted":
                await context.set_external_job_id(str(status["job_id"]))
            if status.get("progress") is not None:
                progress = max(0.0, min(float(status["progress"]), 1.0))
            phase = phase_of(status.get("phase"))
            await context.publish_progress(
                ProgressUpdate(
                    progress=progress, phase=phase, message=status.get("message"), preview=status.get("preview")
                )
            )
        raise GeneratorError(f"{self.service.label} stopped answering before the result was ready; try again")
