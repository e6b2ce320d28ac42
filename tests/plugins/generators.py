"""Generators for tests, loaded by the app through `BOARDS_GENERATOR_MODULES` like an artist's own.

They use the public plugin API only. `held` jobs never start in tests (the harness sets that
provider's concurrency to 0), so a generation stays `pending` as long as a test needs it to.
Behaviour that a test must observe from outside (runs, remote cancels) is written to a log file
named by `BOARDS_TEST_GENERATOR_LOG`, so that it survives a server killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import time
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field

from boards_desktop.generators import (
    BaseGenerator,
    GeneratorContext,
    GeneratorError,
    GeneratorResult,
    ImageArtifact,
    TransientError,
    VideoArtifact,
)


def record(event: str, **fields: Any) -> None:
    path = os.environ.get("BOARDS_TEST_GENERATOR_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"event": event, "at": time.time(), **fields}) + "\n")


def read_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def png_bytes(colour: str = "#3366cc", size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


class OpenInputs(BaseModel):
    """Anything goes, plus optional image slots: for tests of storage and lineage, not of validation."""

    model_config = ConfigDict(extra="allow")
    prompt: str | None = None
    image: ImageArtifact | None = None
    images: list[ImageArtifact] | None = None


class _Held(BaseGenerator):
    provider = "held"
    description = "Never runs in tests: its provider's concurrency is 0."

    def get_input_schema(self) -> type[BaseModel]:
        return OpenInputs

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        raise GeneratorError("held generators do not run")


class HeldImage(_Held):
    name = "test-generator"
    artifact_type = "image"


class HeldVideo(_Held):
    name = "test-video"
    artifact_type = "video"


class HeldAudio(_Held):
    name = "test-audio"
    artifact_type = "audio"


class FastInputs(BaseModel):
    prompt: str = "fast"
    colour: str = Field("#3366cc", pattern=r"^#[0-9a-fA-F]{6}$")
    image: ImageArtifact | None = None


class Fast(BaseGenerator):
    name = "test-fast"
    artifact_type = "image"
    description = "Stores a tiny image at once."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return FastInputs

    async def generate(self, inputs: FastInputs, context: GeneratorContext) -> GeneratorResult:
        return GeneratorResult(outputs=[await context.store_image_result(_fast_png(inputs.colour), "png")])


@lru_cache(maxsize=16)
def _fast_png(colour: str) -> bytes:
    """The same few bytes for every job of a colour: the queue's cost is measured, not Pillow's drawing."""
    return png_bytes(colour)


class SlowInputs(BaseModel):
    steps: int = Field(10, ge=1, le=10_000)
    delay: float = Field(0.05, ge=0, le=60)


class Slow(BaseGenerator):
    name = "test-slow"
    artifact_type = "image"
    description = "Reports progress step by step, then stores an image."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return SlowInputs

    async def generate(self, inputs: SlowInputs, context: GeneratorContext) -> GeneratorResult:
        record("start", generation_id=context.generation_id)
        for step in range(inputs.steps):
            await asyncio.sleep(inputs.delay)
            await context.publish_progress((step + 1) / inputs.steps, f"step {step + 1} of {inputs.steps}")
        artifact = await context.store_image_result(png_bytes(), "png")
        record("done", generation_id=context.generation_id)
        return GeneratorResult(outputs=[artifact])


class FlakyInputs(BaseModel):
    failures: int = Field(2, ge=0)
    retry_after: float = 0.05


class Flaky(BaseGenerator):
    """Fails transiently `failures` times per generation, then succeeds."""

    name = "test-flaky"
    artifact_type = "image"
    provider = "test"
    attempts: ClassVar[dict[str, int]] = {}

    def get_input_schema(self) -> type[BaseModel]:
        return FlakyInputs

    async def generate(self, inputs: FlakyInputs, context: GeneratorContext) -> GeneratorResult:
        seen = self.attempts.get(context.generation_id, 0) + 1
        self.attempts[context.generation_id] = seen
        if seen <= inputs.failures:
            raise TransientError(f"the service is busy (attempt {seen})", retry_after=inputs.retry_after)
        return GeneratorResult(outputs=[await context.store_image_result(png_bytes(), "png")])


class Broken(BaseGenerator):
    name = "test-broken"
    artifact_type = "image"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return OpenInputs

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        raise GeneratorError("the prompt asks for something this model cannot draw")


class Buggy(BaseGenerator):
    name = "test-buggy"
    artifact_type = "image"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return OpenInputs

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        return {}["missing"]  # a bug: KeyError


class BatchInputs(BaseModel):
    count: int = Field(3, ge=1, le=16)
    fail_after: int | None = Field(None, description="raise a permanent error after this many outputs")
    image: ImageArtifact | None = None


class Batch(BaseGenerator):
    name = "test-batch"
    artifact_type = "image"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return BatchInputs

    async def generate(self, inputs: BatchInputs, context: GeneratorContext) -> GeneratorResult:
        outputs = []
        for index in range(inputs.count):
            if inputs.fail_after is not None and index >= inputs.fail_after:
                raise GeneratorError(f"output {index} could not be made")
            colour = ("#aa0000", "#00aa00", "#0000aa", "#aaaa00")[index % 4]
            outputs.append(await context.store_image_result(png_bytes(colour), "png", output_index=index))
        return GeneratorResult(outputs=outputs)


class RemoteInputs(BaseModel):
    seconds: float = Field(30.0, ge=0)


class Remote(BaseGenerator):
    """Behaves like a remote service's job: an id saved first, then a wait; resumable; cancellable."""

    name = "test-remote"
    artifact_type = "image"
    provider = "test"
    cancelled: ClassVar[list[str]] = []

    def get_input_schema(self) -> type[BaseModel]:
        return RemoteInputs

    async def generate(self, inputs: RemoteInputs, context: GeneratorContext) -> GeneratorResult:
        external_id = f"remote-{context.generation_id}"
        await context.set_external_job_id(external_id)
        record("submitted", generation_id=context.generation_id, external_id=external_id)
        await asyncio.sleep(inputs.seconds)
        return GeneratorResult(outputs=[await context.store_image_result(png_bytes(), "png")])

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        record("resumed", generation_id=context.generation_id, external_id=external_job_id)
        return GeneratorResult(outputs=[await context.store_image_result(png_bytes("#00ff00"), "png")])

    async def cancel(self, external_job_id: str) -> None:
        self.cancelled.append(external_job_id)
        record("remote-cancel", external_id=external_job_id)


