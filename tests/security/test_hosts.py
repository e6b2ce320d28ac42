"""DNS rebinding: a page on attacker.example whose name resolves to 127.0.0.1 still sends its own Host."""

from __future__ import annotations

import httpx
import pytest

from boards_desktop.security import set_listen_address
from tests.app_harness import AppClient
from tests.security.asgi_socket import websocket_handshake
from tests.security.conftest import QUERY

REBINDING = [
    "attacker.example",
    "attacker.example:8000",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example",
    "127.0.0.2:8000",
    "[::1]junk",
    "",
    "0.0.0.0:8000",
    "[::ffff:7f00:1]",
]


def _assert_misdirected(response: httpx.Response) -> None:
    assert response.status_code == 421, response.text
    body = response.json()
    assert body["code"] == "FORBIDDEN_HOST" and "answers only to 127.0.0.1" in body["error"]
    # The foreign name is not echoed into our policy headers.
    assert "attacker" not in response.headers["content-security-policy"]


@pytest.mark.parametrize("host", REBINDING)
async def test_a_foreign_host_is_refused_even_with_the_token(app_client: AppClient, host: str) -> None:
    _assert_misdirected(await app_client.http.post("/graphql", json=QUERY, headers={"Host": host}))
    _assert_misdirected(await app_client.http.get("/health", headers={"Host": host}))


async def test_a_foreign_host_is_refused_on_the_websocket(app_client: AppClient) -> None:
    refused = await websocket_handshake(app_client.app, "/graphql", headers={}, host="attacker.example")
    assert not refused.accepted and refused.reason == "FORBIDDEN_HOST"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8123", "localhost:1", "LOCALHOST:8123", "[::1]:8123"])
async def test_loopback_names_pass_on_any_port_while_the_port_is_unknown(app_client: AppClient, host: str) -> None:
    # In process (and under `uvicorn --factory`) the app does not know its port.
    response = await app_client.http.post("/graphql", json=QUERY, headers={"Host": host})
    assert response.status_code == 200, response.text


async def test_once_the_port_is_known_only_that_port_passes(app_client: AppClient) -> None:
    set_listen_address(app_client.app, "127.0.0.1", 8123)
    for host in ("127.0.0.1:8123", "localhost:8123", "[::1]:8123"):
        assert (await app_client.http.post("/graphql", json=QUERY, headers={"Host": host})).status_code == 200
    for host in ("127.0.0.1:8124", "127.0.0.1", "localhost:80", "attacker.example:8123"):
        _assert_misdirected(await app_client.http.post("/graphql", json=QUERY, headers={"Host": host}))


async def test_a_network_address_chosen_with_host_is_accepted_too(app_client: AppClient) -> None:
    set_listen_address(app_client.app, "192.168.7.20", 8123)
    for host in ("192.168.7.20:8123", "127.0.0.1:8123"):
        assert (await app_client.http.post("/graphql", json=QUERY, headers={"Host": host})).status_code == 200
    for host in ("192.168.7.21:8123", "attacker.example:8123"):
        _assert_misdirected(await app_client.http.post("/graphql", json=QUERY, headers={"Host": host}))
