"""The UI's pages carry a Content-Security-Policy of their own origin; no response carries CORS headers."""

from __future__ import annotations

import re

import httpx

from tests.app_harness import AppClient
from tests.security.conftest import QUERY


def _policy(response: httpx.Response) -> dict[str, str]:
    directives = [d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")]
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


def _assert_hardened(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert not [name for name in response.headers if name.lower().startswith("access-control-")]


async def test_the_ui_page_allows_only_its_own_origin(app_client: AppClient) -> None:
    page = await app_client.http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    _assert_hardened(page)
    policy = _policy(page)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # no inline script, no eval, no CDN
    assert policy["connect-src"] == "'self' ws://127.0.0.1"
    assert policy["img-src"] == "'self' data: blob:" and policy["media-src"] == "'self' blob:"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "https:" not in page.headers["content-security-policy"]


async def test_the_policy_names_the_host_the_page_was_loaded_from(app_client: AppClient) -> None:
    page = await app_client.http.get("/", headers={"Host": "localhost:8123"})
    assert _policy(page)["connect-src"] == "'self' ws://localhost:8123"


async def test_the_graphql_explorer_is_served_from_the_apps_own_files(app_client: AppClient) -> None:
    page = await app_client.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    _assert_hardened(page)
    policy = _policy(page)
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"  # no inline script, no CDN
    assert policy["font-src"] == "'self' data:"  # GraphiQL's stylesheet carries its fonts
    assert policy["connect-src"] == "'self' ws://127.0.0.1" and policy["frame-ancestors"] == "'none'"
    assert "https:" not in page.headers["content-security-policy"] and "unpkg" not in page.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith(("/ui/explorer/", "data:")) for source in sources), sources
    assert "<script>" not in page.text  # every script is a file
    for source in sources:
        if source.startswith("/ui/"):
            assert (await app_client.http.get(source)).status_code == 200, source
    # A GraphQL answer on the same path keeps the UI's policy.
    answer = await app_client.http.post("/graphql", json=QUERY)
    assert _policy(answer)["font-src"] == "'self'"


async def test_every_answer_is_hardened_refusals_and_errors_included(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    responses = [
        await app_client.http.post("/graphql", json=QUERY),
        await app_client.http.get("/health"),
        await app_client.http.get("/no/such/route"),
        await app_client.http.post("/graphql", content=b"{not json", headers={"Content-Type": "application/json"}),
        await app_client.http.options("/graphql"),
        await stranger.get("/"),
        await stranger.get("/", headers={"Host": "attacker.example"}),
        await app_client.http.get("/", headers={"Origin": "http://attacker.example"}),
    ]
    for response in responses:
        _assert_hardened(response)
        assert "content-security-policy" in response.headers
