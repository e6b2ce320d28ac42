"""REST error bodies: `{"error": ..., "code": ..., "detail": ...}`, the same on every route.

`error` and `code` are ours (the code is the one GraphQL errors carry in `extensions.code`);
`detail` repeats the message where FastAPI clients, upstream's among them, read it. Routes answer
their refusals with `error_response`; `rest_error_handler` gives Litestar's own exceptions
(a 404 from the router, a 400 from a path parameter, a bug's 500) the same shape.
"""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

INTERNAL_MESSAGE = "Internal error; see the log"
_CODE_OF_STATUS = {
    400: "BAD_USER_INPUT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    416: "RANGE_NOT_SATISFIABLE",
    503: "STARTING",
}


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"error": message, "code": code, "detail": message}


def error_response(
    message: str, code: str, status: int, headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    return Response(error_body(message, code), status_code=status, media_type=MediaType.JSON, headers=headers)


def rest_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Litestar's exception handler for every route: HTTP exceptions keep their status and message."""
    if not isinstance(exc, HTTPException):
        return error_response(INTERNAL_MESSAGE, "INTERNAL", 500)  # the after_exception hook logs it
    status = exc.status_code
    message = INTERNAL_MESSAGE if status == 500 else str(exc.detail)
    code = _CODE_OF_STATUS.get(status, "INTERNAL" if status >= 500 else "BAD_REQUEST")
    response = error_response(message, code, status, headers=exc.headers)
    if exc.extra and status < 500:
        response.content["extra"] = exc.extra  # which parameter was wrong, for a validation error
    return response
