"""Every request needs the secret (the bearer token or the session cookie); /health alone is open."""

from __future__ import annotations

import httpx
import pytest

from tests.app_harness import AppClient
from tests.security.asgi_socket import websocket_handshake
from tests.security.conftest import QUERY, bearer


def _assert_refused(response: httpx.Response, token: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    if response.request.method == "POST" and response.request.url.path == "/graphql":
        # A GraphQL client looks for auth failures among GraphQL errors: the refusal is one.
        assert list(body) == ["errors"]
        (error,) = body["errors"]
        body = {"code": error["extensions"]["code"], "error": error["message"], "detail": error["message"]}
    assert body["code"] == "UNAUTHENTICATED"
    assert "Authorization: Bearer" in body["error"] and "api-token" in body["error"]
    assert body["detail"] == body["error"]  # where FastAPI clients (upstream's) read the message
    assert token not in response.text  # says where the token is, never what it is
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "access-control-allow-origin" not in response.headers


async def test_without_a_secret_nothing_answers_but_health(app_client: AppClient, stranger: httpx.AsyncClient) -> None:
    for method, path in [
        ("POST", "/graphql"),
        ("GET", "/graphql"),
        ("GET", "/"),
        ("GET", "/api/storage/a/b.png"),
        ("POST", "/api/uploads/artifact"),
        ("GET", "/api/sse/generations/x/progress"),
    ]:
        response = await stranger.request(method, path, json=QUERY if method == "POST" else None)
        _assert_refused(response, app_client.token)

    health = await stranger.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "healthy"


async def test_a_route_that_does_not_exist_is_refused_before_routing(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    # A 404 would tell a stranger which routes exist; the gate answers first.
    _assert_refused(await stranger.get("/no/such/route"), app_client.token)
    assert (await app_client.http.get("/no/such/route")).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-the-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token {token}",  # the right token under another scheme
        "Bearer {token}x",
        "Bearer {short}",
    ],
)
async def test_a_wrong_token_is_refused(app_client: AppClient, stranger: httpx.AsyncClient, authorization: str) -> None:
    header = authorization.format(token=app_client.token, short=app_client.token[:-1])
    response = await stranger.post("/graphql", json=QUERY, headers={"Authorization": header})
    _assert_refused(response, app_client.token)


async def test_the_right_token_gets_in_whatever_the_scheme_case(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    for scheme in ("Bearer", "bearer", "BEARER"):
        headers = {"Authorization": f"{scheme} {app_client.token}"}
        response = await stranger.post("/graphql", json=QUERY, headers=headers)
        assert response.status_code == 200 and response.json() == {"data": {"myBoards": []}}


@pytest.mark.parametrize("name", ["token", "access_token", "api_token"])
async def test_a_token_in_the_query_string_is_refused(
    app_client: AppClient, stranger: httpx.AsyncClient, name: str
) -> None:
    response = await stranger.post(f"/graphql?{name}={app_client.token}", json=QUERY)
    assert response.status_code == 401
    assert "never accepted" in response.json()["errors"][0]["message"]
    assert app_client.token not in response.text


@pytest.mark.parametrize("cookie", ["boards_session=guess", "boards_session={token}", "boards_session_8000={token}"])
async def test_a_cookie_with_a_wrong_value_is_refused(
    app_client: AppClient, stranger: httpx.AsyncClient, cookie: str
) -> None:
    # Even the API token is not a session cookie: the two secrets are apart.
    response = await stranger.post("/graphql", json=QUERY, headers={"Cookie": cookie.format(token=app_client.token)})
    _assert_refused(response, app_client.token)


async def test_the_gate_refuses_websocket_handshakes_without_a_secret(app_client: AppClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Cookie": "boards_session=guess"}):
        refused = await websocket_handshake(app_client.app, "/graphql", headers=headers)
        assert not refused.accepted and refused.closed_with == 1008 and refused.reason == "UNAUTHENTICATED"

    accepted = await websocket_handshake(app_client.app, "/graphql", headers=bearer(app_client.token))
    assert accepted.accepted, accepted
