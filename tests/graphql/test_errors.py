"""Errors a user meets: bad input, missing things; each with `extensions.code` and a readable message."""

from __future__ import annotations

import uuid

from tests.graphql.helpers import (
    GENERATOR,
    create_board,
    create_generation,
    expect_error,
    my_board_ids,
    my_id,
)

CREATE_BOARD = "mutation($title: String!) { createBoard(input: {title: $title}) { id title } }"
UPDATE_BOARD = "mutation($id: UUID!, $title: String) { updateBoard(input: {id: $id, title: $title}) { id title } }"
CREATE_GENERATION = """mutation($input: CreateGenerationInput!) { createGeneration(input: $input) { id } }"""


async def generation_count(client, board_id: str) -> int:
    data = await client.data("query($id: UUID!) { board(id: $id) { generationCount } }", {"id": board_id})
    return data["board"]["generationCount"]


async def test_malformed_uuid_is_bad_user_input(client):
    board_id = await create_board(client, "Target")
    await expect_error(
        client,
        "query($id: UUID!) { board(id: $id) { id } }",
        {"id": "not-a-uuid"},
        "BAD_USER_INPUT",
        "uuid",
        "not-a-uuid",
    )
    await expect_error(client, '{ board(id: "12345") { id } }', None, "BAD_USER_INPUT", "uuid", "12345")
    await expect_error(client, '{ generation(id: "zzzz") { id } }', None, "BAD_USER_INPUT", "uuid", "zzzz")
    await expect_error(client, 'mutation { deleteBoard(id: "nope") }', None, "BAD_USER_INPUT", "uuid", "nope")
    await expect_error(
        client,
        CREATE_GENERATION,
        {"input": {"boardId": board_id[:-1], "generatorName": GENERATOR, "artifactType": "IMAGE", "inputParams": {}}},
        "BAD_USER_INPUT",
        "uuid",
        "boardId",
    )
    await expect_error(
        client,
        "mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u}) { id } }",
        {"b": board_id, "u": "someone"},
        "BAD_USER_INPUT",
        "uuid",
        "someone",
    )
    assert await generation_count(client, board_id) == 0
    assert (await client.data("query($id: UUID!) { board(id: $id) { members { id } } }", {"id": board_id}))["board"][
        "members"
    ] == []


async def test_board_title_must_be_1_to_255_characters_of_text(client):
    for bad in ("", "   ", "\t\n", "x" * 256, "é" * 256):
        await expect_error(client, CREATE_BOARD, {"title": bad}, "BAD_USER_INPUT", "title")
    assert await my_board_ids(client) == []

    longest = (await client.data(CREATE_BOARD, {"title": "x" * 255}))["createBoard"]
    assert longest["title"] == "x" * 255
    accented = (await client.data(CREATE_BOARD, {"title": "é" * 255}))["createBoard"]
    assert accented["title"] == "é" * 255
    assert set(await my_board_ids(client)) == {longest["id"], accented["id"]}

    for bad in ("", "   ", "y" * 256):
        await expect_error(client, UPDATE_BOARD, {"id": longest["id"], "title": bad}, "BAD_USER_INPUT", "title")
    # A bad title spoils the whole update: the other fields stay as they were too.
    await expect_error(
        client,
        'mutation($id: UUID!) { updateBoard(input: {id: $id, title: "", description: "changed", isPublic: true}) { id } }',
        {"id": longest["id"]},
        "BAD_USER_INPUT",
        "title",
    )
    board = (
        await client.data("query($id: UUID!) { board(id: $id) { title description isPublic } }", {"id": longest["id"]})
    )["board"]
    assert board == {"title": "x" * 255, "description": None, "isPublic": False}
    assert (await client.data(UPDATE_BOARD, {"id": longest["id"], "title": "y" * 255}))["updateBoard"][
        "title"
    ] == "y" * 255


async def test_unknown_enum_value_is_bad_user_input(client):
    board_id = await create_board(client, "Enums")
    other = str(uuid.uuid4())
    await expect_error(client, "{ myBoards(role: BOSS) { id } }", None, "BAD_USER_INPUT", "BOSS", "BoardQueryRole")
    await expect_error(
        client,
        "query($s: SortOrder) { myBoards(sort: $s) { id } }",
        {"s": "SIDEWAYS"},
        "BAD_USER_INPUT",
        "SIDEWAYS",
        "SortOrder",
    )
    await expect_error(
        client, "{ recentGenerations(status: DONE) { id } }", None, "BAD_USER_INPUT", "DONE", "GenerationStatus"
    )
    for artifact_type in ("PICTURE", "image"):
        await expect_error(
            client,
            CREATE_GENERATION,
            {
                "input": {
                    "boardId": board_id,
                    "generatorName": GENERATOR,
                    "artifactType": artifact_type,
                    "inputParams": {},
                }
            },
            "BAD_USER_INPUT",
            artifact_type,
            "ArtifactType",
        )
    await expect_error(
        client,
        "mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u, role: OWNER}) { id } }",
        {"b": board_id, "u": other},
        "BAD_USER_INPUT",
        "OWNER",
        "BoardRole",
    )
    assert await generation_count(client, board_id) == 0


