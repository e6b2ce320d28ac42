"""Requests the API cannot take, refused as the caller's mistake (400/413, BAD_USER_INPUT), changing nothing.

Bodies that are too large, not UTF-8, not a JSON object or nested too deep; subscriptions over HTTP;
text no database can store (lone surrogates, NUL) and text longer than its column.
"""

from __future__ import annotations

import pytest

from boards_desktop.graphql.request_body import MAX_BODY_BYTES, MAX_JSON_NESTING
from boards_desktop.graphql.validation import MAX_DESCRIPTION_LENGTH, MAX_TAG_NAME_LENGTH, MAX_TITLE_LENGTH

JSON = {"content-type": "application/json"}
CREATE_BOARD = "mutation($input: CreateBoardInput!) { createBoard(input: $input) { id } }"


async def _refused(client, content: bytes | str, status: int = 400, headers: dict | None = None) -> str:
    response = await client.http.post("/graphql", content=content, headers=headers or JSON)
    assert response.status_code == status, response.text
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == ("PAYLOAD_TOO_LARGE" if status == 413 else "BAD_USER_INPUT")
    return error["message"]


def _create_board_body(raw_title: str) -> str:
    """A createBoard request whose title is written as given (JSON escapes kept as sent)."""
    return '{"query": "' + CREATE_BOARD + '", "variables": {"input": {"title": ' + raw_title + "}}}"


async def _boards(client) -> list:
    return (await client.data("{ myBoards { id title } }"))["myBoards"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("[" * 1000 + "]" * 1000, f"nests arrays and objects more than {MAX_JSON_NESTING} levels deep"),
        ('{"query": "{ me { id } }", "variables": {"x": ' + "[" * 1000 + "]" * 1000 + "}}", "more than 64 levels"),
        ('{"query": "{ me { id } }", "variables": {"x": ' + "[" * 65 + "]" * 65 + "}}", "the limit is 64"),
        ("[]", "must be a JSON object such as"),
        ("1", "got a number"),
        ('"{ me { id } }"', "got a string"),
        ("null", "got null"),
        ("{not json", "is not valid JSON"),
        (b'{"query": "\xff"}', "is not UTF-8 text (byte 12 is 0xff)"),
        ('{"query": "{ me { id } }", "variables": [1]}', "`variables` must be an object"),
    ],
)
async def test_a_body_the_api_cannot_take_is_a_400_that_says_why(client, body, expected) -> None:
    assert expected in await _refused(client, body)


async def test_deep_variables_in_a_get_are_refused_too(client) -> None:
    response = await client.http.get(
        "/graphql", params={"query": "{ me { id } }", "variables": "[" * 1000 + "]" * 1000}
    )
    assert response.status_code == 400 and "more than 64 levels" in response.text


async def test_a_body_over_the_limit_is_a_413_naming_the_limit(client) -> None:
    big = '{"query": "{ me { id } }", "variables": {"x": "' + "a" * MAX_BODY_BYTES + '"}}'
    message = await _refused(client, big, status=413)
    assert f"the limit is {MAX_BODY_BYTES:,} bytes" in message


async def test_a_subscription_over_post_is_told_to_use_the_websocket(client) -> None:
    query = 'subscription { boardEvents(boardId: "00000000-0000-0000-0000-000000000000") { status } }'
    message = await _refused(client, f'{{"query": "{query.replace(chr(34), chr(92) + chr(34))}"}}')
    assert "WebSocket at /graphql" in message and "graphql-transport-ws" in message


@pytest.mark.parametrize(
    ("raw_title", "named"),
    [
        ('"a\\ud800b"', "variables.input.title: contains a lone surrogate (\\ud800 at character 2)"),
        ('"\\udfff"', "variables.input.title: contains a lone surrogate (\\udfff at character 1)"),
        ('"a\\u0000"', "variables.input.title: contains a NUL character"),
    ],
)
async def test_text_no_database_can_store_is_refused_naming_the_field(client, raw_title, named) -> None:
    body = _create_board_body(raw_title)
    response = await client.http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(named), error["message"]
    assert await _boards(client) == []


async def test_a_surrogate_pair_is_text_and_is_kept(client) -> None:
    body = _create_board_body('"\\ud83c\\udfa8 palette"')
    response = await client.http.post("/graphql", content=body, headers=JSON)
    assert "errors" not in response.json(), response.text
    assert [board["title"] for board in await _boards(client)] == ["\U0001f3a8 palette"]


async def test_text_written_into_the_query_is_checked_like_variables(client) -> None:
    body = await client.graphql('mutation { createBoard(input: {title: "a\\u0000b"}) { id } }')
    assert body["errors"][0]["message"].startswith("createBoard(input).title: contains a NUL character")
    assert await _boards(client) == []


async def test_text_longer_than_its_column_is_refused_naming_the_field(client) -> None:
    body = await client.graphql(CREATE_BOARD, {"input": {"title": "t" * (MAX_TITLE_LENGTH + 1)}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "title" in body["errors"][0]["message"] and str(MAX_TITLE_LENGTH) in body["errors"][0]["message"]

    long_description = "d" * (MAX_DESCRIPTION_LENGTH + 1)
    body = await client.graphql(CREATE_BOARD, {"input": {"title": "ok", "description": long_description}})
    assert body["errors"][0]["message"] == "description: at most 10,000 characters (got 10,001)"

    create_tag = "mutation($input: CreateTagInput!) { createTag(input: $input) { id } }"
    for field in ("name", "slug"):
        given = {"name": "ok", field: "s" * (MAX_TAG_NAME_LENGTH + 1)}
        body = await client.graphql(create_tag, {"input": given})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    assert await _boards(client) == []
    assert (await client.data("{ tags { id } }"))["tags"] == []

    exactly = "t" * MAX_TITLE_LENGTH
    await client.data(CREATE_BOARD, {"input": {"title": exactly, "description": "d" * MAX_DESCRIPTION_LENGTH}})
    assert [board["title"] for board in await _boards(client)] == [exactly]


async def test_a_body_sent_without_a_length_is_stopped_at_the_limit(client) -> None:
    async def chunks():
        yield b'{"query": "{ me { id } }", "variables": {"x": "'
        for _ in range(20):
            yield b"a" * 100_000
        yield b'"}}'

    response = await client.http.post("/graphql", content=chunks(), headers=JSON)
    assert response.status_code == 413
    assert f"the limit is {MAX_BODY_BYTES:,} bytes" in response.json()["errors"][0]["message"]
