"""Another web page in the artist's browser cannot drive the app, whatever credentials ride along."""

from __future__ import annotations

import httpx
import pytest

from tests.app_harness import AppClient
from tests.security.asgi_socket import websocket_handshake
from tests.security.conftest import QUERY, bearer

FOREIGN = ["http://attacker.example", "http://127.0.0.1:9999", "http://localhost", "null", "https://127.0.0.1"]


def _assert_foreign(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "FORBIDDEN_ORIGIN"
    assert "another web page" in response.json()["error"] or "another site" in response.json()["error"]
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("origin", FOREIGN)
async def test_a_foreign_origin_is_refused_even_with_the_token(app_client: AppClient, origin: str) -> None:
    _assert_foreign(await app_client.http.post("/graphql", json=QUERY, headers={"Origin": origin}))
    _assert_foreign(await app_client.http.get("/", headers={"Origin": origin}))


async def test_a_foreign_origin_is_refused_on_the_sse_stream(app_client: AppClient) -> None:
    for path in ("/api/sse/generations/00000000-0000-0000-0000-000000000000/progress", "/api/sse/boards/x"):
        _assert_foreign(await app_client.http.get(path, headers={"Origin": "http://attacker.example"}))


async def test_a_foreign_origin_is_refused_on_the_graphql_websocket(app_client: AppClient) -> None:
    headers = {**bearer(app_client.token), "Origin": "http://attacker.example"}
    refused = await websocket_handshake(app_client.app, "/graphql", headers=headers)
    assert not refused.accepted and refused.closed_with == 1008 and refused.reason == "FORBIDDEN_ORIGIN"

    own = await websocket_handshake(app_client.app, "/graphql", headers={**headers, "Origin": "http://127.0.0.1"})
    assert own.accepted


async def test_the_apps_own_origin_gets_in(app_client: AppClient) -> None:
    response = await app_client.http.post("/graphql", json=QUERY, headers={"Origin": "http://127.0.0.1"})
    assert response.status_code == 200 and response.json() == {"data": {"myBoards": []}}


@pytest.mark.parametrize(
    "site",
    ["cross-site", "same-site", "CROSS-SITE", "Same-Site", "cross-site, cross-site", "same-origin, cross-site", ""],
)
async def test_a_change_requested_by_another_site_is_refused(app_client: AppClient, site: str) -> None:
    # A form posted from another site sends no Origin in some browsers, but always Sec-Fetch-Site;
    # any case, repetition or mix that is not all our own page counts as another site.
    mutation = {"query": 'mutation { createBoard(input: {title: "pwned"}) { id } }'}
    _assert_foreign(await app_client.http.post("/graphql", json=mutation, headers={"Sec-Fetch-Site": site}))
    boards = await app_client.data("{ myBoards { title } }")
    assert boards == {"myBoards": []}  # nothing was changed


async def test_a_repeated_sec_fetch_site_header_counts_every_value(app_client: AppClient) -> None:
    mutation = {"query": 'mutation { createBoard(input: {title: "pwned"}) { id } }'}
    headers = [("Sec-Fetch-Site", "same-origin"), ("Sec-Fetch-Site", "cross-site")]
    _assert_foreign(await app_client.http.post("/graphql", json=mutation, headers=headers))
    assert await app_client.data("{ myBoards { title } }") == {"myBoards": []}


async def test_reading_from_a_navigation_and_changes_from_our_own_page_pass(app_client: AppClient) -> None:
    assert (await app_client.http.get("/", headers={"Sec-Fetch-Site": "none"})).status_code == 200
    for own in ("same-origin", "Same-Origin", "same-origin, same-origin"):
        response = await app_client.http.post("/graphql", json=QUERY, headers={"Sec-Fetch-Site": own})
        assert response.status_code == 200, own


async def test_a_cors_preflight_gets_no_cors_headers(app_client: AppClient, stranger: httpx.AsyncClient) -> None:
    preflight = {
        "Origin": "http://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    for client in (stranger, app_client.http):
        response = await client.options("/graphql", headers=preflight)
        assert response.status_code == 403
        assert not [name for name in response.headers if name.lower().startswith("access-control-")]
    # Without an Origin (not a browser's preflight), OPTIONS is an ordinary request: still no CORS.
    response = await app_client.http.options("/graphql")
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]
