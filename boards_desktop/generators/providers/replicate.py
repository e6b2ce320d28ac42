"""Replicate's generators: a curated few with their real inputs, and any model an artist names.

- `replicate-flux-schnell`: Black Forest Labs' FLUX.1 [schnell] (`black-forest-labs/flux-schnell`),
  text to image in a few seconds; up to 4 images per run, each a generation of its own.
- `replicate-kling-video`: Kuaishou's Kling v2.1 (`kwaivgi/kling-v2.1`), a 5 or 10 second video
  that starts from an image (720p standard, 1080p pro, 24 fps; pro can also end on a given image).
- `replicate/<owner>/<name>`: any model by name (`addModelGenerator`), its form made from the
  version's input schema and pinned to that version (boards_desktop.providers.replicate_models).

All of them: the prediction's id is saved as soon as Replicate gives it (so a restart, or a retry
after a failed poll, picks the same prediction up instead of paying again), `cancel` reaches
Replicate, and outputs are downloaded into the media store at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from boards_desktop.generators.artifacts import DigitalArtifact, ImageArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.input_slots import artifact_slots
from boards_desktop.generators.providers.model import ModelGenerator
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.replicate import ReplicateProvider, Target
from boards_desktop.providers.replicate_models import file_urls, text_of

# The longest a prediction may run on Replicate is 30 minutes; a cold boot comes on top.
_REPLICATE_DEADLINE_SECONDS = 30 * 60 + 10 * 60


class ReplicateRuns(RemoteGenerator):
    """Running, resuming, cancelling and storing a prediction; subclasses say what and with which input."""

    provider = "replicate"
    rerun_safe = False  # every prediction is paid for: an interrupted one without an id is not run again
    timeout_seconds = float(_REPLICATE_DEADLINE_SECONDS)
    wait_seconds: int = 0  # `Prefer: wait=N` on create (0: answer at once, then poll)
    service: ReplicateProvider

    def target(self) -> Target:
        raise NotImplementedError

    async def replicate_input(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        raise NotImplementedError

    def output_schema(self) -> dict[str, Any] | None:
        return None

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        if context.external_job_id:  # an earlier attempt created the prediction: follow it, never pay twice
            return await self.resume(context.external_job_id, context)
        payload = await self.replicate_input(inputs, context)
        output = await self.follow(self.service.run(self.target(), payload, wait=self.wait_seconds), context)
        return await self.store(output, context)

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        output = await self.follow(self.service.resume(external_job_id), context)
        return await self.store(output, context)

    async def cancel(self, external_job_id: str) -> None:
        await self.service.cancel_prediction(external_job_id)

    async def store(self, output: dict[str, Any], context: GeneratorContext) -> GeneratorResult:
        value = output.get("output")
        took = output.get("predict_time")
        done = f"Replicate made it in {took:.1f} s" if isinstance(took, (int, float)) else "Replicate made it"
        if self.artifact_type == "text":
            text = text_of(value, self.output_schema())
            if not text:
                raise GeneratorError("the model finished on Replicate without any text")
            await context.publish_progress(0.95, f"{done}; saving", phase="finalizing")
            return GeneratorResult(outputs=[await context.store_text_result(text)])
        urls = file_urls(value)
        if not urls:
            raise GeneratorError(f"the model finished on Replicate without any {self.artifact_type} file")
        artifacts: list[DigitalArtifact] = []
        for index, url in enumerate(urls):
            what = "the result" if len(urls) == 1 else f"result {index + 1} of {len(urls)}"
            await context.publish_progress(0.92 + 0.07 * index / len(urls), f"{done}; saving {what}", "finalizing")
            source = await self.service.fetch_output(url)
            artifacts.append(await _store(context, self.artifact_type, source, _format_of(url), index))
        return GeneratorResult(outputs=artifacts)

    async def input_urls(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        """The artifact slots of `inputs` as URLs Replicate can read (small files inline, others uploaded)."""
        urls: dict[str, Any] = {}
        for name in artifact_slots(type(inputs)):
            value = getattr(inputs, name, None)
            if isinstance(value, list):
                urls[name] = [await self.service.input_url(await context.resolve_artifact(item)) for item in value]
            elif value is not None:
                urls[name] = await self.service.input_url(await context.resolve_artifact(value))
        return urls


# -- FLUX.1 [schnell] -----------------------------------------------------------------------------

AspectRatio = Literal["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"]


class FluxSchnellInput(BaseModel):
    """The inputs of `black-forest-labs/flux-schnell`, with its own names, defaults and bounds."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(..., min_length=1, title="Prompt", description="What the image shows, in your words.")
    aspect_ratio: AspectRatio = Field(
        "1:1", title="Aspect ratio", description="The shape of the image, width to height."
    )
    num_outputs: int = Field(
        1, ge=1, le=4, title="Number of images", description="Each one is a generation of its own."
    )
    num_inference_steps: int = Field(
        4, ge=1, le=4, title="Steps", description="4 is recommended; fewer are faster and rougher."
    )
    seed: int | None = Field(
        None, title="Seed", description="The same seed and inputs give the same image; empty: random."
    )
    output_format: Literal["webp", "jpg", "png"] = Field(
        "webp",
        title="File format",
        description="The file format of the images.",
        json_schema_extra=form_hints(labels={"webp": "WebP", "jpg": "JPEG", "png": "PNG"}),
    )
    output_quality: int = Field(
        80,
        ge=0,
        le=100,
        title="Quality",
        description="100 is the best.",
        json_schema_extra=form_hints(unit="%", visible_when={"output_format": ["webp", "jpg"]}),
    )
    disable_safety_checker: bool = Field(
        False, title="Turn off the safety checker", description="Images are not checked for unsafe content."
    )
    go_fast: bool = Field(
        True, title="Go fast", description="Faster predictions (fp8 quantized); off runs the original bf16."
    )
    megapixels: Literal["1", "0.25"] = Field(
        "1",
        title="Resolution",
        description="About how many megapixels each image has.",
        json_schema_extra=form_hints(labels={"1": "1 megapixel", "0.25": "0.25 megapixel (faster)"}),
    )


