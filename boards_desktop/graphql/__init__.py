"""The Boards GraphQL API at /graphql: `schema` and the Litestar controller that serves it."""

from __future__ import annotations

from boards_desktop.graphql.controller import create_graphql_controller
from boards_desktop.graphql.schema import schema

__all__ = ["create_graphql_controller", "schema"]
