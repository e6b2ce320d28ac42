"""The GraphQL API at /graphql (placeholder until the full schema lands)."""

from __future__ import annotations

import strawberry
from strawberry.litestar import make_graphql_controller


@strawberry.type
class Query:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


schema = strawberry.Schema(query=Query)


def create_graphql_controller():  # noqa: ANN201
    return make_graphql_controller(schema, path="/graphql")
