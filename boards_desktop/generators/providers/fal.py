"""fal.ai's generators: a curated few, and any fal endpoint added by id (`FalModelGenerator`).

Each runs one fal endpoint through fal's queue (boards_desktop.providers.fal). The request is paid
for once: its id and URLs are saved before the app waits on it, so a retried attempt or a restart
follows the same request (`resume`) instead of submitting another, and `cancel` reaches fal. An
interrupted job is never simply run again (`rerun_safe` False). Results are fetched at once (fal
keeps them an hour at most); several images make sibling generations (`output_index`).

Input files go to fal inline, as `data:` URLs, up to `MAX_INLINE_BYTES`: fal's upload service has no
stable public interface to build on, and every fal endpoint takes a data URL where it takes a file.

The curated models' input fields are fal's own, with fal's defaults and bounds (as published on each
endpoint's API page); media inputs are named for what they take (`image`) and sent under fal's name
(`image_url`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from boards_desktop.generators.artifacts import DigitalArtifact, ImageArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.providers.model import ModelGenerator, data_url
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.fal import FalProvider, FalRequest
from boards_desktop.providers.fal_openapi import OUTPUT_FIELDS, url_length_limits

MAX_INLINE_BYTES = 10 * 1024 * 1024
IMAGE_SIZES = ("square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9")
_PRESET_PIXELS = {
    "square_hd": (1024, 1024), "square": (512, 512), "portrait_4_3": (768, 1024), "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768), "landscape_16_9": (1024, 576),
}  # fmt: skip
KOKORO_VOICES = (
    "af_heart", "af_alloy", "af_aoede", "af_bella", "af_jessica", "af_kore", "af_nicole", "af_nova", "af_river",
    "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx",
    "am_puck", "am_santa",
)  # fmt: skip


def _voice_label(voice: str) -> str:
    """ "af_heart" -> "Heart (woman)": Kokoro's voices are named by accent and gender, then a name."""
    gender = {"f": "woman", "m": "man"}.get(voice[1:2], "")
    return f"{voice.split('_', 1)[1].capitalize()} ({gender})" if gender else voice


_STORE = {"image": "store_image_result", "video": "store_video_result", "audio": "store_audio_result"}


# -- shared by every fal generator ---------------------------------------------------------------


async def inline_file(path: Path) -> str:
    """An input file as fal takes it here: a `data:` URL, refused beyond the limit with the reason."""
    size = path.stat().st_size
    if size > MAX_INLINE_BYTES:
        raise GeneratorError(
            f"an input file is {size / 1_048_576:.1f} MB; the app sends files to fal.ai inline, up to "
            f"{MAX_INLINE_BYTES // 1_048_576} MB (fal's upload service has no stable public interface), so make "
            "it smaller first (resize the image, or shorten the clip)"
        )
    return await data_url(path, limit=MAX_INLINE_BYTES, service="fal.ai")


def result_files(result: dict[str, Any], artifact_type: str, field: str | None = None) -> list[dict[str, Any]]:
    """The files of fal's answer that are of `artifact_type`: fal File objects (`url`, `content_type`, ...)."""
    names = [field] if field else []
    names += [name for name in OUTPUT_FIELDS.get(artifact_type, ()) if name != field]
    for name in names:
        files = _files(result.get(name))
        if files:
            return files
    # An endpoint that names its files otherwise: any File of the right kind.
    found = []
    for value in result.values():
        found += [file for file in _files(value) if str(file.get("content_type", "")).startswith(f"{artifact_type}/")]
    return found


def _files(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str) and value.startswith(("https://", "http://", "data:")):
        return [{"url": value}]
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        return [value]
    if isinstance(value, list):
        return [item for entry in value for item in _files(entry) if not isinstance(entry, list)]
    return []


async def store_result(
    output: dict[str, Any], artifact_type: str, context: GeneratorContext, field: str | None = None
) -> GeneratorResult:
    result = output.get("result") or {}
    if artifact_type == "text":
        text = result.get(field or "text", result.get("output"))
        if not isinstance(text, str):
            raise GeneratorError("fal.ai finished without any text in its result; regenerate to try again")
        return GeneratorResult(outputs=[await context.store_text_result(text)])
    files = result_files(result, artifact_type, field)
    if not files:
        raise GeneratorError(f"fal.ai finished without any {artifact_type} in its result; regenerate to try again")
    store = getattr(context, _STORE[artifact_type])
    artifacts: list[DigitalArtifact] = []
    for index, file in enumerate(files):
        content_type = str(file.get("content_type") or "")
        fmt = content_type.split("/", 1)[1] if "/" in content_type else "bin"
        artifacts.append(await store(file["url"], fmt, output_index=index))
    return GeneratorResult(outputs=artifacts)


