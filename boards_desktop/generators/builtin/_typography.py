"""Setting text in a box: word wrapping, and the largest font size at which the text fits."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from PIL import ImageFont

from boards_desktop.generators.builtin._fonts import FontWeight, load_font

MIN_FONT_SIZE = 8


@dataclass(frozen=True)
class TextBlock:
    """Lines set in one font. Extents are of the ink, not the font's line box, so a block aligned
    to the bottom sits on the padding instead of floating on the font's descender space."""

    font: ImageFont.FreeTypeFont
    lines: list[str]
    line_step: int  # baseline to baseline
    # Pillow types a FreeType font's boxes as floats (ints in practice); so are the extents made of them.
    ink_boxes: list[tuple[float, float, float, float]]  # each line's ink, relative to its left/ascender anchor
    ink_top: float  # of the whole block, relative to the first line's anchor
    width: float
    height: float


def clean_text(text: str) -> str:
    """Line breaks kept, tabs as spaces, other control characters dropped, outer blank lines trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")
    return text.strip()


def wrap_lines(
    text: str, font: ImageFont.FreeTypeFont, max_width: float, *, break_words: bool = True
) -> list[str] | None:
    """Greedy word wrap; a word wider than a line is broken between characters (with `break_words`).

    None when a word is wider than the line and may not be broken, or when even one character is
    wider than the line: nothing at this size can fit.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if font.getlength(candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if font.getlength(word) <= max_width:
                current = word
                continue
            if not break_words:
                return None
            pieces = _break_word(word, font, max_width)
            if pieces is None:
                return None
            lines.extend(pieces[:-1])
            current = pieces[-1]
        lines.append(current)
    return lines


def layout_text(
    text: str,
    weight: FontWeight,
    size: int,
    box_width: int,
    box_height: int,
    line_spacing: float,
    *,
    break_words: bool = True,
) -> TextBlock | None:
    """The text set at `size` in the box, or None when it does not fit."""
    font = load_font(weight, size)
    lines = wrap_lines(text, font, box_width, break_words=break_words)
    if lines is None:
        return None
    ascent, descent = font.getmetrics()
    line_step = max(1, round((ascent + descent) * line_spacing))
    boxes = [font.getbbox(line, anchor="la") if line else (0, 0, 0, 0) for line in lines]
    inked = [(index, box) for index, box in enumerate(boxes) if lines[index].strip()]
    top = min(index * line_step + box[1] for index, box in inked)
    bottom = max(index * line_step + box[3] for index, box in inked)
    width = max(box[2] - box[0] for _, box in inked)
    if bottom - top > box_height or width > box_width:
        return None
    return TextBlock(font, lines, line_step, boxes, top, width, bottom - top)


def fit_text(
    text: str,
    weight: FontWeight,
    box_width: int,
    box_height: int,
    line_spacing: float,
    largest: int | None = None,
) -> TextBlock | None:
    """The text at the largest size (up to `largest`) that fits the box; None if not even the smallest does.

    A size at which every word fits on a line whole wins over a larger one that breaks a word
    ("Lighthou / se"); words are broken only when no size keeps them whole (a very long word).
    """
    ceiling = max(MIN_FONT_SIZE, min(largest or box_height, box_height))
    for break_words in (False, True):
        block = _largest_fit(text, weight, ceiling, box_width, box_height, line_spacing, break_words)
        if block is not None:
            return block
    return None


def _largest_fit(
    text: str, weight: FontWeight, ceiling: int, box_width: int, box_height: int, line_spacing: float, break_words: bool
) -> TextBlock | None:
    block = layout_text(text, weight, ceiling, box_width, box_height, line_spacing, break_words=break_words)
    if block is not None:
        return block
    # Wrapping makes the fit only roughly monotonic in size, but every block returned does fit.
    low, high, best = MIN_FONT_SIZE, ceiling - 1, None
    while low <= high:
        middle = (low + high) // 2
        candidate = layout_text(text, weight, middle, box_width, box_height, line_spacing, break_words=break_words)
        if candidate is None:
            high = middle - 1
        else:
            best, low = candidate, middle + 1
    return best


def _break_word(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str] | None:
    pieces: list[str] = []
    current = ""
    for cluster in _clusters(word):
        if font.getlength(current + cluster) <= max_width:
            current += cluster
            continue
        if not current:
            return None
        pieces.append(current)
        current = cluster
        if font.getlength(current) > max_width:
            return None
    pieces.append(current)
    return pieces


def _clusters(word: str) -> list[str]:
    """Characters with their combining marks attached, so a break never strands an accent."""
    clusters: list[str] = []
    for character in word:
        if clusters and (unicodedata.combining(character) or unicodedata.category(character) in ("Mn", "Me", "Cf")):
            clusters[-1] += character
        else:
            clusters.append(character)
    return clusters
