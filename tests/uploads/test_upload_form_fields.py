"""Odd text in an upload form's fields is the caller's mistake: a 400 naming the field, nothing kept.

Forms are written byte by byte here, as a hostile client could: charsets that make lone surrogates
or NULs out of plain bytes, invalid UTF-8, NULs, deep JSON-looking text, and odd file names.
"""

from __future__ import annotations

import pytest

from tests.app_harness import AppClient
from tests.graphql.helpers import create_board
from tests.uploads.samples import png_bytes
from tests.uploads.support import UPLOAD_URL, error_body, stock

BOUNDARY = "boundary-of-the-test"


def form(parts: list[tuple[bytes, bytes]]) -> bytes:
    """A multipart body from (part headers, part body) pairs."""
    body = b""
    for headers, content in parts:
        body += f"--{BOUNDARY}\r\n".encode() + headers + b"\r\n\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def field(name: str, value: bytes, charset: str | None = None) -> tuple[bytes, bytes]:
    headers = f'Content-Disposition: form-data; name="{name}"'.encode()
    if charset:
        headers += f"\r\nContent-Type: text/plain; charset={charset}".encode()
    return headers, value


def file_part(filename: bytes, content: bytes) -> tuple[bytes, bytes]:
    return (
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\nContent-Type: image/png',
        content,
    )


async def post(client: AppClient, body: bytes):
    return await client.http.post(
        UPLOAD_URL, content=body, headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    )


@pytest.mark.parametrize(
    ("description", "charset", "mentions"),
    [
        (b"+2D8-", "utf-7", ("user_description", "send text fields as UTF-8")),
        (b"\\ud800", "unicode_escape", ("user_description", "UTF-8")),
        (b"\xed\xa0\x80", None, ("user_description", "not valid UTF-8")),  # a surrogate's bytes
        (b"\xff\xfe", None, ("user_description", "not valid UTF-8")),
        (b"a\x00b", None, ("user_description", "NUL")),
    ],
)
async def test_text_no_database_can_store_is_refused_naming_the_field(
    client: AppClient, description: bytes, charset: str | None, mentions: tuple[str, ...]
) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    body = form(
        [
            field("board_id", board_id.encode()),
            field("artifact_type", b"image"),
            field("user_description", description, charset),
            file_part(b"picture.png", png_bytes()),
        ]
    )
    error_body(await post(client, body), 400, *mentions)
    assert await stock(client) == before


async def test_a_field_name_that_is_not_text_is_shown_escaped(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    body = form(
        [field("board_id", board_id.encode()), (b'Content-Disposition: form-data; name="x\xed\xa0\x80"', b"\xff")]
    )
    response = await post(client, body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "BAD_USER_INPUT"
    assert await stock(client) == before


async def test_json_nested_a_thousand_deep_in_a_field_is_just_text(client: AppClient) -> None:
    board_id = await create_board(client)
    deep = b"[" * 1000 + b"]" * 1000
    body = form(
        [
            field("board_id", board_id.encode()),
            field("artifact_type", b"image"),
            field("user_description", deep),
            file_part(b"picture.png", png_bytes()),
        ]
    )
    response = await post(client, body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("filename", [b"\xed\xa0\x80.png", b"a\x00b.png", b"\xff.png", "\u00e9t\u00e9.png".encode()])
async def test_an_odd_file_name_is_kept_as_safe_text(client: AppClient, filename: bytes) -> None:
    board_id = await create_board(client)
    body = form(
        [field("board_id", board_id.encode()), field("artifact_type", b"image"), file_part(filename, png_bytes())]
    )
    response = await post(client, body)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        data = await client.data(
            "query($id: UUID!) { generation(id: $id) { outputMetadata } }", {"id": response.json()["id"]}
        )
        name = data["generation"]["outputMetadata"]["original_filename"]
        name.encode("utf-8")  # storable text
        assert "\x00" not in name
