"""OpenAI's image generators: `openai-image` (text to image) and `openai-image-edit` (images to image).

Both run the `gpt-image-1` family on OpenAI Images. `n` above 1 makes sibling generations, one per
image. OpenAI's call is synchronous: there is no remote job to resume after a restart or to cancel,
and running it again means paying again, so an interrupted job is not rerun (`rerun_safe` False):
it fails as "interrupted", and the artist regenerates if they want to.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any, Literal

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict, Field, model_validator

from boards_desktop.generators.artifacts import DigitalArtifact, ImageArtifact
from boards_desktop.generators.base import GeneratorResult
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers.openai import InputFile, OpenAIProvider

Model = Literal["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5"]
Size = Literal["auto", "1024x1024", "1536x1024", "1024x1536"]
Quality = Literal["auto", "low", "medium", "high"]
Background = Literal["auto", "opaque", "transparent"]
OutputFormat = Literal["png", "jpeg", "webp"]

MAX_INPUT_BYTES = 50 * 1024 * 1024  # OpenAI's limit per image for the gpt-image models
MAX_EDIT_IMAGES = 16
_SENT_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
# US dollars per image (OpenAI's published prices, approximate): quality -> (square, wide or tall).
_PRICES = {
    "gpt-image-1": {"low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25)},
    "gpt-image-1-mini": {"low": (0.005, 0.006), "medium": (0.011, 0.015), "high": (0.036, 0.052)},
    "gpt-image-1.5": {"low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25)},
}


class _ImageOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(
        ..., min_length=1, max_length=32000, title="Prompt", description="What the image shows, in your words."
    )
    model: Model = Field(
        "gpt-image-1",
        title="Model",
        description="GPT Image 1, its cheaper mini, or the newer 1.5.",
        json_schema_extra=form_hints(
            labels={
                "gpt-image-1": "GPT Image 1",
                "gpt-image-1-mini": "GPT Image 1 mini",
                "gpt-image-1.5": "GPT Image 1.5",
            }
        ),
    )
    size: Size = Field(
        "1024x1024",
        title="Size",
        description="Width by height in pixels.",
        json_schema_extra=form_hints(
            labels={
                "auto": "Let the model choose",
                "1024x1024": "Square, 1024 × 1024",
                "1536x1024": "Landscape, 1536 × 1024",
                "1024x1536": "Portrait, 1024 × 1536",
            }
        ),
    )
    quality: Quality = Field(
        "auto",
        title="Quality",
        description="Higher quality takes longer and costs more.",
        json_schema_extra=form_hints(
            labels={"auto": "Let the model choose", "low": "Low", "medium": "Medium", "high": "High"}
        ),
    )
    background: Background = Field(
        "auto",
        title="Background",
        description="A transparent background needs PNG or WebP.",
        json_schema_extra=form_hints(
            labels={"auto": "Let the model choose", "opaque": "Opaque", "transparent": "Transparent"}
        ),
    )
    output_format: OutputFormat = Field(
        "png",
        title="File format",
        description="The file format of the result.",
        json_schema_extra=form_hints(labels={"png": "PNG", "jpeg": "JPEG", "webp": "WebP"}),
    )
    output_compression: int | None = Field(
        None,
        ge=0,
        le=100,
        title="Compression",
        description="100 keeps the most quality, in the largest file.",
        json_schema_extra=form_hints(unit="%", visible_when={"output_format": ["jpeg", "webp"]}),
    )
    n: int = Field(
        1,
        ge=1,
        le=10,
        title="Number of images",
        description="Each one is a generation of its own on the board.",
    )

    @model_validator(mode="after")
    def _formats_agree(self) -> _ImageOptions:
        if self.background == "transparent" and self.output_format == "jpeg":
            raise ValueError("background: a transparent background needs output_format png or webp, not jpeg")
        if self.output_compression is not None and self.output_format == "png":
            raise ValueError("output_compression: only jpeg and webp are compressed; leave it empty for png")
        return self

    def params(self) -> dict[str, object]:
        """The request's fields other than the prompt and the images (unset ones left to OpenAI)."""
        fields = {
            "model": self.model,
            "size": self.size,
            "quality": self.quality,
            "background": self.background,
            "output_format": self.output_format,
            "output_compression": self.output_compression,
            "n": self.n,
        }
        return {key: value for key, value in fields.items() if value is not None}


class OpenAIImageInput(_ImageOptions):
    moderation: Literal["auto", "low"] = Field(
        "auto",
        title="Moderation",
        description="Less strict filtering of the prompt, or OpenAI's usual.",
        json_schema_extra=form_hints(labels={"auto": "Usual", "low": "Less strict"}),
    )

    def params(self) -> dict[str, object]:
        return {**super().params(), "moderation": self.moderation}


