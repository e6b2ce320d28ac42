"""`local-title-card`: the prompt set as typography on a solid or gradient background."""

from __future__ import annotations

import asyncio
import math
from array import array
from typing import Literal

from PIL import Image, ImageDraw, ImageMath
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin._fonts import FontWeight, describe_characters, missing_characters
from boards_desktop.generators.builtin._imaging import HexColor, rgb, store_png
from boards_desktop.generators.builtin._typography import MIN_FONT_SIZE, TextBlock, clean_text, fit_text
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints

_MIN_TEXT_BOX = 16  # pixels of room for text that padding must leave


class TitleCardInput(BaseModel):
    model_config = ConfigDict(title="Title card")

    prompt: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        title="Text",
        description="The words to set on the card. Line breaks are kept; long lines wrap at spaces.",
    )
    width: int = Field(
        1024,
        ge=64,
        le=4096,
        title="Width",
        description="How wide the card is.",
        json_schema_extra=form_hints(unit="px"),
    )
    height: int = Field(
        1024,
        ge=64,
        le=4096,
        title="Height",
        description="How tall the card is.",
        json_schema_extra=form_hints(unit="px"),
    )
    background_color: HexColor = Field("#16181d", title="Background colour")
    gradient_end_color: HexColor | None = Field(
        None,
        title="Gradient end colour",
        description="When set, the background fades from the background colour to this one.",
    )
    gradient_angle: float = Field(
        180,
        ge=0,
        le=360,
        title="Gradient angle",
        description="Which way the colours fade, as in CSS: 0 fades upwards, 90 to the right, "
        "180 downwards, 270 to the left.",
        json_schema_extra=form_hints(unit="°", visible_when={"gradient_end_color": True}),
    )
    text_color: HexColor = Field("#f4f1ea", title="Text colour")
    align: Literal["left", "center", "right"] = Field(
        "center",
        title="Alignment",
        json_schema_extra=form_hints(labels={"left": "Left", "center": "Centred", "right": "Right"}),
    )
    vertical_align: Literal["top", "middle", "bottom"] = Field(
        "middle",
        title="Vertical alignment",
        json_schema_extra=form_hints(labels={"top": "Top", "middle": "Middle", "bottom": "Bottom"}),
    )
    font_weight: FontWeight = Field(
        "bold", title="Font weight", json_schema_extra=form_hints(labels={"regular": "Regular", "bold": "Bold"})
    )
    font_size: int | None = Field(
        None,
        ge=MIN_FONT_SIZE,
        le=1024,
        title="Font size",
        description="Leave empty to fit the text to the card; a size too large for the text is reduced.",
        json_schema_extra=form_hints(unit="px"),
    )
    line_spacing: float = Field(
        1.2,
        ge=0.8,
        le=3.0,
        title="Line spacing",
        description="A multiple of the font's line height.",
        json_schema_extra=form_hints(unit="×"),
    )
    padding: int = Field(
        64,
        ge=0,
        le=2000,
        title="Padding",
        description="Empty margin around the text.",
        json_schema_extra=form_hints(unit="px"),
    )

    @field_validator("prompt")
    @classmethod
    def _drawable(cls, prompt: str) -> str:
        if not clean_text(prompt):
            raise ValueError("the text is empty; type the words to put on the card")
        return prompt

    @model_validator(mode="after")
    def _fits(self) -> TitleCardInput:
        room = min(self.width, self.height) - 2 * self.padding
        if room < _MIN_TEXT_BOX:
            most = (min(self.width, self.height) - _MIN_TEXT_BOX) // 2
            raise ValueError(
                f"a padding of {self.padding} px leaves no room for text on a {self.width}x{self.height} card; "
                f"use at most {most}"
            )
        missing = missing_characters(clean_text(self.prompt), self.font_weight)
        if missing:
            raise ValueError(
                f"the title card's font cannot draw {describe_characters(missing)}; remove or replace "
                "those characters (the font covers Latin, Greek, Cyrillic, Hebrew, Arabic and common symbols, "
                "not CJK or emoji)"
            )
        return self


