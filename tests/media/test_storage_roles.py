"""`/api/storage/...` checks the board's roles at every read, for the token and for signed URLs.

Two installations on one database (each with its own media folder): A owns a board, B is a teammate.
B's app serves a file of A's board only while B may read that board; a signed URL B already holds
stops working the moment A removes B.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx

from boards_desktop.media import store_media
from tests.app_harness import AppClient
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import add_member, create_board, my_id
from tests.media.samples import image_bytes

pytestmark = ENGINES_AND_BACKENDS

REMOVE = "mutation($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }"
ROLE = (
    "mutation($b: UUID!, $u: UUID!, $r: BoardRole!) { updateBoardMemberRole(boardId: $b, userId: $u, role: $r) { id } }"
)


async def _file_on(client: AppClient, board: str, data: bytes) -> str:
    """A file of `board` in this app's media folder; its stored URL (`/api/storage/<key>`)."""
    stored = await store_media(
        client.services.media, board_id=board, generation_id=uuid.uuid4(), source=data, artifact_type="image"
    )
    return stored.storage_url


async def _signed(client: AppClient, stored_url: str) -> str:
    """The URL as the app hands it out to its user: absolute, signed (media_urls makes it per request)."""
    from boards_desktop.api.media_urls import MediaUrls

    services = client.services
    urls = MediaUrls("http://127.0.0.1", services.security.media_signer, 3600.0, str(services.actor.user_id))
    signed = urls(stored_url)
    assert signed is not None
    return signed


async def test_a_member_reads_and_a_removed_member_gets_404_even_with_a_url_they_hold(
    client: AppClient, other_client: AppClient
) -> None:
    owner, teammate = client, other_client
    board = await create_board(owner, "Shared")
    teammate_id = await my_id(teammate)
    data = image_bytes("PNG", (64, 48))
    stored_url = await _file_on(teammate, board, data)
    signed = await _signed(teammate, stored_url)
    assert parse_qs(urlsplit(signed).query)["user"] == [teammate_id]
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=teammate.app), base_url="http://127.0.0.1")

    async with bare:
        # Not yet a member: neither the token nor a signed URL opens it.
        assert (await teammate.http.get(stored_url)).status_code == 404
        assert (await bare.get(signed)).status_code == 404

        await add_member(owner, board, teammate_id, "VIEWER")
        viewed = await bare.get(signed)
        assert viewed.status_code == 200 and viewed.content == data
        assert (await teammate.http.get(stored_url)).status_code == 200
        ranged = await bare.get(signed, headers={"Range": "bytes=0-7"})
        assert ranged.status_code == 206 and ranged.content == data[:8]
        download = await bare.get(signed + "&download=true&filename=shared.png")
        assert download.status_code == 200 and 'filename="shared.png"' in download.headers["content-disposition"]

        await owner.data(ROLE, {"b": board, "u": teammate_id, "r": "EDITOR"})
        assert (await bare.get(signed)).status_code == 200

        await owner.data(REMOVE, {"b": board, "u": teammate_id})
        refused = await bare.get(signed)
        assert refused.status_code == 404 and refused.content != data
        assert (await bare.head(signed)).status_code == 404
        assert (await bare.get(signed, headers={"Range": "bytes=0-7"})).status_code == 404
        assert (await teammate.http.get(stored_url)).status_code == 404

        # A public board is readable by everyone of the tenant again.
        await owner.data(
            "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }", {"i": {"id": board, "isPublic": True}}
        )
        assert (await bare.get(signed)).status_code == 200


async def test_a_url_issued_to_the_owner_cannot_be_replayed_as_another_user(
    client: AppClient, other_client: AppClient
) -> None:
    """The user id is part of what is signed: rewriting it, even with the app's own token, opens nothing."""
    board = await create_board(client, "Private")
    stored_url = await _file_on(client, board, image_bytes("PNG", (8, 8)))
    signed = await _signed(client, stored_url)
    owner_id, stranger_id = await my_id(client), await my_id(other_client)
    assert (await client.http.get(signed)).status_code == 200
    forged = signed.replace(owner_id, stranger_id)
    assert (await client.http.get(forged)).status_code == 404  # with the token too: the signature is checked again
    # A file of a board that is not in the database is no one's to read.
    orphan = await _file_on(client, str(uuid.uuid4()), image_bytes("PNG", (8, 8)))
    assert (await client.http.get(orphan)).status_code == 404
