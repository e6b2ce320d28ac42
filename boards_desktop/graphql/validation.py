"""Checks on arguments, each failing with a BAD_USER_INPUT error that says what to send instead."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from boards_desktop.db.queries.board_grid import GridFilter
from boards_desktop.db.search_text import search_words
from boards_desktop.graphql.errors import bad_input
from boards_desktop.graphql.request_body import json_kind

if TYPE_CHECKING:
    from boards_desktop.graphql.inputs import GenerationFilter

T = TypeVar("T")

MAX_LIMIT = 500
MAX_TITLE_LENGTH = 255
MAX_GENERATOR_NAME_LENGTH = 100
MAX_TAG_NAME_LENGTH = 100
MAX_LINEAGE_DEPTH = 1000
MAX_BULK_IDS = 1000
MAX_FILTER_VALUES = 100
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 16
MAX_COVERS = 16
MAX_DESCRIPTION_LENGTH = 10_000


def page(limit: int | None, offset: int | None, *, default_limit: int = 50) -> tuple[int, int]:
    """A valid (limit, offset); an explicit null means the default."""
    limit = default_limit if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 1:
        raise bad_input(f"limit must be at least 1 (got {limit}); at most {MAX_LIMIT} rows come at once")
    # Upstream has no maximum and its clients ask for a few hundred: a larger limit gets MAX_LIMIT rows
    # (the rest comes with the next offset) rather than an error that a client would not expect.
    limit = min(limit, MAX_LIMIT)
    if offset < 0:
        raise bad_input(f"offset must be 0 or more (got {offset})")
    return limit, offset


def board_title(title: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise bad_input("Board title is empty; give the board a title")
    if len(cleaned) > MAX_TITLE_LENGTH:
        raise bad_input(f"Board title is {len(cleaned)} characters long; use at most {MAX_TITLE_LENGTH}")
    return cleaned


def optional_text(text: str | None, field: str = "description") -> str | None:
    """Trimmed text, or None when there is nothing left (a blank description clears it)."""
    if text is None:
        return None
    cleaned = text.strip()
    if len(cleaned) > MAX_DESCRIPTION_LENGTH:
        raise bad_input(f"{field}: at most {MAX_DESCRIPTION_LENGTH:,} characters (got {len(cleaned):,})")
    return cleaned or None


def json_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON object argument; null means an empty one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_input(f"{what} must be a JSON object (got {json_kind(value)}), for example {{}}")
    return value


def generator_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise bad_input("generatorName is empty; name the generator to run (see the `generators` query)")
    if len(cleaned) > MAX_GENERATOR_NAME_LENGTH:
        raise bad_input(f"generatorName is {len(cleaned)} characters long; use at most {MAX_GENERATOR_NAME_LENGTH}")
    return cleaned


def tag_name(name: str) -> str:
    """The name as given (it is the tag's label); only a blank one is refused."""
    if not name.strip():
        raise bad_input("Tag name is empty; give the tag a name")
    if len(name) > MAX_TAG_NAME_LENGTH:
        raise bad_input(f"Tag name is {len(name)} characters long; use at most {MAX_TAG_NAME_LENGTH}")
    return name


def lineage_depth(max_depth: int) -> int:
    if not 0 <= max_depth <= MAX_LINEAGE_DEPTH:
        raise bad_input(f"maxDepth must be between 0 and {MAX_LINEAGE_DEPTH} (got {max_depth})")
    return max_depth


def bulk_ids(ids: Sequence[T], field: str) -> list[T]:
    """The ids of a bulk action, each once, in the order given: between 1 and MAX_BULK_IDS."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise bad_input(f"{field} is empty; send between 1 and {MAX_BULK_IDS} ids")
    if len(unique) > MAX_BULK_IDS:
        raise bad_input(
            f"{field} holds {len(unique)} ids; send at most {MAX_BULK_IDS} in one call and the rest in further calls"
        )
    return unique


def grid_filter(given: GenerationFilter | None, user_id: uuid.UUID) -> GridFilter | None:
    """The filter as the queries take it; None when it keeps every generation."""
    if given is None:
        return None
    for field, values in (
        ("filter.artifactTypes", given.artifact_types),
        ("filter.statuses", given.statuses),
        ("filter.tagIds", given.tag_ids),
        ("filter.generatorNames", given.generator_names),
    ):
        if values is not None and len(values) > MAX_FILTER_VALUES:
            raise bad_input(f"{field} holds {len(values)} values; use at most {MAX_FILTER_VALUES}")
    words: tuple[str, ...] = ()
    if given.search is not None:
        if len(given.search) > MAX_SEARCH_LENGTH:
            raise bad_input(f"filter.search is {len(given.search)} characters long; use at most {MAX_SEARCH_LENGTH}")
        words = search_words(given.search)
        if len(words) > MAX_SEARCH_WORDS:
            raise bad_input(f"filter.search has {len(words)} words; use at most {MAX_SEARCH_WORDS}")
    result = GridFilter(
        artifact_types=_sorted_values(given.artifact_types),
        statuses=_sorted_values(given.statuses),
        favourites_of=user_id if given.favourites_only else None,
        tag_ids=tuple(sorted(set(given.tag_ids or ()), key=str)),
        generator_names=tuple(sorted({name.strip() for name in given.generator_names or () if name.strip()})),
        words=words,
    )
    return None if result.is_open else result


def cover_count(limit: int | None) -> int:
    limit = 4 if limit is None else limit
    if not 0 <= limit <= MAX_COVERS:
        raise bad_input(f"limit must be between 0 and {MAX_COVERS} (got {limit})")
    return limit


def _sorted_values(members: Sequence[Any] | None) -> tuple[str, ...]:
    # Sorted so that the same filter in another order is the same loader key.
    return tuple(sorted({member.value for member in members or ()}))


def search_text(search: str | None) -> str | None:
    """A trimmed search text, or None for none (blank lists everything)."""
    cleaned = (search or "").strip()
    if len(cleaned) > MAX_SEARCH_LENGTH:
        raise bad_input(f"search is {len(cleaned)} characters long; use at most {MAX_SEARCH_LENGTH}")
    return cleaned or None
