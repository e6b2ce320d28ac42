"""`local-contact-sheet`: several images in a grid, each fitted in its cell with its proportions kept."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageOps
from pydantic import BaseModel, ConfigDict, Field, model_validator

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin._imaging import HexColor, open_image, rgb, store_png
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.form_hints import form_hints

MAX_SHEET_SIDE = 16384
MAX_SHEET_PIXELS = 64_000_000  # about 200 MB while it is built; more would strain a laptop


@dataclass(frozen=True)
class SheetLayout:
    count: int
    columns: int
    rows: int
    cell_width: int
    cell_height: int
    gap: int

    @classmethod
    def plan(cls, count: int, columns: int | None, cell_width: int, cell_height: int, gap: int) -> SheetLayout:
        # Without a column count the grid is as near square as the count allows.
        wanted = columns or math.ceil(math.sqrt(count))
        used = max(1, min(wanted, count))
        return cls(count, used, math.ceil(count / used), cell_width, cell_height, gap)

    @property
    def size(self) -> tuple[int, int]:
        return (
            self.columns * self.cell_width + (self.columns + 1) * self.gap,
            self.rows * self.cell_height + (self.rows + 1) * self.gap,
        )

    def cell_origin(self, index: int) -> tuple[int, int]:
        row, column = divmod(index, self.columns)
        return (
            self.gap + column * (self.cell_width + self.gap),
            self.gap + row * (self.cell_height + self.gap),
        )

    def too_large(self) -> str | None:
        width, height = self.size
        if max(width, height) <= MAX_SHEET_SIDE and width * height <= MAX_SHEET_PIXELS:
            return None
        return (
            f"{self.count} images in {self.columns} columns of {self.cell_width}x{self.cell_height} cells make a "
            f"{width}x{height} sheet; the most is {MAX_SHEET_SIDE} px a side and {MAX_SHEET_PIXELS // 1_000_000} "
            "megapixels, so use smaller cells or fewer images"
        )


class ContactSheetInput(BaseModel):
    model_config = ConfigDict(title="Contact sheet")

    images: list[ImageArtifact] = Field(
        ..., min_length=1, max_length=64, title="Images", description="The images to lay out, in order."
    )
    columns: int | None = Field(
        None, ge=1, le=16, title="Columns", description="Leave empty for a grid as near square as possible."
    )
    cell_width: int = Field(
        512,
        ge=16,
        le=4096,
        title="Cell width",
        description="How wide each cell is.",
        json_schema_extra=form_hints(unit="px"),
    )
    cell_height: int = Field(
        512,
        ge=16,
        le=4096,
        title="Cell height",
        description="How tall each cell is.",
        json_schema_extra=form_hints(unit="px"),
    )
    gap: int = Field(
        16,
        ge=0,
        le=512,
        title="Gap",
        description="Space between cells and around the grid.",
        json_schema_extra=form_hints(unit="px"),
    )
    background_color: HexColor = Field("#ffffff", title="Background colour")

    @model_validator(mode="after")
    def _sheet_in_bounds(self) -> ContactSheetInput:
        problem = self.layout().too_large()
        if problem:
            raise ValueError(problem)
        return self

    def layout(self) -> SheetLayout:
        return SheetLayout.plan(len(self.images), self.columns, self.cell_width, self.cell_height, self.gap)


def new_sheet(layout: SheetLayout, background_color: str) -> Image.Image:
    return Image.new("RGB", layout.size, rgb(background_color))


def place_in_cell(sheet: Image.Image, layout: SheetLayout, index: int, image: Image.Image) -> None:
    """Fit `image` in cell `index` (scaled up or down, proportions kept) and centre it there."""
    fitted = ImageOps.contain(image, (layout.cell_width, layout.cell_height), Image.Resampling.LANCZOS)
    left, top = layout.cell_origin(index)
    position = (left + (layout.cell_width - fitted.width) // 2, top + (layout.cell_height - fitted.height) // 2)
    sheet.paste(fitted, position, fitted if fitted.mode == "RGBA" else None)


def contact_sheet(
    images: Sequence[Image.Image],
    *,
    columns: int | None = None,
    cell_width: int = 512,
    cell_height: int = 512,
    gap: int = 16,
    background_color: str = "#ffffff",
) -> Image.Image:
    layout = SheetLayout.plan(len(images), columns, cell_width, cell_height, gap)
    sheet = new_sheet(layout, background_color)
    for index, image in enumerate(images):
        place_in_cell(sheet, layout, index, image)
    return sheet


class LocalContactSheetGenerator(BaseGenerator):
    name = "local-contact-sheet"
    artifact_type = "image"
    display_name = "Contact sheet"
    icon = "grid"
    description = "Several images laid out in a grid on one image, for comparing. Runs on this computer."
    provider = "local"
    rerun_safe = True

    def get_input_schema(self) -> type[ContactSheetInput]:
        return ContactSheetInput

    async def generate(  # type: ignore[override]  # a narrower input model than BaseGenerator's
        self, inputs: ContactSheetInput, context: GeneratorContext
    ) -> GeneratorResult:
        layout = inputs.layout()
        sheet = new_sheet(layout, inputs.background_color)
        biggest_cell = max(layout.cell_width, layout.cell_height)
        # One image at a time: 64 full-size photos held at once would need gigabytes.
        for index, artifact in enumerate(inputs.images):
            path = await context.resolve_artifact(artifact)
            what = f"image {index + 1} of the {layout.count}"
            image = await asyncio.to_thread(open_image, path, what, (biggest_cell, biggest_cell))
            await asyncio.to_thread(place_in_cell, sheet, layout, index, image)
            await context.publish_progress(0.9 * (index + 1) / layout.count, f"Placed {what}", phase="processing")
        await context.publish_progress(0.9, "Saving the sheet", phase="finalizing")
        artifact = await store_png(context, sheet)
        return GeneratorResult(outputs=[artifact])