class _FalRun(RemoteGenerator):
    """What every fal generator does with a request: follow it, resume it, cancel it."""

    service: FalProvider
    artifact_type: ClassVar[str]
    typical_seconds: ClassVar[float] = 30.0  # how long a run usually takes, for a time-passing estimate

    async def _submit_and_store(
        self, endpoint: str, arguments: dict[str, Any], context: GeneratorContext
    ) -> GeneratorResult:
        statuses = self.service.run(endpoint, arguments, typical_seconds=self.typical_seconds)
        return await self._store(await self.follow(statuses, context), context)

    async def resume(self, external_job_id: str, context: GeneratorContext) -> GeneratorResult:
        request = FalRequest.from_job_id(external_job_id)
        statuses = self.service.follow(request, typical_seconds=self.typical_seconds)
        return await self._store(await self.follow(statuses, context), context)

    async def cancel(self, external_job_id: str) -> None:
        await self.service.cancel(FalRequest.from_job_id(external_job_id))

    async def _store(self, output: dict[str, Any], context: GeneratorContext) -> GeneratorResult:
        return await store_result(output, self.artifact_type, context)


class _CuratedFal(_FalRun, RemoteGenerator):
    provider = "fal"
    endpoint: ClassVar[str]
    input_model: ClassVar[type[BaseModel]]
    rerun_safe = False  # paid for at each run: an interrupted one resumes, or fails; it is never run again

    def get_input_schema(self) -> type[BaseModel]:
        return self.input_model

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        if context.external_job_id:  # an earlier attempt of this run submitted it: follow that one
            return await self.resume(context.external_job_id, context)
        return await self._submit_and_store(self.endpoint, await self.arguments(inputs, context), context)

    async def arguments(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        """The request body: the model's fields under fal's names, unset optional ones left to fal."""
        return inputs.model_dump(exclude_none=True)


# -- FLUX.1 [dev]: text to image -----------------------------------------------------------------


class ImageSize(BaseModel):
    model_config = ConfigDict(extra="forbid")

    width: int = Field(512, gt=0, le=14142, title="Width", json_schema_extra=form_hints(unit="px"))
    height: int = Field(512, gt=0, le=14142, title="Height", json_schema_extra=form_hints(unit="px"))


class FluxDevInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(..., min_length=1, title="Prompt", description="What the image shows, in your words.")
    num_images: int = Field(
        1, ge=1, le=4, title="Number of images", description="Each one is a generation of its own on the board."
    )
    image_size: Literal[IMAGE_SIZES] | ImageSize = Field(  # type: ignore[valid-type]  # pydantic reads it at run time
        "landscape_4_3",
        title="Size",
        description="The size of the image: a named shape (landscape_4_3 is 1024x768) or a width and height.",
    )
    acceleration: Literal["none", "regular", "high"] = Field(
        "none",
        title="Acceleration",
        description="How much fal speeds the run up; faster can cost some quality.",
        json_schema_extra=form_hints(labels={"none": "None", "regular": "Regular", "high": "High"}),
    )
    output_format: Literal["jpeg", "png"] = Field(
        "jpeg",
        title="File format",
        description="The file format of the image.",
        json_schema_extra=form_hints(labels={"jpeg": "JPEG", "png": "PNG"}),
    )
    num_inference_steps: int = Field(28, ge=1, le=50, title="Steps", description="More is slower and usually finer.")
    seed: int | None = Field(
        None, title="Seed", description="The same seed and prompt give the same image; empty picks one at random."
    )
    guidance_scale: float = Field(
        3.5, ge=1, le=20, title="Guidance (CFG)", description="How closely the image follows the prompt."
    )
    enable_safety_checker: bool = Field(True, title="Safety checker", description="fal checks the result.")


class FalFluxDevGenerator(_CuratedFal):
    name = "fal-flux-dev"
    display_name = "FLUX dev"
    artifact_type = "image"
    description = "An image from your words, by FLUX.1 [dev] on fal.ai."
    endpoint = "fal-ai/flux/dev"
    input_model = FluxDevInput
    typical_seconds = 6.0
    timeout_seconds = 600.0

    async def estimate_cost(self, inputs: FluxDevInput) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        # fal's price: $0.025 a megapixel, each image's megapixels rounded up.
        size = inputs.image_size
        width, height = _PRESET_PIXELS[size] if isinstance(size, str) else (size.width, size.height)
        return round(inputs.num_images * 0.025 * math.ceil(width * height / 1_000_000), 4)


# -- FLUX.1 Kontext [pro]: an image edited as you say ---------------------------------------------


class FluxKontextInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(..., min_length=1, title="Prompt", description="What to change in the image, in your words.")
    image: ImageArtifact = Field(..., title="Image", description="The image to edit.")
    num_images: int = Field(
        1, ge=1, le=4, title="Number of versions", description="Each one is a generation of its own on the board."
    )
    aspect_ratio: Literal["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"] | None = Field(
        None, title="Aspect ratio", description="The shape of the result; empty keeps the shape of the image."
    )
    output_format: Literal["jpeg", "png"] = Field(
        "jpeg",
        title="File format",
        description="The file format of the result.",
        json_schema_extra=form_hints(labels={"jpeg": "JPEG", "png": "PNG"}),
    )
    guidance_scale: float = Field(
        3.5, ge=1, le=20, title="Guidance (CFG)", description="How closely the result follows the prompt."
    )
    seed: int | None = Field(
        None, title="Seed", description="The same seed and prompt give the same result; empty is random."
    )
    safety_tolerance: Literal["1", "2", "3", "4", "5", "6"] = Field(
        "2",
        title="Safety tolerance",
        description="How strict fal's safety filter is.",
        json_schema_extra=form_hints(labels={"1": "1, the strictest", "6": "6, the most permissive"}),
    )
    enhance_prompt: bool = Field(
        False, title="Enhance the prompt", description="Let fal rewrite it for better results."
    )


class FalFluxKontextGenerator(_CuratedFal):
    name = "fal-flux-kontext"
    display_name = "FLUX Kontext"
    icon = "edit"
    artifact_type = "image"
    description = "One of your images edited as you describe, by FLUX.1 Kontext [pro] on fal.ai."
    endpoint = "fal-ai/flux-pro/kontext"
    input_model = FluxKontextInput
    typical_seconds = 8.0
    timeout_seconds = 600.0

    async def arguments(self, inputs: FluxKontextInput, context: GeneratorContext) -> dict[str, Any]:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        body = inputs.model_dump(exclude_none=True, exclude={"image"})
        body["image_url"] = await inline_file(await context.resolve_artifact(inputs.image))
        return body

    async def estimate_cost(self, inputs: FluxKontextInput) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        return round(0.04 * inputs.num_images, 4)  # fal's price: $0.04 an image


# -- Kling 2.5 Turbo Pro: text to video, image to video -------------------------------------------

_KLING_NEGATIVE = "blur, distort, and low quality"


class _KlingInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(
        ..., min_length=1, max_length=2500, title="Prompt", description="What happens in the video, in your words."
    )
    duration: Literal["5", "10"] = Field(
        "5",
        title="Length",
        description="How long the video is.",
        json_schema_extra=form_hints(labels={"5": "5 seconds", "10": "10 seconds"}),
    )
    negative_prompt: str = Field(
        _KLING_NEGATIVE, max_length=2500, title="Negative prompt", description="What the video should not show."
    )
    cfg_scale: float = Field(
        0.5, ge=0, le=1, title="Guidance (CFG)", description="How closely the video follows the prompt."
    )


class KlingTextToVideoInput(_KlingInput):
    aspect_ratio: Literal["16:9", "9:16", "1:1"] = Field(
        "16:9",
        title="Aspect ratio",
        description="The shape of the video frame.",
        json_schema_extra=form_hints(
            labels={"16:9": "16:9, landscape", "9:16": "9:16, portrait", "1:1": "1:1, square"}
        ),
    )


class KlingImageToVideoInput(_KlingInput):
    image: ImageArtifact = Field(..., title="First frame", description="The image the video starts from.")
    end_image: ImageArtifact | None = Field(
        None, title="Last frame", description="Optional: the image the video ends on."
    )


class _KlingGenerator(_CuratedFal):
    artifact_type = "video"
    typical_seconds = 90.0
    timeout_seconds = 1800.0  # fal's queue for video can be long, and a 10 s clip takes minutes

    async def estimate_cost(self, inputs: _KlingInput) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        return round(0.35 + 0.07 * (int(inputs.duration) - 5), 4)  # fal's price: $0.35 for 5 s, $0.07 a second more


class FalKlingTextToVideoGenerator(_KlingGenerator):
    name = "fal-kling-text-to-video"
    display_name = "Kling text to video"
    description = "A video of 5 or 10 seconds from your words, by Kling 2.5 Turbo Pro on fal.ai."
    endpoint = "fal-ai/kling-video/v2.5-turbo/pro/text-to-video"
    input_model = KlingTextToVideoInput


class FalKlingImageToVideoGenerator(_KlingGenerator):
    name = "fal-kling-image-to-video"
    display_name = "Kling image to video"
    description = "One of your images brought to life as a 5 or 10 second video, by Kling 2.5 Turbo Pro on fal.ai."
    endpoint = "fal-ai/kling-video/v2.5-turbo/pro/image-to-video"
    input_model = KlingImageToVideoInput

    async def arguments(self, inputs: KlingImageToVideoInput, context: GeneratorContext) -> dict[str, Any]:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        body = inputs.model_dump(exclude_none=True, exclude={"image", "end_image"})
        body["image_url"] = await inline_file(await context.resolve_artifact(inputs.image))
        if inputs.end_image is not None:
            body["tail_image_url"] = await inline_file(await context.resolve_artifact(inputs.end_image))
        return body


# -- Kokoro: text to speech ------------------------------------------------------------------------


class KokoroInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(..., min_length=1, title="Words", description="The words to say, in American English.")
    voice: Literal[KOKORO_VOICES] = Field(  # type: ignore[valid-type]  # pydantic reads it at run time
        "af_heart",
        title="Voice",
        json_schema_extra=form_hints(labels={voice: _voice_label(voice) for voice in KOKORO_VOICES}),
    )
    speed: float = Field(
        1.0,
        ge=0.1,
        le=5.0,
        title="Speed",
        description="1 is the usual pace.",
        json_schema_extra=form_hints(unit="×"),
    )


class FalKokoroSpeechGenerator(_CuratedFal):
    name = "fal-kokoro-speech"
    display_name = "Kokoro speech"
    icon = "speech"
    artifact_type = "audio"
    description = "Your words said aloud in American English, by Kokoro on fal.ai."
    endpoint = "fal-ai/kokoro/american-english"
    input_model = KokoroInput
    typical_seconds = 5.0
    timeout_seconds = 600.0

    async def estimate_cost(self, inputs: KokoroInput) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        return round(0.02 * math.ceil(len(inputs.prompt) / 1000), 4)  # fal's price: $0.02 a thousand characters


FAL_GENERATORS: list[type[_CuratedFal]] = [
    FalFluxDevGenerator,
    FalFluxKontextGenerator,
    FalKlingTextToVideoGenerator,
    FalKlingImageToVideoGenerator,
    FalKokoroSpeechGenerator,
]


# -- any endpoint by id ----------------------------------------------------------------------------


class FalModelGenerator(_FalRun, ModelGenerator):
    """An endpoint the artist added by id; its form is the endpoint's own (boards_desktop.providers.fal_openapi)."""

    rerun_safe = False
    max_inline_bytes = MAX_INLINE_BYTES
    timeout_seconds = 1800.0  # it may be a video model: the queue and the run can take many minutes

    async def generate(self, inputs: BaseModel, context: GeneratorContext) -> GeneratorResult:
        if context.external_job_id:
            return await self.resume(context.external_job_id, context)
        return await self._submit_and_store(self.model.model_id, await self.payload(inputs, context), context)

    async def payload(self, inputs: BaseModel, context: GeneratorContext) -> dict[str, Any]:
        values = await super().payload(inputs, context)
        limits = url_length_limits(self.model.input_schema, self.model.schema_root)
        for name, limit in limits.items():
            sent = values.get(name)
            for url in sent if isinstance(sent, list) else [sent]:
                if isinstance(url, str) and url.startswith("data:") and len(url) > limit:
                    raise GeneratorError(
                        f"{name}: {self.model.model_id} takes only a link of at most {limit} characters there, and "
                        "the app sends your files to fal.ai inline, so this endpoint cannot take a file from your board"
                    )
        return values

    async def media_url(self, artifact: DigitalArtifact, path: Path) -> str:
        return await inline_file(path)

    async def _store(self, output: dict[str, Any], context: GeneratorContext) -> GeneratorResult:
        field = self.model.details.get("output_field")
        return await store_result(output, self.artifact_type, context, field if isinstance(field, str) else None)

    @property
    def typical_seconds(self) -> float:  # type: ignore[override]  # per model, where _FalRun has one per class
        return 90.0 if self.artifact_type == "video" else 15.0
