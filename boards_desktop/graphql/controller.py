"""The Litestar controller at /graphql: GraphiQL on GET in a browser, operations on POST (and GET)."""

from __future__ import annotations

from typing import Any, ClassVar

from litestar import Response
from litestar.background_tasks import BackgroundTasks
from litestar.di import Provide
from litestar.types import Dependencies
from strawberry.http import GraphQLHTTPResponse
from strawberry.litestar import make_graphql_controller
from strawberry.types import ExecutionResult

from boards_desktop.graphql.context import get_request_context
from boards_desktop.graphql.errors import format_error
from boards_desktop.graphql.schema import schema

GRAPHQL_PATH = "/graphql"


def create_graphql_controller() -> type:
    base = make_graphql_controller(
        schema, path=GRAPHQL_PATH, graphql_ide="graphiql", context_getter=get_request_context
    )

    class BoardsGraphQLController(base):  # type: ignore[valid-type,misc]  # a base class made at run time
        # Strawberry builds the placeholder response in a worker thread; it is a plain constructor,
        # and the thread hop costs more than the rest of a small query.
        dependencies: ClassVar[Dependencies] = {**base.dependencies, "response": Provide(_empty_response)}

        async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
            response: GraphQLHTTPResponse = {"data": result.data}
            if result.errors:
                response["errors"] = [format_error(error) for error in result.errors]
            if result.extensions:
                response["extensions"] = result.extensions
            return response

    return BoardsGraphQLController


async def _empty_response() -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))
