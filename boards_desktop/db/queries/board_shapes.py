"""The proportions of a board's generations in the grid's order, for the grid's justified rows.

The rows are laid out before the pages of generations arrive (a jump to the end of a board of
10,000 must know where the end is), so the grid asks for every generation's width over height at
once: a few small values per row, read along `ix_generations_board_created` as a page is, with the
same filter. A size is taken from what the generation made (its output's width and height), else
from what it was asked for (its inputs' width and height, or an aspect ratio such as "16:9");
without either (text, audio, a job that has not started) it is unknown and the grid picks.
"""

from __future__ import annotations

import math
import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Generation
from boards_desktop.db.queries.board_grid import NEWEST_FIRST, GridFilter, filter_conditions

# A ratio outside these bounds is a mistake in the metadata (or a banner): the grid would make
# a tile one pixel wide. Clamped, not refused: the picture still gets a place.
MOST_TALL = 0.2
MOST_WIDE = 5.0
_RATIO_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[:x×/]\s*(\d+(?:\.\d+)?)\s*$")


async def board_shapes(
    session: AsyncSession, board_id: uuid.UUID, grid_filter: GridFilter | None
) -> list[float | None]:
    """Width over height of each generation the filter keeps, newest first (None: not known)."""
    output, inputs = Generation.output_metadata, Generation.input_params
    statement = (
        select(
            output["width"].as_string(),
            output["height"].as_string(),
            inputs["width"].as_string(),
            inputs["height"].as_string(),
            inputs["aspect_ratio"].as_string(),
        )
        .where(*filter_conditions(session, board_id, grid_filter))
        .order_by(*NEWEST_FIRST)
    )
    result = await session.execute(statement)
    return [shape_of(*row) for row in result.all()]


def shape_of(out_width: Any, out_height: Any, in_width: Any, in_height: Any, aspect: Any) -> float | None:
    """The ratio from the output's size, else the inputs' size, else an "aspect_ratio" input."""
    ratio = _ratio(out_width, out_height) or _ratio(in_width, in_height)
    if ratio is None and isinstance(aspect, str):
        found = _RATIO_TEXT.match(aspect)
        ratio = _ratio(found.group(1), found.group(2)) if found else None
    if ratio is None:
        return None
    return round(min(MOST_WIDE, max(MOST_TALL, ratio)), 4)


def _ratio(width: Any, height: Any) -> float | None:
    try:
        w, h = float(width), float(height)
    except (TypeError, ValueError):
        return None
    if not (w > 0 and h > 0 and math.isfinite(w) and math.isfinite(h)):  # NaN fails the comparisons too
        return None
    return w / h
