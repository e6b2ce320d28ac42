"""`local-image-adjust`: brightness, contrast, saturation, grayscale, rotation and flips; alpha is kept."""

from __future__ import annotations

import asyncio

from PIL import Image, ImageColor, ImageEnhance, ImageOps
from pydantic import BaseModel, ConfigDict, Field

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin._imaging import HexColor, open_image, store_png
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.form_hints import form_hints

# Clockwise quarter turns done by transposing: exact, no resampling, no new canvas.
_QUARTER_TURNS = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


class ImageAdjustInput(BaseModel):
    model_config = ConfigDict(
        title="Adjust image",
        # The page previews these live on the chosen image (boards_desktop.generators.form_hints).
        json_schema_extra={
            "x-preview": {
                "image": "image",
                "effects": {
                    "brightness": "brightness",
                    "contrast": "contrast",
                    "saturation": "saturate",
                    "grayscale": "grayscale",
                    "rotate": "rotate",
                    "flip_horizontal": "flip-x",
                    "flip_vertical": "flip-y",
                },
            }
        },
    )

    image: ImageArtifact = Field(..., title="Image", description="The image to adjust.")
    brightness: float = Field(
        1.0,
        ge=0,
        le=4,
        title="Brightness",
        description="1 leaves it as is; 0 is black, 2 twice as bright.",
        json_schema_extra=form_hints(unit="×"),
    )
    contrast: float = Field(
        1.0,
        ge=0,
        le=4,
        title="Contrast",
        description="1 leaves it as is; 0 is flat grey, 2 twice the contrast.",
        json_schema_extra=form_hints(unit="×"),
    )
    saturation: float = Field(
        1.0,
        ge=0,
        le=4,
        title="Saturation",
        description="1 leaves it as is; 0 removes colour, 2 doubles it.",
        json_schema_extra=form_hints(unit="×"),
    )
    grayscale: bool = Field(False, title="Grayscale", description="Make the image black and white.")
    rotate: float = Field(
        0,
        ge=-360,
        le=360,
        title="Rotate",
        description="Clockwise. 90, 180 and 270 turn the image exactly; other angles enlarge the canvas "
        "to hold the whole turned image.",
        json_schema_extra=form_hints(unit="°"),
    )
    fill_color: HexColor | None = Field(
        None,
        title="Corner colour",
        description="Colour of the corners a free rotation uncovers; leave empty for transparent corners.",
    )
    flip_horizontal: bool = Field(False, title="Flip horizontally", description="Mirror left and right.")
    flip_vertical: bool = Field(False, title="Flip vertically", description="Mirror top and bottom.")


def adjust_image(
    image: Image.Image,
    *,
    brightness: float = 1.0,
    contrast: float = 1.0,
    saturation: float = 1.0,
    grayscale: bool = False,
    rotate: float = 0,
    fill_color: str | None = None,
    flip_horizontal: bool = False,
    flip_vertical: bool = False,
) -> Image.Image:
    """Tones first, then geometry, in the order a photo editor applies them."""
    result = image
    if brightness != 1.0:
        result = ImageEnhance.Brightness(result).enhance(brightness)
    if contrast != 1.0:
        result = ImageEnhance.Contrast(result).enhance(contrast)
    if saturation != 1.0 and not grayscale:
        result = ImageEnhance.Color(result).enhance(saturation)
    if grayscale:
        result = result.convert("LA" if "A" in result.getbands() else "L")
    result = _rotate(result, rotate, fill_color)
    if flip_horizontal:
        result = ImageOps.mirror(result)
    if flip_vertical:
        result = ImageOps.flip(result)
    return result if result is not image else image.copy()


def _rotate(image: Image.Image, clockwise: float, fill_color: str | None) -> Image.Image:
    angle = clockwise % 360
    if abs(angle) < 1e-9 or abs(angle - 360) < 1e-9:
        return image
    quarter = _QUARTER_TURNS.get(round(angle)) if abs(angle - round(angle)) < 1e-9 else None
    if quarter is not None:
        return image.transpose(quarter)
    if fill_color is None:
        # Transparent corners: rotate with premultiplied alpha so edges do not pick up a dark fringe.
        with_alpha = image.convert("RGBA" if image.mode in ("RGB", "RGBA") else "LA")
        premultiplied = with_alpha.convert("RGBa") if with_alpha.mode == "RGBA" else with_alpha.convert("La")
        turned = premultiplied.rotate(-angle, Image.Resampling.BICUBIC, expand=True)
        return turned.convert(with_alpha.mode)
    fill = ImageColor.getcolor(fill_color, image.mode)
    return image.rotate(-angle, Image.Resampling.BICUBIC, expand=True, fillcolor=fill)


class LocalImageAdjustGenerator(BaseGenerator):
    name = "local-image-adjust"
    artifact_type = "image"
    display_name = "Adjust image"
    icon = "adjust"
    description = (
        "Brightness, contrast, saturation, black and white, rotation and flips. "
        "Keeps transparency. Runs on this computer."
    )
    provider = "local"
    rerun_safe = True

    def get_input_schema(self) -> type[ImageAdjustInput]:
        return ImageAdjustInput

    async def generate(  # type: ignore[override]  # a narrower input model than BaseGenerator's
        self, inputs: ImageAdjustInput, context: GeneratorContext
    ) -> GeneratorResult:
        path = await context.resolve_artifact(inputs.image)
        await context.publish_progress(0.1, "Reading the image", phase="processing")
        source = await asyncio.to_thread(open_image, path)
        await context.publish_progress(0.3, "Adjusting", phase="processing")
        options = inputs.model_dump(exclude={"image"})
        result = await asyncio.to_thread(adjust_image, source, **options)
        await context.publish_progress(0.8, "Saving", phase="finalizing")
        artifact = await store_png(context, result, keep_profile_of=source)
        return GeneratorResult(outputs=[artifact])
