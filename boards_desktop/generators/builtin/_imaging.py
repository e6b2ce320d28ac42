"""What the built-in image tools share: colour inputs, reading an input image upright, writing a PNG."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from PIL import Image, ImageColor, ImageOps, UnidentifiedImageError
from pydantic import Field

from boards_desktop.generators.errors import GeneratorError

if TYPE_CHECKING:
    from boards_desktop.generators.artifacts import ImageArtifact
    from boards_desktop.generators.context import GeneratorContext

# `format: color` lets the UI offer a colour picker for these fields.
HexColor = Annotated[
    str,
    Field(pattern=r"^#[0-9a-fA-F]{6}$", json_schema_extra={"format": "color"}, examples=["#1e1e1e"]),
]

_WITH_ALPHA = ("RGBA", "LA", "PA", "RGBa", "La")
_SIXTEEN_BIT = ("I", "I;16", "I;16B", "I;16L", "I;16N")


def rgb(color: str) -> tuple[int, int, int]:
    red, green, blue = ImageColor.getrgb(color)[:3]
    return red, green, blue


def open_image(path: Path, what: str = "the image", fit_within: tuple[int, int] | None = None) -> Image.Image:
    """The image at `path`, upright (EXIF orientation applied), in RGB or RGBA.

    `fit_within` lets a JPEG decode at a reduced scale when only a small copy is needed, which
    saves most of the memory and time of opening a large photo for a thumbnail-sized cell.
    """
    try:
        with Image.open(path) as image:
            if fit_within is not None:
                image.draft("RGB", fit_within)
            image.load()
            icc_profile = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as exc:
        raise GeneratorError(f"{what} is too large to open safely ({exc}); scale it down first") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise GeneratorError(f"{what} could not be read as an image ({exc}); upload it again as PNG or JPEG") from exc
    normalized = to_rgb_or_rgba(upright)
    if icc_profile:
        normalized.info["icc_profile"] = icc_profile
    return normalized


def to_rgb_or_rgba(image: Image.Image) -> Image.Image:
    """Every tool works on 8-bit RGB, with alpha where the source had any transparency."""
    if image.mode in ("RGB", "RGBA"):
        return image
    if image.mode in _SIXTEEN_BIT:
        # A plain convert would clip 16-bit values to white; scale them to 8 bits instead.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in _WITH_ALPHA or (image.mode == "P" and "transparency" in image.info):
        return image.convert("RGBA")
    return image.convert("RGB")


def encode_png(image: Image.Image, icc_profile: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    options = {"icc_profile": icc_profile} if icc_profile else {}
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


async def store_png(
    context: GeneratorContext, image: Image.Image, keep_profile_of: Image.Image | None = None
) -> ImageArtifact:
    """Encode off the event loop (a large PNG takes a while) and store it as the job's result."""
    icc_profile = None
    # A colour profile describes the source's colour space; it still holds for a resized or adjusted
    # RGB copy, but not for a grayscale one.
    if keep_profile_of is not None and image.mode in ("RGB", "RGBA") and keep_profile_of.mode in ("RGB", "RGBA"):
        icc_profile = keep_profile_of.info.get("icc_profile")
    png = await asyncio.to_thread(encode_png, image, icc_profile)
    return await context.store_image_result(png, "png", width=image.width, height=image.height)
