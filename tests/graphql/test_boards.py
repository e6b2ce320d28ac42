"""Boards: create, read, update, delete, and the lists (`myBoards`, `publicBoards`, `searchBoards`)."""

from __future__ import annotations

import uuid

from tests.graphql.helpers import (
    BOARD_FIELDS,
    add_member,
    create_board,
    create_generation,
    error_of,
    instant,
    is_utc,
    is_uuid,
    my_board_ids,
    my_id,
)

UPDATE_BOARD = f"mutation($input: UpdateBoardInput!) {{ updateBoard(input: $input) {{ {BOARD_FIELDS} }} }}"
BOARD = f"query($id: UUID!) {{ board(id: $id) {{ {BOARD_FIELDS} owner {{ id displayName }} generationCount }} }}"


async def test_create_board_returns_and_stores_every_field(client):
    me = await my_id(client)
    created = (
        await client.data(
            f"mutation($input: CreateBoardInput!) {{ createBoard(input: $input) {{ {BOARD_FIELDS} }} }}",
            {"input": {"title": "Moodboard", "description": "Autumn tones", "isPublic": True, "settings": {"grid": 3}}},
        )
    )["createBoard"]
    assert is_uuid(created["id"])
    assert created["title"] == "Moodboard"
    assert created["description"] == "Autumn tones"
    assert created["isPublic"] is True
    assert created["settings"] == {"grid": 3}
    assert created["metadata"] == {}
    assert created["ownerId"] == me
    assert created["tenantId"] == str(client.services.actor.tenant_id)
    assert is_utc(created["createdAt"]) and is_utc(created["updatedAt"])

    board = (await client.data(BOARD, {"id": created["id"]}))["board"]
    assert {k: board[k] for k in created} == created
    assert board["owner"]["id"] == me
    assert board["owner"]["displayName"] == client.services.identity.display_name
    assert board["generationCount"] == 0

    # Defaults: private, no description, empty settings.
    plain = (
        await client.data(
            f'mutation {{ createBoard(input: {{title: "Plain"}}) {{ {BOARD_FIELDS} }} }}',
        )
    )["createBoard"]
    assert plain["isPublic"] is False and plain["description"] is None
    assert plain["settings"] == {} and plain["metadata"] == {}


async def test_board_of_unknown_id_is_null(client):
    assert (await client.data(BOARD, {"id": str(uuid.uuid4())}))["board"] is None


async def test_update_board_changes_given_fields_only(client):
    board_id = await create_board(client, "Before", description="keep me", settings={"a": 1})
    before = (await client.data(BOARD, {"id": board_id}))["board"]

    updated = (await client.data(UPDATE_BOARD, {"input": {"id": board_id, "title": "After"}}))["updateBoard"]
    assert updated["title"] == "After"
    assert updated["description"] == "keep me"
    assert updated["settings"] == {"a": 1}
    assert updated["isPublic"] is False
    assert updated["createdAt"] == before["createdAt"]
    assert instant(updated["updatedAt"]) > instant(before["updatedAt"])

    updated = (
        await client.data(
            UPDATE_BOARD,
            {"input": {"id": board_id, "description": "new words", "isPublic": True, "settings": {"b": [1, 2]}}},
        )
    )["updateBoard"]
    assert (updated["title"], updated["description"], updated["isPublic"], updated["settings"]) == (
        "After",
        "new words",
        True,
        {"b": [1, 2]},
    )
    stored = (await client.data(BOARD, {"id": board_id}))["board"]
    assert (stored["title"], stored["description"], stored["isPublic"], stored["settings"]) == (
        "After",
        "new words",
        True,
        {"b": [1, 2]},
    )


