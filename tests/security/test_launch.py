"""The window's way in: a one-time launch code turns into an HttpOnly, SameSite=Strict session cookie."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx

from boards_desktop.security import set_listen_address
from tests.app_harness import AppClient
from tests.security.conftest import QUERY


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_a_launch_code_sets_the_session_cookie_and_leads_to_the_app(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    url = app_client.services.security.launch_url("http://127.0.0.1/")
    assert url.startswith("http://127.0.0.1/auth/launch?code=")

    response = await stranger.get(_path(url))
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert response.headers["cache-control"] == "no-store"
    cookie = response.headers["set-cookie"]
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    name, value = name_value.split("=", 1)
    assert name == "boards_session" and len(value) >= 40
    assert {a.lower() for a in attributes} == {"httponly", "samesite=strict", "path=/"}  # and no Secure, no Max-Age
    assert value != app_client.token

    page = await stranger.get("/", headers={"Cookie": name_value})
    assert page.status_code == 200 and "<html" in page.text.lower()
    answer = await stranger.post("/graphql", json=QUERY, headers={"Cookie": name_value, "Origin": "http://127.0.0.1"})
    assert answer.json() == {"data": {"myBoards": []}}


async def test_a_launch_code_works_once(app_client: AppClient, stranger: httpx.AsyncClient) -> None:
    url = _path(app_client.services.security.launch_url("http://127.0.0.1"))
    assert (await stranger.get(url)).status_code == 303
    again = await stranger.get(url)
    assert again.status_code == 401 and "set-cookie" not in again.headers
    assert again.json()["code"] == "UNAUTHENTICATED" and "already used or has expired" in again.json()["error"]


async def test_an_expired_launch_code_is_refused(app_client: AppClient, stranger: httpx.AsyncClient) -> None:
    url = _path(app_client.services.security.launch_url("http://127.0.0.1", lifetime=0.05))
    await asyncio.sleep(0.1)
    expired = await stranger.get(url)
    assert expired.status_code == 401 and "set-cookie" not in expired.headers


async def test_made_up_launch_codes_are_refused(app_client: AppClient, stranger: httpx.AsyncClient) -> None:
    real = urlsplit(app_client.services.security.launch_url("http://127.0.0.1")).query.split("=", 1)[1]
    for query in (
        "",
        "?code=",
        "?code=guess",
        f"?code={real[:-1]}",
        f"?code={app_client.token}",
        f"?code={real}&code={real}",
    ):
        response = await stranger.get(f"/auth/launch{query}")
        assert response.status_code == 401 and "set-cookie" not in response.headers, query


async def test_a_launch_link_from_another_site_or_host_sets_nothing(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    url = _path(app_client.services.security.launch_url("http://127.0.0.1"))
    rebinding = await stranger.get(url, headers={"Host": "attacker.example"})
    assert rebinding.status_code == 421 and "set-cookie" not in rebinding.headers
    framed = await stranger.get(url, headers={"Origin": "http://attacker.example"})
    assert framed.status_code == 403 and "set-cookie" not in framed.headers


async def test_once_the_port_is_known_the_cookie_is_named_after_it(
    app_client: AppClient, stranger: httpx.AsyncClient
) -> None:
    # Browsers share 127.0.0.1's cookies among all ports: two installations must not overwrite each other's.
    set_listen_address(app_client.app, "127.0.0.1", 8123)
    url = _path(app_client.services.security.launch_url("http://127.0.0.1:8123"))
    response = await stranger.get(url, headers={"Host": "127.0.0.1:8123"})
    name_value = response.headers["set-cookie"].split(";")[0]
    assert name_value.startswith("boards_session_8123=")
    own = {"Host": "127.0.0.1:8123", "Cookie": name_value}
    assert (await stranger.post("/graphql", json=QUERY, headers=own)).status_code == 200
    unnamed = {"Host": "127.0.0.1:8123", "Cookie": "boards_session=" + name_value.split("=", 1)[1]}
    assert (await stranger.post("/graphql", json=QUERY, headers=unnamed)).status_code == 401
