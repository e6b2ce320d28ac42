"""Who reads a stored file, and whether they may: the board's roles apply to `/api/storage/...` too.

A request with the API token or the window's cookie runs as the installation's user; a signed URL
runs as the user it was issued to (security.media_signing), whose role is checked now, not when
the URL was made: removing a teammate from a board closes the URLs they already hold.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs

from litestar import Request

from boards_desktop.db.queries.access import user_may_read_board
from boards_desktop.security.media_signing import SIGNATURE_PARAM, signed_user
from boards_desktop.services import Services


async def may_read_media(request: Request[Any, Any, Any], key: str) -> bool:
    """True when the requester may read the board the key's file belongs to (keys are board/generation/file)."""
    services: Services = request.app.state.services
    user = _requester(request, services)
    board = _board_of(key)
    if user is None or board is None:
        return False
    async with services.database.read() as session:
        return await user_may_read_board(session, user, board)


def _requester(request: Request[Any, Any, Any], services: Services) -> uuid.UUID | None:
    query = request.scope.get("query_string", b"").decode("latin-1")
    if SIGNATURE_PARAM not in parse_qs(query):
        return services.actor.user_id  # the gate let it in with the token or the window's cookie
    # Checked again here: a request with the token may carry a signature the gate had no need to check,
    # and its `user` must not let the token's holder read as someone else.
    signer = getattr(services.security, "media_signer", None)
    user = signed_user(parse_qs(query), request.scope.get("path", ""), signer)  # the path as the gate checked it
    try:
        return None if user is None else uuid.UUID(user)
    except ValueError:
        return None


def _board_of(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key.split("/", 1)[0])
    except ValueError:
        return None
