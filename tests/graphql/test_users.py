"""Users: `me`, `user(id)`, `User.boards` and `User.memberBoards` (unimplemented upstream)."""

from __future__ import annotations

import uuid

from tests.graphql.helpers import add_member, create_board, is_utc, my_id

USER_FIELDS = "id tenantId authProvider authSubject email displayName avatarUrl createdAt updatedAt"
USER = "query($id: UUID!) { user(id: $id) { id displayName boards { id } memberBoards { id } } }"


def ids(boards: list[dict]) -> set[str]:
    return {b["id"] for b in boards}


async def test_me_is_the_local_user_of_the_installation(client, other_client):
    me = (await client.data(f"{{ me {{ {USER_FIELDS} }} }}"))["me"]
    services = client.services
    assert me["id"] == str(services.actor.user_id)
    assert me["tenantId"] == str(services.actor.tenant_id)
    assert me["authProvider"] == "local"
    assert me["authSubject"] == services.identity.subject
    assert me["displayName"] == services.identity.display_name
    assert me["email"] is None and me["avatarUrl"] is None
    assert is_utc(me["createdAt"]) and is_utc(me["updatedAt"])

    other = (await other_client.data(f"{{ me {{ {USER_FIELDS} }} }}"))["me"]
    assert other["id"] == str(other_client.services.actor.user_id) != me["id"]
    assert other["tenantId"] == me["tenantId"]
    assert other["authSubject"] == other_client.services.identity.subject


async def test_user_by_id(client, other_client):
    other = await my_id(other_client)
    seen = (await client.data(f"query($id: UUID!) {{ user(id: $id) {{ {USER_FIELDS} }} }}", {"id": other}))["user"]
    assert seen["id"] == other
    assert seen["displayName"] == other_client.services.identity.display_name
    assert seen["authProvider"] == "local"
    assert (await client.data(USER, {"id": str(uuid.uuid4())}))["user"] is None


async def test_user_boards_and_member_boards_show_only_readable_boards(client, other_client):
    me, other = await my_id(client), await my_id(other_client)
    mine_private = await create_board(client, "Mine, private")
    mine_shared = await create_board(client, "Mine, shared")
    mine_public = await create_board(client, "Mine, public", isPublic=True)
    theirs_shared = await create_board(other_client, "Theirs, shared with me")
    theirs_private = await create_board(other_client, "Theirs, private")
    await add_member(other_client, theirs_shared, me, "EDITOR")
    await add_member(client, mine_shared, other, "VIEWER")

    own_view = (await client.data("{ me { boards { id } memberBoards { id } } }"))["me"]
    assert ids(own_view["boards"]) == {mine_private, mine_shared, mine_public}
    assert ids(own_view["memberBoards"]) == {theirs_shared}
    own_view = (await client.data(USER, {"id": me}))["user"]
    assert ids(own_view["boards"]) == {mine_private, mine_shared, mine_public}

    # Looking at someone else: their boards that I may read, nothing private to them.
    them = (await client.data(USER, {"id": other}))["user"]
    assert ids(them["boards"]) == {theirs_shared}
    assert ids(them["memberBoards"]) == {mine_shared}
    assert theirs_private not in ids(them["boards"])

    me_seen_by_them = (await other_client.data(USER, {"id": me}))["user"]
    assert ids(me_seen_by_them["boards"]) == {mine_shared, mine_public}
    assert ids(me_seen_by_them["memberBoards"]) == {theirs_shared}
    assert ids((await other_client.data("{ me { boards { id } } }"))["me"]["boards"]) == {theirs_shared, theirs_private}
