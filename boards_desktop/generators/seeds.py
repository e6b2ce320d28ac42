"""A new seed for "rerun with a new seed": only for generators whose inputs have a field named `seed`.

The seed is drawn within the field's own bounds (its JSON schema's minimum and maximum), and
differs from the one before, so the rerun makes a different result.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from boards_desktop.generators.base import BaseGenerator

SEED_FIELD = "seed"
# Most engines take a 32-bit seed; a field without its own maximum gets one that fits everywhere.
DEFAULT_MAXIMUM = 2**31 - 1


def seed_bounds(generator: BaseGenerator) -> tuple[int, int] | None:
    """(lowest, highest) seed the generator takes; None when it has no `seed` input."""
    schema = generator.get_input_schema().model_json_schema()
    field = schema.get("properties", {}).get(SEED_FIELD)
    if not isinstance(field, dict):
        return None
    integer = _integer_schema(field)
    if integer is None:
        return None
    low = 0
    if "minimum" in integer:
        low = math.ceil(integer["minimum"])
    elif "exclusiveMinimum" in integer:
        low = math.floor(integer["exclusiveMinimum"]) + 1
    high = DEFAULT_MAXIMUM
    if "maximum" in integer:
        high = min(high, math.floor(integer["maximum"]))
    elif "exclusiveMaximum" in integer:
        high = min(high, math.ceil(integer["exclusiveMaximum"]) - 1)
    return (low, high) if low <= high else None


def new_seed(generator: BaseGenerator, previous: Any) -> int | None:
    """A seed in the generator's bounds other than `previous`; None when it has no `seed` input."""
    bounds = seed_bounds(generator)
    if bounds is None:
        return None
    low, high = bounds
    if low == high:
        return low
    while True:
        seed = low + secrets.randbelow(high - low + 1)
        if seed != previous:
            return seed


def _integer_schema(field: dict[str, Any]) -> dict[str, Any] | None:
    """The integer part of a seed's schema (`int | None` is an anyOf of an integer and null)."""
    if field.get("type") in ("integer", "number"):
        return field
    for option in field.get("anyOf", []):
        if isinstance(option, dict) and option.get("type") in ("integer", "number"):
            return option
    return None