def linear_gradient(size: tuple[int, int], start: str, end: str, angle: float) -> Image.Image:
    """A CSS-style linear gradient: the corners the line runs between have exactly the end colours."""
    width, height = size
    radians = math.radians(angle)
    dx, dy = math.sin(radians), -math.cos(radians)
    # As in CSS, the gradient line is just long enough for its ends to pass through opposite corners
    # (here the corner pixels' centres, so those pixels get the end colours exactly).
    length = abs((width - 1) * dx) + abs((height - 1) * dy)
    scale = 255.0 / max(length, 1e-9)
    xs = _ramp(width, horizontal=True).resize(size, Image.Resampling.NEAREST)
    ys = _ramp(height, horizontal=False).resize(size, Image.Resampling.NEAREST)
    mask = ImageMath.lambda_eval(lambda v: v["x"] * (dx * scale) + v["y"] * (dy * scale) + 127.5, x=xs, y=ys).convert(
        "L"
    )
    return Image.composite(Image.new("RGB", size, rgb(end)), Image.new("RGB", size, rgb(start)), mask)


def render_title_card(
    text: str,
    *,
    width: int = 1024,
    height: int = 1024,
    background_color: str = "#16181d",
    gradient_end_color: str | None = None,
    gradient_angle: float = 180,
    text_color: str = "#f4f1ea",
    align: str = "center",
    vertical_align: str = "middle",
    font_weight: FontWeight = "bold",
    font_size: int | None = None,
    line_spacing: float = 1.2,
    padding: int = 64,
) -> Image.Image:
    if gradient_end_color:
        card = linear_gradient((width, height), background_color, gradient_end_color, gradient_angle)
    else:
        card = Image.new("RGB", (width, height), rgb(background_color))
    box_width, box_height = width - 2 * padding, height - 2 * padding
    block = fit_text(clean_text(text), font_weight, box_width, box_height, line_spacing, largest=font_size)
    if block is None:
        raise GeneratorError(
            f"the text does not fit a {width}x{height} card even at {MIN_FONT_SIZE} px; "
            "make the card larger, the padding smaller or the text shorter"
        )
    _draw_block(card, block, padding, box_width, box_height, rgb(text_color), align, vertical_align)
    return card


def _draw_block(
    card: Image.Image,
    block: TextBlock,
    padding: int,
    box_width: int,
    box_height: int,
    color: tuple[int, int, int],
    align: str,
    vertical_align: str,
) -> None:
    draw = ImageDraw.Draw(card)
    free_height = box_height - block.height
    ink_top = padding + {"top": 0, "middle": free_height // 2, "bottom": free_height}[vertical_align]
    first_anchor = ink_top - block.ink_top
    for index, (line, (ink_left, _, ink_right, _)) in enumerate(zip(block.lines, block.ink_boxes)):
        free_width = box_width - (ink_right - ink_left)
        left = padding + {"left": 0, "center": free_width / 2, "right": free_width}[align] - ink_left
        draw.text((left, first_anchor + index * block.line_step), line, font=block.font, fill=color, anchor="la")


def _ramp(length: int, horizontal: bool) -> Image.Image:
    """Pixel-centre coordinates, measured from the middle, as a one-pixel-thick float image."""
    values = array("f", (i - (length - 1) / 2 for i in range(length)))
    return Image.frombytes("F", (length, 1) if horizontal else (1, length), values.tobytes())


class LocalTitleCardGenerator(BaseGenerator):
    name = "local-title-card"
    artifact_type = "image"
    display_name = "Title card"
    icon = "title"
    description = (
        "Your words set in type on a solid or gradient background, on this computer. "
        "Not an AI model: it draws exactly the words you give it."
    )
    provider = "local"
    rerun_safe = True

    def get_input_schema(self) -> type[TitleCardInput]:
        return TitleCardInput

    async def generate(  # type: ignore[override]  # a narrower input model than BaseGenerator's
        self, inputs: TitleCardInput, context: GeneratorContext
    ) -> GeneratorResult:
        await context.publish_progress(0.1, "Setting the text", phase="processing")
        options = inputs.model_dump(exclude={"prompt"})
        card = await asyncio.to_thread(render_title_card, inputs.prompt, **options)
        await context.publish_progress(0.8, "Saving the card", phase="finalizing")
        artifact = await store_png(context, card)
        return GeneratorResult(outputs=[artifact])