class OpenAIImageEditInput(_ImageOptions):
    prompt: str = Field(
        ...,
        min_length=1,
        max_length=32000,
        title="Prompt",
        description="What to change, or what to make of the images.",
    )
    images: list[ImageArtifact] = Field(
        ...,
        min_length=1,
        max_length=MAX_EDIT_IMAGES,
        title="Images",
        description="The image to edit, or up to 16 reference images (PNG, JPEG or WebP, under 50 MB each).",
    )
    mask: ImageArtifact | None = Field(
        None,
        title="Mask",
        description="Optional: a PNG the size of the first image whose transparent pixels mark where to edit.",
    )
    input_fidelity: Literal["low", "high"] | None = Field(
        None,
        title="Input fidelity",
        description="High keeps faces and details of the input closer (GPT Image 1 only); empty: OpenAI's default.",
        json_schema_extra=form_hints(labels={"low": "Low", "high": "High"}),
    )

    def params(self) -> dict[str, object]:
        params = super().params()
        if self.input_fidelity is not None:
            params["input_fidelity"] = self.input_fidelity
        return params


class _OpenAIImages(RemoteGenerator):
    provider = "openai"
    artifact_type = "image"
    timeout_seconds = 900.0  # a slow high-quality batch, with a retry or two
    rerun_safe = False  # every run is paid for: an interrupted one is not run again behind the artist's back
    service: OpenAIProvider

    async def estimate_cost(self, inputs: _ImageOptions) -> float:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        prices = _PRICES.get(inputs.model, _PRICES["gpt-image-1"])
        square, wide = prices.get(inputs.quality, prices["medium"])
        return round(inputs.n * (square if inputs.size in ("1024x1024", "auto") else wide), 4)

    async def _store(self, output: dict[str, Any], context: GeneratorContext) -> GeneratorResult:
        artifacts: list[DigitalArtifact] = []
        for index, image in enumerate(output["images"]):
            source = image.get("data") or image.get("url")
            artifacts.append(await context.store_image_result(source, image["format"], output_index=index))
        return GeneratorResult(outputs=artifacts)


class OpenAIImageGenerator(_OpenAIImages):
    name = "openai-image"
    display_name = "OpenAI image"
    description = "An image from your words, made by OpenAI's GPT Image models."

    def get_input_schema(self) -> type[BaseModel]:
        return OpenAIImageInput

    async def generate(self, inputs: OpenAIImageInput, context: GeneratorContext) -> GeneratorResult:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        output = await self.follow(self.service.generate_image(inputs.prompt, inputs.params()), context)
        return await self._store(output, context)


class OpenAIImageEditGenerator(_OpenAIImages):
    name = "openai-image-edit"
    display_name = "OpenAI image edit"
    icon = "edit"
    description = "One or more of your images changed or combined as you describe, by OpenAI's GPT Image models."

    def get_input_schema(self) -> type[BaseModel]:
        return OpenAIImageEditInput

    async def generate(self, inputs: OpenAIImageEditInput, context: GeneratorContext) -> GeneratorResult:  # type: ignore[override]  # a narrower input model than BaseGenerator's
        await context.publish_progress(0.01, "reading the input images", phase="initializing")
        paths = [await context.resolve_artifact(image) for image in inputs.images]
        images = await asyncio.to_thread(lambda: [_input_image(path, index) for index, path in enumerate(paths)])
        mask = None
        if inputs.mask is not None:
            mask_path = await context.resolve_artifact(inputs.mask)
            mask = await asyncio.to_thread(_mask_image, mask_path, paths[0])
        statuses = self.service.edit_image(inputs.prompt, [file for file, _ in images], mask, inputs.params())
        output = await self.follow(statuses, context)
        return await self._store(output, context)


def _input_image(path: Path, index: int) -> tuple[InputFile, tuple[int, int]]:
    """The file as OpenAI takes it (PNG, JPEG or WebP; anything else becomes a PNG), and its size."""
    field = f"images[{index}]"
    if path.stat().st_size > MAX_INPUT_BYTES:
        raise GeneratorError(f"{field}: the image is larger than 50 MB, OpenAI's limit; resize it first")
    try:
        with Image.open(path) as image:
            size = image.size
            if image.format in _SENT_FORMATS:
                return InputFile(f"image-{index}{path.suffix}", path.read_bytes(), _SENT_FORMATS[image.format]), size
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
    except (UnidentifiedImageError, OSError):
        raise GeneratorError(f"{field}: the file is not an image OpenAI can read") from None
    return InputFile(f"image-{index}.png", buffer.getvalue(), "image/png"), size


def _mask_image(path: Path, first_image: Path) -> InputFile:
    with Image.open(first_image) as image:
        wanted = image.size
    try:
        with Image.open(path) as mask:
            if mask.size != wanted:
                raise GeneratorError(
                    f"mask: the mask is {mask.width}x{mask.height} but the first image is {wanted[0]}x{wanted[1]}; "
                    "give a mask of the same size"
                )
            if "A" not in mask.getbands() and "transparency" not in mask.info:
                raise GeneratorError(
                    "mask: the mask has no transparency; OpenAI edits where the mask is transparent, so give a PNG "
                    "with transparent pixels where the image should change"
                )
            if mask.format == "PNG":
                return InputFile("mask.png", path.read_bytes(), "image/png")
            buffer = io.BytesIO()
            mask.convert("RGBA").save(buffer, "PNG")
    except (UnidentifiedImageError, OSError):
        raise GeneratorError("mask: the file is not an image OpenAI can read") from None
    return InputFile("mask.png", buffer.getvalue(), "image/png")