async def test_limit_and_offset_are_validated(client):
    board_id = await create_board(client, "Paged", description="x")
    await create_generation(client, board_id)
    lists = {
        "myBoards": "query($limit: Int, $offset: Int) { myBoards(limit: $limit, offset: $offset) { id } }",
        "publicBoards": "query($limit: Int, $offset: Int) { publicBoards(limit: $limit, offset: $offset) { id } }",
        "searchBoards": 'query($limit: Int, $offset: Int) { searchBoards(query: "paged", limit: $limit, offset: $offset) { id } }',
        "recentGenerations": "query($limit: Int, $offset: Int) { recentGenerations(limit: $limit, offset: $offset) { id } }",
        "tags": "query($limit: Int, $offset: Int) { tags(limit: $limit, offset: $offset) { id } }",
        "Board.generations": (
            'query($limit: Int, $offset: Int) { board(id: "'
            + board_id
            + '") { generations(limit: $limit, offset: $offset) { id } } }'
        ),
    }
    for name, query in lists.items():
        await expect_error(client, query, {"limit": 10, "offset": -1}, "BAD_USER_INPUT", "offset")
        await expect_error(client, query, {"limit": 0, "offset": 0}, "BAD_USER_INPUT", "limit")
        await expect_error(client, query, {"limit": -3, "offset": 0}, "BAD_USER_INPUT", "limit")
        # The upper end of the defaults is fine; above 500, as upstream has no maximum, 500 rows come at most.
        for limit in (100, 1000):
            body = await client.graphql(query, {"limit": limit, "offset": 0})
            assert not body.get("errors"), (name, limit, body)


async def test_missing_board_is_not_found_in_mutations_and_null_in_queries(client, other_client):
    missing = str(uuid.uuid4())
    other = await my_id(other_client)
    assert (await client.data("query($id: UUID!) { board(id: $id) { id } }", {"id": missing}))["board"] is None
    assert (await client.data("query($id: UUID!) { recentGenerations(boardId: $id) { id } }", {"id": missing}))[
        "recentGenerations"
    ] == []
    mutations = [
        (UPDATE_BOARD, {"id": missing, "title": "Ghost"}),
        ("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": missing}),
        (
            "mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u}) { id } }",
            {"b": missing, "u": other},
        ),
        (
            "mutation($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }",
            {"b": missing, "u": other},
        ),
        (
            "mutation($b: UUID!, $u: UUID!) { updateBoardMemberRole(boardId: $b, userId: $u, role: EDITOR) { id } }",
            {"b": missing, "u": other},
        ),
        (
            CREATE_GENERATION,
            {"input": {"boardId": missing, "generatorName": GENERATOR, "artifactType": "IMAGE", "inputParams": {}}},
        ),
    ]
    for query, variables in mutations:
        await expect_error(client, query, variables, "NOT_FOUND", "board")
    assert await my_board_ids(client) == []
    assert (await client.data("{ recentGenerations { id } }"))["recentGenerations"] == []


async def test_errors_do_not_leak_internals(client):
    """A user sees a message about their request, not a traceback or SQL."""
    board_id = await create_board(client, "Quiet")
    bodies = [
        await client.graphql(CREATE_BOARD, {"title": ""}),
        await client.graphql(UPDATE_BOARD, {"id": str(uuid.uuid4()), "title": "t"}),
        await client.graphql("mutation($id: UUID!) { cancelGeneration(id: $id) { id } }", {"id": str(uuid.uuid4())}),
        await client.graphql('{ board(id: "bad") { id } }'),
        await client.graphql("query($id: UUID!) { board(id: $id) { generations(limit: 0) { id } } }", {"id": board_id}),
    ]
    for body in bodies:
        for error in body["errors"]:
            text = str(error)
            for leak in ("Traceback", "sqlalchemy", "SELECT ", "INSERT ", "UPDATE ", "psycopg", "asyncpg", "sqlite3"):
                assert leak not in text, text


async def test_generation_input_is_checked_before_anything_is_stored(client):
    board_id = await create_board(client, "Checked")
    for generator_name in ("", "   ", "g" * 101):
        await expect_error(
            client,
            CREATE_GENERATION,
            {
                "input": {
                    "boardId": board_id,
                    "generatorName": generator_name,
                    "artifactType": "IMAGE",
                    "inputParams": {},
                }
            },
            "BAD_USER_INPUT",
            "generatorName",
            "generator",
        )
    await expect_error(
        client,
        CREATE_GENERATION,
        {"input": {"boardId": board_id, "generatorName": GENERATOR, "artifactType": "IMAGE", "inputParams": None}},
        "BAD_USER_INPUT",
        "inputParams",
    )
    assert await generation_count(client, board_id) == 0

    generation = await create_generation(client, board_id)
    for kind in ("ancestry", "descendants"):
        await expect_error(
            client,
            "query($id: UUID!) { generation(id: $id) { " + kind + "(maxDepth: -1) { depth } } }",
            {"id": generation["id"]},
            "BAD_USER_INPUT",
            "maxDepth",
        )