async def test_delete_board_removes_it_and_its_generations(client):
    board_id = await create_board(client, "Doomed")
    keep_id = await create_board(client, "Kept")
    generation = await create_generation(client, board_id)

    assert (await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id}))["deleteBoard"] is True
    assert (await client.data(BOARD, {"id": board_id}))["board"] is None
    assert (await client.data("query($id: UUID!) { generation(id: $id) { id } }", {"id": generation["id"]}))[
        "generation"
    ] is None
    assert await my_board_ids(client) == [keep_id]

    body = await client.graphql("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id})
    error_of(body, "NOT_FOUND", "board")


async def test_my_boards_by_role(client, other_client):
    other = await my_id(other_client)
    own_a = await create_board(client, "Own A")
    own_b = await create_board(client, "Own B")
    theirs_member = await create_board(other_client, "Theirs, shared")
    theirs_private = await create_board(other_client, "Theirs, private")
    theirs_public = await create_board(other_client, "Theirs, public", isPublic=True)
    await add_member(other_client, theirs_member, await my_id(client), "EDITOR")
    del other, theirs_private, theirs_public

    assert set(await my_board_ids(client, role="OWNER")) == {own_a, own_b}
    assert set(await my_board_ids(client, role="MEMBER")) == {theirs_member}
    assert set(await my_board_ids(client, role="ANY")) == {own_a, own_b, theirs_member}
    assert set(await my_board_ids(client)) == {own_a, own_b, theirs_member}
    # Leaving out the role argument altogether is ANY as well.
    data = await client.data("{ myBoards { id } }")
    assert {b["id"] for b in data["myBoards"]} == {own_a, own_b, theirs_member}


async def test_my_boards_every_sort_order_and_default_updated_desc(client):
    first = await create_board(client, "First")
    second = await create_board(client, "Second")
    third = await create_board(client, "Third")
    await client.data(UPDATE_BOARD, {"input": {"id": first, "title": "First, touched"}})

    assert await my_board_ids(client, sort="CREATED_ASC") == [first, second, third]
    assert await my_board_ids(client, sort="CREATED_DESC") == [third, second, first]
    assert await my_board_ids(client, sort="UPDATED_ASC") == [second, third, first]
    assert await my_board_ids(client, sort="UPDATED_DESC") == [first, third, second]
    assert await my_board_ids(client) == [first, third, second]
    data = await client.data("{ myBoards { id } }")
    assert [b["id"] for b in data["myBoards"]] == [first, third, second]


async def test_my_boards_limit_and_offset(client):
    ids = [await create_board(client, f"Board {i}") for i in range(7)]
    newest_first = list(reversed(ids))
    assert await my_board_ids(client, sort="CREATED_DESC", limit=3) == newest_first[:3]
    assert await my_board_ids(client, sort="CREATED_DESC", limit=3, offset=3) == newest_first[3:6]
    assert await my_board_ids(client, sort="CREATED_DESC", limit=3, offset=6) == newest_first[6:]
    assert await my_board_ids(client, sort="CREATED_DESC", limit=3, offset=7) == []
    assert await my_board_ids(client, sort="CREATED_ASC", limit=2, offset=1) == ids[1:3]


async def test_public_boards_lists_public_boards_of_everyone(client, other_client):
    mine_public = await create_board(client, "Mine, public", isPublic=True)
    await create_board(client, "Mine, private")
    theirs_public = await create_board(other_client, "Theirs, public", isPublic=True)
    await create_board(other_client, "Theirs, private")
    later_public = await create_board(client, "Made public later")
    await client.data(UPDATE_BOARD, {"input": {"id": later_public, "isPublic": True}})

    for viewer in (client, other_client):
        data = await viewer.data("{ publicBoards { id isPublic } }")
        # Default order is newest update first.
        assert [b["id"] for b in data["publicBoards"]] == [later_public, theirs_public, mine_public]

    data = await client.data("{ publicBoards(sort: CREATED_ASC) { id } }")
    assert [b["id"] for b in data["publicBoards"]] == [mine_public, theirs_public, later_public]
    data = await client.data("{ publicBoards(sort: CREATED_DESC, limit: 1, offset: 1) { id } }")
    assert [b["id"] for b in data["publicBoards"]] == [theirs_public]
    data = await client.data("{ publicBoards(sort: UPDATED_ASC, limit: 2) { id } }")
    assert [b["id"] for b in data["publicBoards"]] == [mine_public, theirs_public]


async def test_search_boards(client, other_client):
    SEARCH = "query($q: String!, $limit: Int, $offset: Int) { searchBoards(query: $q, limit: $limit, offset: $offset) { id title } }"

    async def search(viewer, q, **kw):
        data = await viewer.data(SEARCH, {"q": q, "limit": 50, "offset": 0, **kw})
        return [b["id"] for b in data["searchBoards"]]

    sunset = await create_board(client, "Sunset Studies")
    beach = await create_board(client, "Beach", description="photos at SUNSET, mostly")
    await create_board(client, "Forest", description="green things")
    their_private = await create_board(other_client, "Their sunset, private")
    their_public = await create_board(other_client, "Their sunset, public", isPublic=True)
    shared = await create_board(other_client, "Shared sunsets")
    await add_member(other_client, shared, await my_id(client), "VIEWER")

    # Case-insensitive, on title or description, among readable boards, newest update first.
    assert await search(client, "sunset") == [shared, their_public, beach, sunset]
    assert their_private not in await search(client, "SUNSET")
    await client.data(UPDATE_BOARD, {"input": {"id": sunset, "description": "edited"}})
    assert await search(client, "sUnSeT") == [sunset, shared, their_public, beach]
    assert await search(client, "sunset", limit=2, offset=1) == [shared, their_public]
    assert await search(client, "green") != [] and await search(client, "nothing like this") == []

    # The other artist sees their own private board, and not my private ones.
    theirs = await search(other_client, "sunset")
    assert set(theirs) == {their_private, their_public, shared}

    # LIKE wildcards in the query are plain characters.
    percent = await create_board(client, "100% cotton")
    await create_board(client, "1000 cotton")
    underscore = await create_board(client, "file_name")
    await create_board(client, "fileXname")
    backslash = await create_board(client, "back\\slash")
    assert await search(client, "0%") == [percent]
    assert await search(client, "%") == [percent]
    assert await search(client, "e_n") == [underscore]
    assert await search(client, "_") == [underscore]
    assert await search(client, "k\\s") == [backslash]


async def test_search_boards_ignores_case_beyond_ascii(client):
    summer = await create_board(client, "Été à Paris")
    sea = await create_board(client, "Etudes", description="МОРЕ и небо")
    for query, expected in [("été", [summer]), ("ÉTÉ", [summer]), ("море", [sea]), ("НЕБО", [sea])]:
        data = await client.data("query($q: String!) { searchBoards(query: $q) { id } }", {"q": query})
        assert [b["id"] for b in data["searchBoards"]] == expected, query
