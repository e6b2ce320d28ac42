"""uploadArtifact(fileUrl) through the real app: addresses of this machine and its network are refused.

The app's fetcher is never relaxed, so a server on 127.0.0.1 cannot serve it even in tests; the
download itself (and its redirects) is tested on the fetcher with a test policy (test_url_fetch).
"""

from __future__ import annotations

import pytest

from tests.app_harness import AppClient
from tests.graphql.helpers import create_board, expect_error
from tests.uploads.local_server import Route, local_server
from tests.uploads.samples import png_bytes
from tests.uploads.support import stock

UPLOAD = """
mutation($input: UploadArtifactInput!) { uploadArtifact(input: $input) { id status } }
"""


def upload_input(board_id: str, file_url: str | None, **more: object) -> dict:
    return {"input": {"boardId": board_id, "artifactType": "IMAGE", "fileUrl": file_url, **more}}


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1/picture.png", "fileUrl: 127.0.0.1 is a loopback address; give a public http(s) URL"),
        ("http://10.0.0.1/picture.png", "fileUrl: 10.0.0.1 is a private address; give a public http(s) URL"),
        ("http://localhost:8000/picture.png", "fileUrl: localhost is this computer"),
        ("http://2130706433/", "2130706433 (that is 127.0.0.1) is a loopback address"),
        ("http://0x7f.1/", "0x7f.1 (that is 127.0.0.1) is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "an IPv6 form of 127.0.0.1, a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://192.168.1.1/", "private"),
        ("file:///etc/passwd", "fileUrl: file:// is not allowed, only http:// and https://"),
        ("ftp://example.com/picture.png", "fileUrl: ftp:// is not allowed"),
        ("", "fileUrl is missing"),
        (None, "fileUrl is missing"),
    ],
)
async def test_forbidden_urls_are_refused_and_nothing_is_kept(client: AppClient, url: str | None, said: str) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    error = await expect_error(client, UPLOAD, upload_input(board_id, url), "BAD_USER_INPUT", said)
    assert said in error["message"]
    assert await stock(client) == before


async def test_the_app_does_not_fetch_from_a_server_on_this_machine(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    with local_server() as server:
        server.routes["/picture.png"] = Route(body=png_bytes())
        await expect_error(
            client, UPLOAD, upload_input(board_id, server.url("/picture.png")), "BAD_USER_INPUT", "loopback"
        )
        assert server.requests == []
    assert await stock(client) == before


async def test_the_board_and_role_are_checked_before_any_download(client: AppClient, other_client: AppClient) -> None:
    board_id = await create_board(client)
    unknown = "00000000-0000-4000-8000-000000000000"
    # No network is needed: these are refused before the URL's host is looked up.
    await expect_error(client, UPLOAD, upload_input(unknown, "https://example.com/a.png"), "NOT_FOUND", "not found")
    await expect_error(other_client, UPLOAD, upload_input(board_id, "https://example.com/a.png"), "FORBIDDEN", "editor")
    await expect_error(
        client,
        UPLOAD,
        upload_input(board_id, "https://example.com/a.png", parentGenerationId=unknown),
        "BAD_USER_INPUT",
        "parentGenerationId",
    )
    await expect_error(
        client,
        UPLOAD,
        upload_input(board_id, "https://example.com/a.png", artifactType="LORA"),
        "BAD_USER_INPUT",
        "artifactType",
    )


async def test_a_name_that_does_not_resolve_is_refused(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    await expect_error(
        client, UPLOAD, upload_input(board_id, "http://no-such-host.invalid/a.png"), "BAD_USER_INPUT", "was not found"
    )
    assert await stock(client) == before