class FluxSchnellGenerator(ReplicateRuns):
    name = "replicate-flux-schnell"
    display_name = "FLUX schnell"
    artifact_type = "image"
    description = "Images from your words in a few seconds: Black Forest Labs' FLUX.1 [schnell] on Replicate."
    timeout_seconds = 600.0
    # It usually finishes within a few seconds once running: a short wait often brings the finished
    # prediction back in the create answer itself, and a cold start falls back to polling.
    wait_seconds = 5

    def get_input_schema(self) -> type[BaseModel]:
        return FluxSchnellInput

    def target(self) -> Target:
        return Target(model="black-forest-labs/flux-schnell")

    async def replicate_input(self, inputs: FluxSchnellInput, context: GeneratorContext) -> dict[str, Any]:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        return inputs.model_dump(exclude_none=True)

    async def estimate_cost(self, inputs: FluxSchnellInput) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        return round(0.003 * inputs.num_outputs, 4)  # Replicate's price: $3 per 1,000 images


# -- Kling v2.1 -----------------------------------------------------------------------------------


class KlingVideoInput(BaseModel):
    """The inputs of `kwaivgi/kling-v2.1` (image to video)."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(
        ...,
        min_length=1,
        title="Prompt",
        description="What happens in the video: who moves, how, and the camera.",
    )
    start_image: ImageArtifact = Field(..., title="First frame", description="The image the video starts from.")
    negative_prompt: str = Field("", title="Negative prompt", description="Things you do not want to see in the video.")
    mode: Literal["standard", "pro"] = Field(
        "standard",
        title="Mode",
        description="Both at 24 frames a second; pro costs more.",
        json_schema_extra=form_hints(labels={"standard": "Standard, 720p", "pro": "Pro, 1080p"}),
    )
    duration: Literal[5, 10] = Field(
        5,
        title="Length",
        description="How long the video is.",
        json_schema_extra=form_hints(labels={5: "5 seconds", 10: "10 seconds"}),
    )
    end_image: ImageArtifact | None = Field(
        None,
        title="Last frame",
        description="Optional: the image the video ends on.",
        json_schema_extra=form_hints(visible_when={"mode": ["pro"]}),
    )

    @model_validator(mode="after")
    def _end_image_needs_pro(self) -> KlingVideoInput:
        if self.end_image is not None and self.mode != "pro":
            raise ValueError("end_image: a last frame needs mode pro")
        return self


class KlingVideoGenerator(ReplicateRuns):
    name = "replicate-kling-video"
    display_name = "Kling video"
    artifact_type = "video"
    description = (
        "A 5 or 10 second video that starts from your image, as you describe it: Kuaishou's Kling v2.1 on "
        "Replicate (720p, or 1080p in pro mode, which can also end on a second image)."
    )
    wait_seconds = 0  # minutes of work: waiting on the create would only delay saving the prediction's id

    def get_input_schema(self) -> type[BaseModel]:
        return KlingVideoInput

    def target(self) -> Target:
        return Target(model="kwaivgi/kling-v2.1")

    async def replicate_input(self, inputs: KlingVideoInput, context: GeneratorContext) -> dict[str, Any]:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        await context.publish_progress(0.0, "sending the images to Replicate", phase="initializing")
        payload = inputs.model_dump(exclude_none=True, exclude={"start_image", "end_image"})
        return {**payload, **await self.input_urls(inputs, context)}


# -- any model by name -----------------------------------------------------------------------------


class ReplicateModelGenerator(ReplicateRuns, ModelGenerator):
    """A model added by name: the version it was described from, with its own form (see `ModelGenerator`)."""

    def __init__(self, service: ReplicateProvider) -> None:
        super().__init__(service)
        # Videos take minutes: waiting on the create would only delay saving the prediction's id.
        self.wait_seconds = 0 if self.model.artifact_type == "video" else 5

    def target(self) -> Target:
        return Target(model=self.model.model_id, version=self.model.version)

    def output_schema(self) -> dict[str, Any] | None:
        return self.model.details.get("output_schema") or {}

    async def replicate_input(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        return await self.payload(inputs, context)

    async def media_url(self, artifact: DigitalArtifact, path: Path) -> str:
        return await self.service.input_url(path)


async def _store(context: GeneratorContext, kind: str, source: bytes | str, fmt: str, index: int) -> DigitalArtifact:
    if kind == "image":
        return await context.store_image_result(source, fmt, output_index=index)
    if kind == "video":
        return await context.store_video_result(source, fmt, output_index=index)
    if kind == "audio":
        return await context.store_audio_result(source, fmt, output_index=index)
    raise GeneratorError(f"Replicate made a file, but this generator makes {kind}")


def _format_of(url: str) -> str:
    if url.startswith("data:"):
        return url[5:].split(";", 1)[0].split("/", 1)[-1] or "bin"
    return url.split("?", 1)[0].rsplit("/", 1)[-1].rpartition(".")[2].lower() or "bin"