class Unsafe(BaseGenerator):
    """Neither resumable nor safe to run twice: after a crash its job must fail, not rerun."""

    name = "test-unsafe"
    artifact_type = "image"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return SlowInputs

    async def generate(self, inputs: SlowInputs, context: GeneratorContext) -> GeneratorResult:
        await asyncio.sleep(inputs.steps * inputs.delay)
        return GeneratorResult(outputs=[await context.store_image_result(png_bytes(), "png")])


class WriterInputs(BaseModel):
    text: str = "x" * 200


class Writer(BaseGenerator):
    name = "test-writer"
    artifact_type = "text"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return WriterInputs

    async def generate(self, inputs: WriterInputs, context: GeneratorContext) -> GeneratorResult:
        return GeneratorResult(outputs=[await context.store_text_result(inputs.text)])


class SlotsInputs(BaseModel):
    """Every artifact slot form, for the validation tests."""

    image: ImageArtifact
    mask: ImageArtifact | None = None
    references: list[ImageArtifact] = Field(default_factory=list, max_length=3)
    clip: VideoArtifact | None = None
    strength: float = Field(0.5, ge=0, le=1)


class Slots(BaseGenerator):
    name = "test-slots"
    artifact_type = "image"
    provider = "held"

    def get_input_schema(self) -> type[BaseModel]:
        return SlotsInputs

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        raise GeneratorError("held generators do not run")


class PairInputs(BaseModel):
    """Image slots with plain names, so lineage tests can tell edges apart by role."""

    model_config = ConfigDict(extra="allow")
    prompt: str | None = None
    a: ImageArtifact | None = None
    b: ImageArtifact | None = None
    more: list[ImageArtifact] | None = None


class HeldPair(_Held):
    name = "test-pair"
    artifact_type = "image"

    def get_input_schema(self) -> type[BaseModel]:
        return PairInputs


class Unavailable(BaseGenerator):
    name = "test-unavailable"
    artifact_type = "image"
    provider = "test"

    def get_input_schema(self) -> type[BaseModel]:
        return OpenInputs

    def availability(self) -> str | None:
        return "no key is set for this service; add one in Settings"

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        raise AssertionError("an unavailable generator must not run")


class LargeInputs(BaseModel):
    megabytes: int = Field(1, ge=1, le=64)


