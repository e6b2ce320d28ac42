"""The text a generation is found by, and the words of a search, folded alike.

A generation's `search_text` (schemas/008) is every string value of its inputParams (the prompt,
a negative prompt, a style name), each case-folded, one a line; generation ids in artifact slots
are left out, since nobody searches for those. Folding here rather than in SQL makes "Été" find
"été" on both engines: SQLite's lower() folds ASCII only, PostgreSQL's follows the locale.

A search matches when each of its words is found somewhere in that text (so "light" finds
"lighthouse"); a word never spans two values, since no word holds a line break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

MAX_SEARCH_TEXT = 20_000  # characters kept per generation; a prompt is rarely a tenth of it
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def fold(text: str) -> str:
    """The form in which text is compared when case must not matter, accents composed alike."""
    return unicodedata.normalize("NFC", text).casefold()


def search_text_of(input_params: Any) -> str:
    """What a generation with these inputParams is searched by."""
    values = [fold(value) for value in _strings(input_params) if value.strip() and not _UUID.fullmatch(value)]
    return "\n".join(values)[:MAX_SEARCH_TEXT]


def search_words(query: str) -> tuple[str, ...]:
    """The distinct words of a search, folded, in the order given."""
    return tuple(dict.fromkeys(fold(query).split()))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
