"""The typeface of the title card: DejaVu Sans, shipped beside this module (licence in fonts/LICENSE).

Pillow's own default font covers ASCII only; DejaVu Sans covers Latin, Greek, Cyrillic, Armenian,
Georgian, Hebrew, Arabic and many symbols, so most prompts render as typed. It has no CJK
ideographs and no colour emoji: `missing_characters` finds those before anything is drawn, so the
artist hears which characters cannot be set instead of getting boxes on the card.
"""

from __future__ import annotations

import threading
import unicodedata
import weakref
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

from boards_desktop.memory_trim import release_when_idle

FontWeight = Literal["regular", "bold"]

FONT_DIR = Path(__file__).parent / "fonts"
_FONT_FILES: dict[str, str] = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}
_PROBE_SIZE = 16
_SURELY_MISSING = "\U0010fffd"  # a private-use code point no font of ours maps: it draws the .notdef box


_FONTS_PER_THREAD = 48


class _ThreadFonts:
    """The fonts one thread has open, by (weight, size)."""

    def __init__(self) -> None:
        self.fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


_per_thread = threading.local()
_all_threads: weakref.WeakSet[_ThreadFonts] = weakref.WeakSet()  # a thread's go when it ends
_all_lock = threading.Lock()


def _thread_fonts() -> _ThreadFonts:
    holder: _ThreadFonts | None = getattr(_per_thread, "holder", None)
    if holder is None:
        holder = _per_thread.holder = _ThreadFonts()
        with _all_lock:
            _all_threads.add(holder)
    return holder


def load_font(weight: FontWeight, size: int) -> ImageFont.FreeTypeFont:
    """A cached font object of this thread.

    A FreeType face may be used by one thread at a time, and several jobs set text at once in
    worker threads, so each thread keeps its own. Loaded from the file path, not bytes, so FreeType
    streams the file instead of holding a copy per size.
    """
    cache = _thread_fonts().fonts  # read once: `forget_fonts` may put a new dict in its place meanwhile
    font = cache.get((weight, size))
    if font is None:
        if len(cache) >= _FONTS_PER_THREAD:
            cache.pop(next(iter(cache)))
        font = cache[(weight, size)] = ImageFont.truetype(str(FONT_DIR / _FONT_FILES[weight]), size)
    return font


def forget_fonts() -> None:
    """Close every thread's cached fonts (called when the app goes idle: boards_desktop.memory_trim).

    Each open size maps the font file anew (about 0.2 MB of resident memory each); 200 title cards
    left fifty of them open across the worker threads. A font in use stays open until its card is
    drawn: only the caches let go of it.
    """
    with _all_lock:
        holders = list(_all_threads)
    for holder in holders:
        holder.fonts = {}


release_when_idle(forget_fonts)


def missing_characters(text: str, weight: FontWeight = "regular") -> list[str]:
    """The distinct characters of `text` the font cannot draw, in order of appearance."""
    return [
        character
        for character in dict.fromkeys(text)
        if not character.isspace() and not _invisible(character) and not _has_glyph(weight, character)
    ]


def describe_characters(characters: list[str], limit: int = 8) -> str:
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in characters[:limit])
    more = len(characters) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _invisible(character: str) -> bool:
    # Joiners, direction marks and variation selectors shape the text around them; they have no glyph.
    code = ord(character)
    return unicodedata.category(character) in ("Cc", "Cf") or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


@lru_cache(maxsize=4096)
def _has_glyph(weight: FontWeight, character: str) -> bool:
    # Pillow does not expose the font's character map; a character the font lacks renders as the
    # .notdef box, so it is compared with the rendering of a character that is surely missing.
    return _render(weight, character) != _notdef(weight)


@lru_cache(maxsize=2)
def _notdef(weight: FontWeight) -> tuple[tuple[int, int], bytes]:
    return _render(weight, _SURELY_MISSING)


def _render(weight: FontWeight, character: str) -> tuple[tuple[int, int], bytes]:
    mask = load_font(weight, _PROBE_SIZE).getmask(character)
    return mask.size, bytes(mask)
