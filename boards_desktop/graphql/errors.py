"""Errors the API reports, and the one place where every error gets its `extensions.code`.

Resolvers raise `ApiError` (through the helpers below) for what the caller can fix or should
know. Anything else that escapes a resolver is a bug: the caller sees a generic message and the
traceback goes to the log. Errors raised before execution (a query that does not parse or
validate, a variable of the wrong type) are the caller's input, so they are BAD_USER_INPUT.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from graphql import GraphQLError

from boards_desktop.media.disk_space import disk_full_message, is_disk_full

log = logging.getLogger("boards.graphql")

NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
CONFLICT = "CONFLICT"
INTERNAL = "INTERNAL"
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
INSUFFICIENT_STORAGE = "INSUFFICIENT_STORAGE"  # the disk is full: the artist frees space and tries again

INTERNAL_MESSAGE = "Internal error; see the log"


class ApiError(Exception):
    """An error meant for the caller: a readable message and a machine-readable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": code}


def not_found(message: str) -> ApiError:
    return ApiError(message, NOT_FOUND)


PERMISSION_DENIED = "Permission denied"


def forbidden(message: str) -> ApiError:
    """A refusal for lack of a right; it starts with the words upstream's clients look for."""
    return ApiError(permission_denied(message), FORBIDDEN)


def permission_denied(message: str) -> str:
    """`Permission denied: <message>`, the message's first letter lowered unless it starts an acronym."""
    if message.startswith(PERMISSION_DENIED):
        return message
    if message[:1].isupper() and not message[1:2].isupper():
        message = message[0].lower() + message[1:]
    return f"{PERMISSION_DENIED}: {message}"


def bad_input(message: str) -> ApiError:
    return ApiError(message, BAD_USER_INPUT)


def conflict(message: str) -> ApiError:
    return ApiError(message, CONFLICT)


def disk_full(folder: Path) -> ApiError:
    return ApiError(disk_full_message(folder), INSUFFICIENT_STORAGE)


def is_unexpected(error: GraphQLError) -> bool:
    """True for an error raised by a bug in a resolver, rather than by the caller's request."""
    if error.path is None:
        return False  # parse, validation and variable errors happen before any resolver runs
    return not isinstance(error.original_error, ApiError) and not is_disk_full(error.original_error)


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            original = error.original_error
            log.error(
                "GraphQL resolver failed at %s: %s",
                ".".join(map(str, error.path or [])),
                original or error.message,
                exc_info=(type(original), original, original.__traceback__) if original else None,
            )
        elif error.path is not None and not isinstance(error.original_error, ApiError):
            # A full disk met by a resolver that did not expect it: one line, no traceback.
            log.warning("the disk is full at %s: %s", ".".join(map(str, error.path)), error.original_error)


def format_error(error: GraphQLError) -> dict[str, Any]:
    """The error as sent: a generic message for bugs, and always an `extensions.code`."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if is_unexpected(error):
        formatted["message"] = INTERNAL_MESSAGE
        extensions = {"code": INTERNAL}
    elif not isinstance(error.original_error, ApiError) and is_disk_full(error.original_error):
        # A write the resolver did not expect to fail (any mutation): the artist's state, not a bug.
        formatted["message"] = disk_full_message(Path("the data folder"))
        extensions = {"code": INSUFFICIENT_STORAGE}
    elif "code" not in extensions:
        extensions["code"] = BAD_USER_INPUT
    formatted["extensions"] = extensions
    return formatted
