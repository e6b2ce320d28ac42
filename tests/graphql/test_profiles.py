"""Profiles and the teammate directory: `updateUser` (your own only) and `users(search, limit, offset)`."""

from __future__ import annotations

import base64

from tests.graphql.helpers import error_of, my_id

UPDATE = """mutation($input: UpdateUserInput!, $id: UUID) {
  updateUser(input: $input, id: $id) { id displayName email avatarUrl }
}"""
DIRECTORY = """query($search: String, $limit: Int, $offset: Int) {
  users(search: $search, limit: $limit, offset: $offset) { id displayName email avatarUrl tenantId }
}"""
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360f8cf000000030101009ea9a1a80000000049454e44ae426082"
    )
).decode()
AVATAR = f"data:image/png;base64,{PNG_1PX}"


async def test_update_your_own_profile_and_others_see_it(client, other_client):
    me = await my_id(client)
    changed = (
        await client.data(
            UPDATE, {"input": {"displayName": "  Ada   Lovelace ", "email": "ada@example.com", "avatarUrl": AVATAR}}
        )
    )["updateUser"]
    assert changed == {"id": me, "displayName": "Ada Lovelace", "email": "ada@example.com", "avatarUrl": AVATAR}
    # A field left out stays; an empty one clears (email, avatar).
    changed = (await client.data(UPDATE, {"input": {"avatarUrl": ""}, "id": me}))["updateUser"]
    assert changed["displayName"] == "Ada Lovelace" and changed["email"] == "ada@example.com"
    assert changed["avatarUrl"] is None
    assert (await client.data("{ me { displayName } }"))["me"]["displayName"] == "Ada Lovelace"
    seen = (await other_client.data("query($id: UUID!) { user(id: $id) { displayName email } }", {"id": me}))["user"]
    assert seen == {"displayName": "Ada Lovelace", "email": "ada@example.com"}


async def test_another_users_profile_is_refused_and_unchanged(client, other_client):
    other = await my_id(other_client)
    before = (await other_client.data("{ me { displayName email } }"))["me"]
    body = await client.graphql(UPDATE, {"input": {"displayName": "Mallory"}, "id": other})
    error_of(body, "FORBIDDEN", "only your own profile")
    assert (await other_client.data("{ me { displayName email } }"))["me"] == before


async def test_bad_profile_values_say_what_to_send_and_change_nothing(client, other_client):
    await client.data(UPDATE, {"input": {"displayName": "Ada", "email": "ada@example.com"}})
    cases = [
        ({"displayName": "   "}, "BAD_USER_INPUT", "displayName is empty"),
        ({"displayName": None}, "BAD_USER_INPUT", "cannot be null"),
        ({"displayName": "x" * 101}, "BAD_USER_INPUT", "at most 100"),
        ({"email": "not an address"}, "BAD_USER_INPUT", "name@example.com"),
        ({"avatarUrl": "https://example.com/me.png"}, "BAD_USER_INPUT", "data URL"),
        ({"avatarUrl": "data:image/svg+xml;base64,PHN2Zz4="}, "BAD_USER_INPUT", "data URL"),
        ({"avatarUrl": "data:image/png;base64," + "A" * 200_000}, "BAD_USER_INPUT", "at most 96 KB"),
    ]
    for given, code, mention in cases:
        error_of(await client.graphql(UPDATE, {"input": given}), code, mention)
    # An email another teammate uses names one person only.
    error_of(await other_client.graphql(UPDATE, {"input": {"email": "ADA@example.com"}}), "CONFLICT", "already uses")
    assert (await client.data("{ me { displayName email avatarUrl } }"))["me"] == {
        "displayName": "Ada",
        "email": "ada@example.com",
        "avatarUrl": None,
    }


async def test_directory_searches_name_and_email_any_case_and_pages(client, other_client, third_client):
    await client.data(UPDATE, {"input": {"displayName": "Ada Lovelace", "email": "ada@analytical.org"}})
    await other_client.data(UPDATE, {"input": {"displayName": "Grace Hopper", "email": "grace@navy.mil"}})
    await third_client.data(UPDATE, {"input": {"displayName": "Alan Turing", "email": "alan@bletchley.uk"}})

    everyone = (await client.data(DIRECTORY))["users"]
    assert [u["displayName"] for u in everyone] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert {u["tenantId"] for u in everyone} == {str(client.services.actor.tenant_id)}

    async def names(search: str | None, limit: int = 50, offset: int = 0) -> list[str]:
        found = await other_client.data(DIRECTORY, {"search": search, "limit": limit, "offset": offset})
        return [u["displayName"] for u in found["users"]]

    assert await names("LOVE") == ["Ada Lovelace"]  # the name, any case
    assert await names("NAVY.mil") == ["Grace Hopper"]  # the email, any case
    assert await names("a") == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert await names("%") == []  # LIKE's wildcards are taken literally
    assert await names("_") == []
    assert await names("   ") == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert await names(None, limit=2) == ["Ada Lovelace", "Alan Turing"]
    assert await names(None, limit=2, offset=2) == ["Grace Hopper"]
    error_of(await client.graphql(DIRECTORY, {"limit": 0}), "BAD_USER_INPUT", "limit")
    error_of(await client.graphql(DIRECTORY, {"search": "x" * 201}), "BAD_USER_INPUT", "at most 200")


async def test_directory_lists_only_your_tenant(client, other_client):
    """A user of another tenant on the same database never appears (nor by `user(id)`)."""
    import uuid

    from boards_desktop.db.models import Tenant, User

    async with client.services.database.write() as session:
        tenant = Tenant(name="Elsewhere", slug="elsewhere")
        session.add(tenant)
        await session.flush()
        stranger = User(
            tenant_id=tenant.id,
            auth_provider="local",
            auth_subject=str(uuid.uuid4()),
            display_name="Ada Stranger",
            email="ada@elsewhere.org",
        )
        session.add(stranger)
        await session.flush()
        stranger_id = str(stranger.id)
    found = (await client.data(DIRECTORY, {"search": "ada"}))["users"]
    assert found == []
    assert len((await client.data(DIRECTORY))["users"]) == 2
    assert (await client.data("query($id: UUID!) { user(id: $id) { id } }", {"id": stranger_id}))["user"] is None
