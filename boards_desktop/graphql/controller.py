"""The Litestar controller at /graphql: GraphiQL on GET in a browser, operations on POST (and GET).

Requests it cannot take (not UTF-8, not a JSON object, nested too deep, too large, a subscription
over HTTP) are answered 400 or 413 with a GraphQL error that says why: see `request_body`.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, ClassVar

import msgspec
from cross_web import HTTPException as StrawberryHTTPException
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from litestar import Request, Response
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.types import Dependencies
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from boards_desktop.api.ui_files import UI_DIR
from boards_desktop.graphql import fast_page
from boards_desktop.graphql.context import RequestContext, get_request_context
from boards_desktop.graphql.errors import BAD_USER_INPUT, ApiError, format_error
from boards_desktop.graphql.limits import MAX_TOKENS
from boards_desktop.graphql.request_body import (
    MAX_BODY_BYTES,
    BodyRefused,
    check_announced_size,
    decode_json,
    decode_json_object,
    too_large,
)
from boards_desktop.graphql.schema import schema

GRAPHQL_PATH = "/graphql"
_log = logging.getLogger("boards.graphql.fast_page")
EXPLORER_PAGE = UI_DIR / "explorer" / "index.html"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
_MAYBE_SUBSCRIPTION = re.compile(r"\bsubscription\b")


def create_graphql_controller() -> type:
    base = make_graphql_controller(
        schema, path=GRAPHQL_PATH, graphql_ide="graphiql", context_getter=get_request_context
    )

    class BoardsGraphQLController(base):  # type: ignore[valid-type,misc]  # a base class made at run time
        # Strawberry builds the placeholder response in a worker thread; it is a plain constructor,
        # and the thread hop costs more than the rest of a small query. Each dependency also waits for
        # the one before it: Litestar resolves the independent ones of a request in an anyio task group,
        # three tasks a request, which cost more than the dependencies themselves (queue_throughput).
        dependencies: ClassVar[Dependencies] = {
            **base.dependencies,
            "response": Provide(_empty_response),
            "root_value": Provide(_no_root_value),
            "context": Provide(_http_context),
        }
        # Litestar's own limit is the backstop for bodies sent without a length; ours answers first.
        request_max_body_size = MAX_BODY_BYTES

        async def execute_request(self, request: Any, context: Any, root_value: Any) -> Response[Any]:
            try:
                check_announced_size(request.headers.get("content-length"))
                planned = await _planned_answer(request, context)
                if planned is not None:
                    return planned
                return await self.run(request, context=context, root_value=root_value)  # type: ignore[no-any-return]
            except RequestEntityTooLarge:
                return _refusal(too_large())
            except BodyRefused as exc:
                return _refusal(exc)
            except StrawberryHTTPException as exc:
                return _refusal(BodyRefused(exc.reason, exc.status_code))

        def encode_json(self, data: object) -> str | bytes:
            # Every answer: msgspec writes the same compact JSON as Strawberry's json.dumps several
            # times faster (text beyond ASCII as UTF-8 rather than \u escapes). What it cannot
            # write (an integer past 64 bits from a custom scalar) goes the standard way.
            try:
                return msgspec.json.encode(data)
            except (TypeError, OverflowError):
                return super().encode_json(data)  # type: ignore[no-any-return]

        def parse_json(self, data: str | bytes) -> Any:
            # The body of a POST, and the variables and extensions of a GET.
            return decode_json_object(data)

        def decode_json(self, data: str | bytes) -> object:
            # WebSocket messages: a refusal here must look like bad JSON, which closes the socket with 4400.
            try:
                return decode_json(data.decode("utf-8") if isinstance(data, bytes) else data, "the message")
            except (BodyRefused, UnicodeDecodeError) as exc:
                raise json.JSONDecodeError(str(exc), "", 0) from None

        async def render_graphql_ide(self, request: Any) -> Response[str]:
            # GraphiQL from the app's own files (ui/explorer/): nothing loaded from another origin.
            return Response(EXPLORER_PAGE.read_text(encoding="utf-8"), media_type="text/html")

        async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
            data: GraphQLRequestData | list[GraphQLRequestData] = await super().parse_http_body(request)
            if isinstance(data, GraphQLRequestData) and _is_subscription(data):
                raise BodyRefused(
                    "a subscription is sent over the WebSocket at /graphql (protocol graphql-transport-ws), "
                    "not over HTTP; queries and mutations are sent with POST"
                )
            return data

        async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
            response: GraphQLHTTPResponse = {"data": result.data}
            if result.errors:
                response["errors"] = [format_error(error) for error in result.errors]
            if result.extensions:
                response["extensions"] = result.extensions
            return response

    return BoardsGraphQLController


async def _planned_answer(request: Any, context: Any) -> Response[bytes] | None:
    """The answer of the board page's own reads (fast_page), or None for the general executor."""
    if (
        request.method != "POST"
        or not isinstance(context, RequestContext)
        or not context.services.settings.graphql_fast_path
        or "application/json" not in request.headers.get("content-type", "")
    ):
        return None
    try:
        data = decode_json_object(await request.body())
    except (BodyRefused, UnicodeDecodeError):
        return None  # refused by the general path, with its own words
    query, variables, operation_name = data.get("query"), data.get("variables"), data.get("operationName")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation_name, str | None)
        or not set(data) <= _PLANNED_KEYS
    ):
        return None
    plan = fast_page.plan_for(query, operation_name)
    if plan is None:
        return None
    try:
        body = msgspec.json.encode(await fast_page.answer(plan, variables or {}, context))
    except (fast_page.NotPlanned, GraphQLError, ApiError):
        # Outside the plan, or refused by a check the resolvers make: the executor answers, in its words.
        _log.debug("%s: left to the executor", operation_name or "an operation")
        return None
    except Exception:  # noqa: BLE001  # a bug here must not cost the caller its answer: the executor gives it
        _log.warning(
            "%s: the planned path failed; the executor answers", operation_name or "an operation", exc_info=True
        )
        return None
    finally:
        await context.sessions.close()
    _log.debug("%s: answered from its plan", operation_name or "an operation")
    return Response(body, status_code=200, media_type="application/json")


_PLANNED_KEYS = {"query", "variables", "operationName"}


async def _empty_response(custom_context: Any) -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))


async def _no_root_value(response: Any) -> None:
    return None


async def _http_context(
    custom_context: Any, response: Response[Any], request: Request[Any, Any, Any], root_value: Any
) -> Any:
    """Strawberry's context of an HTTP request (the request and its response set), after the root value.

    Typed Any for Litestar, which would otherwise model the context's own fields (the services) as a parameter.
    """
    assert isinstance(custom_context, RequestContext)
    custom_context.request = request
    custom_context.response = response
    return custom_context


def _is_subscription(data: GraphQLRequestData) -> bool:
    """Whether the operation to run is a subscription (the text is parsed only when it may be one)."""
    if not data.query or not _MAYBE_SUBSCRIPTION.search(data.query):
        return False
    try:
        document = parse(data.query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False  # execution reports the syntax error as usual
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if data.operation_name:
        operations = [o for o in operations if o.name and o.name.value == data.operation_name]
    return len(operations) == 1 and operations[0].operation == OperationType.SUBSCRIPTION


def _refusal(refused: BodyRefused) -> Response[Any]:
    code = PAYLOAD_TOO_LARGE if refused.status == 413 else BAD_USER_INPUT
    body = {"data": None, "errors": [{"message": refused.message, "extensions": {"code": code}}]}
    return Response(body, status_code=refused.status, media_type="application/json")