class Large(BaseGenerator):
    name = "test-large"
    artifact_type = "text"
    description = "Stores a text result of the given size (a disk filled by a job)."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return LargeInputs

    async def generate(self, inputs: LargeInputs, context: GeneratorContext) -> GeneratorResult:
        line = "All work and no play.\n"
        content = line * (inputs.megabytes * 1024 * 1024 // len(line))
        return GeneratorResult(outputs=[await context.store_text_result(content)])


GENERATORS = [
    HeldImage,
    HeldVideo,
    HeldAudio,
    Fast,
    Slow,
    Flaky,
    Broken,
    Buggy,
    Batch,
    Remote,
    Unsafe,
    Writer,
    Slots,
    Unavailable,
    HeldPair,
    Large,
]


class Mood(str, Enum):
    calm = "calm"
    bright = "bright"
    stormy = "stormy"


class Finish(str, Enum):
    matte = "matte"
    gloss = "gloss"


class EveryControlInputs(BaseModel):
    """One field of every kind the composer's form builds a control for."""

    prompt: str = Field(..., description="What to draw.")
    title: str = Field("Untitled", max_length=40, description="A short name for the result.")
    steps: int = Field(20, ge=1, le=50, description="How many steps to take.")
    guidance: float = Field(7.5, description="How closely to follow the prompt.")
    tiled: bool = Field(False, description="Make the result tile seamlessly.")
    mood: Mood = Field(Mood.calm, description="The overall mood.")
    finish: Finish | None = Field(None, description="A surface finish; leave empty for none.")
    seed: int | None = Field(None, ge=0, description="Leave empty for a random seed.")
    keywords: list[str] = Field(default_factory=list, description="Words to steer the style.")
    moods: list[Mood] = Field(default_factory=list, description="Extra moods to blend in.")
    image: ImageArtifact | None = Field(None, description="A starting image.")
    references: list[ImageArtifact] = Field(default_factory=list, max_length=4, description="Images to borrow from.")


class EveryControl(_Held):
    name = "test-every-control"
    artifact_type = "image"
    description = "Takes one input of every kind; never runs in tests."

    def get_input_schema(self) -> type[BaseModel]:
        return EveryControlInputs


GENERATORS.append(EveryControl)


class SeededInputs(BaseModel):
    prompt: str = "seeded"
    seed: int | None = Field(None, ge=0, le=1_000_000, description="Leave empty for a random seed.")


class Seeded(BaseGenerator):
    """For "rerun with a new seed": a generator whose inputs have a `seed`; stores a tiny image at once."""

    name = "test-seeded"
    artifact_type = "image"
    description = "Takes a seed; stores a tiny image at once."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return SeededInputs

    async def generate(self, inputs: SeededInputs, context: GeneratorContext) -> GeneratorResult:
        colour = f"#{((inputs.seed or 0) * 2654435761 + 0x406080) % 0xFFFFFF:06x}"  # seeds far apart in colour
        return GeneratorResult(outputs=[await context.store_image_result(png_bytes(colour), "png")])


GENERATORS.append(Seeded)


class SeededShapeInputs(BaseModel):
    prompt: str = "seeded"
    seed: int | None = Field(None, ge=0, le=1_000_000, description="Leave empty for a random seed.")
    width: int = Field(64, ge=8, le=2048)
    height: int = Field(64, ge=8, le=2048)


class SeededShape(BaseGenerator):
    """A seeded generator whose pictures have the proportions asked for: tiles in rows of any shape
    that offer every quick action (rerun, rerun with a new seed, use as input)."""

    name = "test-seeded-shape"
    artifact_type = "image"
    description = "Takes a seed and a size; stores a plain picture of that size at once."
    provider = "test"
    rerun_safe = True

    def get_input_schema(self) -> type[BaseModel]:
        return SeededShapeInputs

    async def generate(self, inputs: SeededShapeInputs, context: GeneratorContext) -> GeneratorResult:
        colour = f"#{((inputs.seed or 0) * 2654435761 + 0x406080) % 0xFFFFFF:06x}"
        buffer = io.BytesIO()
        Image.new("RGB", (inputs.width, inputs.height), colour).save(buffer, "PNG")
        stored = await context.store_image_result(buffer.getvalue(), "png", width=inputs.width, height=inputs.height)
        return GeneratorResult(outputs=[stored])


GENERATORS.append(SeededShape)
