"""The contract's slug rule, with white space of every kind treated as upstream treated it."""

import pytest

from boards_desktop.db.queries.tags import slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Golden Hour", "golden-hour"),
        ("snake_case_name", "snake-case-name"),
        ("tab\tand\nnewline", "tab-and-newline"),
        ("  --Été!! 2026--  ", "t-2026"),
        ("a - - b", "a-b"),
        ("???", ""),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
