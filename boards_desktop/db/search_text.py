"""The text a generation is found by, and the words of a search, folded alike.

A generation's `search_text` (schemas/008, refolded by schemas/011) holds, each folded, one a line:
every string value of its inputParams (the prompt, a negative prompt, a style name), its generator's
name (the slug and its words), an upload's file name and a text result's content. Generation ids in
artifact slots are left out, since nobody searches for those. Tags change after the fact, so they
are matched at search time (graphql/search.py), folded the same way.

Folding drops case and accents ("Été" is stored as "ete"), here rather than in SQL, so that both
engines agree: SQLite's lower() folds ASCII only, PostgreSQL's follows the locale, and neither
drops accents without an extension.

A search matches when each of its words is found somewhere in that text (so "light" finds
"lighthouse"); a word never spans two values, since no word holds a line break.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

MAX_SEARCH_TEXT = 20_000  # characters kept per generation; a prompt is rarely a tenth of it
# How the stored text was folded: 1 by schemas/008 (case only), 2 as search_text_of does now.
# Rows below it are refolded in the background at start-up (db/search_refold.py).
SEARCH_VERSION = 2
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_NAME_SEPARATORS = re.compile(r"[-_./:]+")


def fold(text: str) -> str:
    """The form in which text is compared: no case, no accents ("Été" -> "ete"), compatibility forms alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", bare.casefold())


def search_text_of(
    input_params: Any,
    *,
    generator_name: str = "",
    file_name: str | None = None,
    content: str | None = None,
) -> str:
    """What a generation with these inputParams (and this generator, file name, text) is searched by."""
    values = [value for value in _strings(input_params) if value.strip() and not _UUID.fullmatch(value)]
    if generator_name:
        values.append(generator_name)
        words = _NAME_SEPARATORS.sub(" ", generator_name).strip()
        if words != generator_name:
            values.append(words)  # "local-title-card" is also found as "title card"
    if file_name and file_name.strip():
        values.append(file_name)
    if content and content.strip():
        values.append(content)
    return "\n".join(fold(value) for value in values)[:MAX_SEARCH_TEXT]


def content_search_text(content: str) -> str:
    """A text result's content as a further line of its generation's search text."""
    return "\n" + fold(content)[: MAX_SEARCH_TEXT // 2] if content.strip() else ""


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
