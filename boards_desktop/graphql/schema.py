"""The schema: the upstream Boards schema, kept without a breaking change."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types

from boards_desktop.graphql.app_settings import SettingsQuery
from boards_desktop.graphql.comfyui_workflows import ComfyuiWorkflowsQuery
from boards_desktop.graphql.errors import log_unexpected
from boards_desktop.graphql.found_settings import FoundSettingsQuery
from boards_desktop.graphql.limits import limit_extensions
from boards_desktop.graphql.local_engines import LocalEnginesQuery
from boards_desktop.graphql.mutations import Mutation
from boards_desktop.graphql.openai_endpoints import OpenaiEndpointsQuery
from boards_desktop.graphql.queries import Query
from boards_desktop.graphql.queue import QueueQuery
from boards_desktop.graphql.sessions import CloseRequestSessions
from boards_desktop.graphql.subscriptions import Subscription
from boards_desktop.graphql.trash import TrashQuery


class _Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # The caller's mistakes are answered, not logged; bugs are logged with their traceback.
        log_unexpected(errors)


# A client sends the same few operations over and over: parse and validate each text once. The
# limits (boards_desktop.graphql.limits) come after the validation cache: they run on every request,
# since what an operation costs depends on its variables.
schema = _Schema(
    # The Settings page's reads, the ComfyUI workflows, the queue panel and the trash are additions.
    query=merge_types(
        "Query",
        (
            Query,
            SettingsQuery,
            ComfyuiWorkflowsQuery,
            OpenaiEndpointsQuery,
            LocalEnginesQuery,
            QueueQuery,
            TrashQuery,
            FoundSettingsQuery,
        ),
    ),
    mutation=Mutation,
    subscription=Subscription,  # an addition: upstream had none
    extensions=[
        CloseRequestSessions,
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        *limit_extensions(),
    ],
)
