"""The JSON of a GraphQL request over HTTP, refused with a clear 400 or 413 before anything runs.

A body must be UTF-8, at most MAX_BODY_BYTES, a JSON object (no batches) nesting at most
MAX_JSON_NESTING levels; the same holds for the `variables` and `extensions` of a GET. Python's
JSON decoder recurses once per level, so a body nested a thousand deep would otherwise end in a
RecursionError (a 500) and deep variables would cost every walk over them the same.
"""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_BYTES = 1_000_000
"""The largest GraphQL request body: far above any operation (files go to /api/uploads/artifact)."""
MAX_JSON_NESTING = 64
"""Levels of arrays and objects in a body or its variables; inputs nest a few levels at most."""


class BodyRefused(Exception):
    """A request the API cannot take as sent: the message says what to send instead."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def too_large(size: int | None = None) -> BodyRefused:
    got = f" ({size:,} bytes)" if size is not None else ""
    return BodyRefused(
        f"the request body is too large{got}; the limit is {MAX_BODY_BYTES:,} bytes: send files to "
        "/api/uploads/artifact, and large lists in several requests",
        status=413,
    )


def check_announced_size(content_length: str | None) -> None:
    """Refuse a body announced as too large before reading it."""
    if content_length and content_length.strip().isdigit() and int(content_length) > MAX_BODY_BYTES:
        raise too_large(int(content_length))


def decode_json_object(data: str | bytes, what: str = "the request body") -> dict[str, Any]:
    """The JSON object in `data`, or BodyRefused saying what is wrong with it."""
    if len(data) > MAX_BODY_BYTES:
        raise too_large(len(data))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BodyRefused(
                f"{what} is not UTF-8 text (byte {exc.start + 1} is 0x{data[exc.start]:02x}); send JSON encoded as UTF-8"
            ) from None
    value = decode_json(data, what)
    if not isinstance(value, dict):
        raise BodyRefused(
            f'{what} must be a JSON object such as {{"query": "{{ me {{ id }} }}", "variables": {{}}}}; '
            f"got {json_kind(value)}"
        )
    return value


def decode_json(text: str, what: str = "the request body") -> Any:
    """Any JSON value nesting at most MAX_JSON_NESTING levels, or BodyRefused."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(what) from None
    except json.JSONDecodeError as exc:
        raise BodyRefused(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    depth = nesting(value)
    if depth > MAX_JSON_NESTING:
        raise _too_deep(what)
    return value


def nesting(value: Any) -> int:
    """How many levels of arrays and objects a decoded JSON value has, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_JSON_NESTING:
            break  # refused whatever lies deeper
        stack.extend((child, depth) for child in children if isinstance(child, (dict, list)))
    return deepest


def _too_deep(what: str) -> BodyRefused:
    # The walk stops one level past the limit: "more than" is all that can be said, and all that matters.
    return BodyRefused(
        f"{what} nests arrays and objects more than {MAX_JSON_NESTING} levels deep; the limit is {MAX_JSON_NESTING}"
    )


def json_kind(value: Any) -> str:
    """What a decoded JSON value is, in words: "an array", "a string", ... (for refusals)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null" if value is None else type(value).__name__
