"""Text that no database can store, found in a request before anything runs.

A lone surrogate (JSON's `"\\ud800"` without its pair) is not text: it cannot be written as UTF-8,
so SQLite's driver and PostgreSQL both fail on it. A NUL character is refused by PostgreSQL in
text and JSONB. Either is the caller's mistake, answered with BAD_USER_INPUT naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError

from boards_desktop.graphql.errors import BAD_USER_INPUT

_MAX_PROBLEMS = 5  # one message per field is plenty; a fuzzer's thousand bad strings need not all be named


def text_problem(text: str) -> str | None:
    """What is wrong with a string, or None when a database can store it."""
    if "\x00" in text:
        return f"contains a NUL character (at character {text.index(chr(0)) + 1}); remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"contains a lone surrogate (\\u{ord(text[exc.start]):04x} at character {exc.start + 1}), which is not "
            "text: send valid UTF-8 (a surrogate is only valid as half of a pair)"
        )
    return None


def text_problems(value: Any, path: str) -> list[GraphQLError]:
    """A BAD_USER_INPUT error for each string (and key) in a JSON-like value that a database cannot store."""
    errors: list[GraphQLError] = []
    for where, problem in find_text_problems(value, path):
        errors.append(GraphQLError(f"{where}: {problem}", extensions={"code": BAD_USER_INPUT}))
    return errors


def find_text_problems(value: Any, path: str) -> list[tuple[str, str]]:
    """(where, what) for the first few bad strings in a JSON-like value, walked without recursion."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack and len(found) < _MAX_PROBLEMS:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                found.append((where or "the request", problem))
        elif isinstance(item, Mapping):
            for key, child in item.items():
                key_text = str(key)
                key_problem = text_problem(key_text)
                if key_problem:
                    found.append((f"{where}: a key", key_problem))
                    continue
                stack.append((f"{where}.{key_text}" if where else key_text, child))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(item))
    return found
