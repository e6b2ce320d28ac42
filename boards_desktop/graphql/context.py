"""The per-request context: the app's services, the caller, its sessions, loaders and permissions."""

from __future__ import annotations

from typing import Any

import msgspec
import strawberry
from litestar import Request
from strawberry.litestar import BaseContext

from boards_desktop.api.media_urls import MediaUrls, media_urls_for
from boards_desktop.db.queries.users import Actor
from boards_desktop.graphql.loaders import Loaders
from boards_desktop.graphql.permissions import Permissions
from boards_desktop.graphql.sessions import RequestSessions
from boards_desktop.services import Services


class RequestContext(BaseContext, kw_only=True):
    services: Services
    actor: Actor
    sessions: RequestSessions
    loaders: Loaders
    permissions: Permissions
    # Stored media URLs as this request's client gets them: absolute, signed. Without a request, as stored.
    media_urls: MediaUrls = msgspec.field(default_factory=MediaUrls.as_stored)


async def get_request_context(request: Request[Any, Any, Any]) -> RequestContext:
    services: Services = request.app.state.services
    # Every request runs as the installation's local user (see boards_desktop.identity).
    actor = services.actor
    sessions = RequestSessions(services.database)
    return RequestContext(
        services=services,
        actor=actor,
        sessions=sessions,
        loaders=Loaders(sessions, actor.user_id),
        permissions=Permissions(sessions, actor),
        media_urls=media_urls_for(request.scope, services),
    )


def context_of(info: strawberry.Info) -> RequestContext:
    context: RequestContext = info.context  # Strawberry types it Any: our context_getter makes it
    return context
