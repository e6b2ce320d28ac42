"""`local-image-resize`: scale an image up or down with Lanczos, keeping its aspect ratio."""

from __future__ import annotations

import asyncio
from typing import Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, model_validator

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin._imaging import open_image, store_png
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints

MAX_SIDE = 8192

ResizeMode = Literal["longest_side", "width", "height", "scale"]


class ImageResizeInput(BaseModel):
    model_config = ConfigDict(title="Resize image")

    image: ImageArtifact = Field(..., title="Image", description="The image to scale.")
    mode: ResizeMode = Field(
        "longest_side",
        title="Resize by",
        description="Which side to set to a size, or a factor for both.",
        json_schema_extra=form_hints(
            labels={"longest_side": "Longest side", "width": "Width", "height": "Height", "scale": "Scale factor"}
        ),
    )
    size: int = Field(
        1024,
        ge=1,
        le=MAX_SIDE,
        title="Size",
        description="The new length of that side; the other follows, keeping the proportions.",
        json_schema_extra=form_hints(unit="px", visible_when={"mode": ["longest_side", "width", "height"]}),
    )
    scale: float = Field(
        2.0,
        gt=0,
        le=64,
        title="Scale factor",
        description="0.5 halves the image, 2 doubles it.",
        json_schema_extra=form_hints(unit="×", visible_when={"mode": ["scale"]}),
    )

    @model_validator(mode="after")
    def _result_in_bounds(self) -> ImageResizeInput:
        # The input's size is often known from its generation: refuse an oversized result before queuing.
        if self.image.width and self.image.height:
            problem = _oversized((self.image.width, self.image.height), self.mode, self.size, self.scale)
            if problem:
                raise ValueError(problem)
        return self


def target_size(size: tuple[int, int], mode: ResizeMode, length: int = 1024, scale: float = 2.0) -> tuple[int, int]:
    """The new size; the side that was asked for is exact, the other follows the aspect ratio."""
    width, height = size
    if mode == "width":
        return length, max(1, round(height * length / width))
    if mode == "height":
        return max(1, round(width * length / height)), length
    if mode == "longest_side":
        if width >= height:
            return length, max(1, round(height * length / width))
        return max(1, round(width * length / height)), length
    return max(1, round(width * scale)), max(1, round(height * scale))


def resize_image(
    image: Image.Image, mode: ResizeMode = "longest_side", size: int = 1024, scale: float = 2.0
) -> Image.Image:
    problem = _oversized(image.size, mode, size, scale)
    if problem:
        raise GeneratorError(problem)
    new_size = target_size(image.size, mode, size, scale)
    if new_size == image.size:
        return image.copy()
    if image.mode == "RGBA":
        # Resampling straight alpha bleeds the colour of transparent pixels into the edges;
        # premultiplied alpha does not.
        return image.convert("RGBa").resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0).convert("RGBA")
    return image.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _oversized(size: tuple[int, int], mode: ResizeMode, length: int, scale: float) -> str | None:
    new_width, new_height = target_size(size, mode, length, scale)
    if max(new_width, new_height) <= MAX_SIDE:
        return None
    asked = f"a scale of {scale:g}" if mode == "scale" else f"a {mode.replace('_', ' ')} of {length} px"
    return (
        f"{asked} turns the {size[0]}x{size[1]} image into {new_width}x{new_height}; "
        f"results are at most {MAX_SIDE} px on a side, so ask for less"
    )


class LocalImageResizeGenerator(BaseGenerator):
    name = "local-image-resize"
    artifact_type = "image"
    display_name = "Resize image"
    icon = "resize"
    description = "An image made larger or smaller, keeping its proportions and its detail. Runs on this computer."
    provider = "local"
    rerun_safe = True

    def get_input_schema(self) -> type[ImageResizeInput]:
        return ImageResizeInput

    async def generate(  # type: ignore[override]  # a narrower input model than BaseGenerator's
        self, inputs: ImageResizeInput, context: GeneratorContext
    ) -> GeneratorResult:
        path = await context.resolve_artifact(inputs.image)
        await context.publish_progress(0.1, "Reading the image", phase="processing")
        source = await asyncio.to_thread(open_image, path)
        await context.publish_progress(0.3, "Resizing", phase="processing")
        result = await asyncio.to_thread(resize_image, source, inputs.mode, inputs.size, inputs.scale)
        await context.publish_progress(0.8, "Saving", phase="finalizing")
        artifact = await store_png(context, result, keep_profile_of=source)
        return GeneratorResult(outputs=[artifact])
