"""The same attacks against a real `boards-desktop serve` on a real port, spoken to over real sockets."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.app_harness import read_token


@dataclass
class Served:
    port: int
    token: str
    stderr_lines: list[str]


def _start(data_dir: Path, *args: str) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "BOARDS_DATA_DIR": str(data_dir), "BOARDS_CONFIG_FILE": str(data_dir / "none.toml")}
    env.pop("BOARDS_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", "0", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    assert line.startswith("Boards Desktop is running at http://"), (line, process.stderr.read())
    return process, int(line.rsplit(":", 1)[1])


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)
    return process.stderr.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir = tmp_path_factory.mktemp("served")
    process, port = _start(data_dir)
    stderr: list[str] = []
    try:
        yield Served(port, read_token(data_dir), stderr)
    finally:
        stderr.extend(_stop(process).splitlines())


def request(
    port: int, method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly the Host header given (urllib would write its own)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host)
        for name, value in {**(headers or {}), "Content-Length": str(len(body or b""))}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def websocket_status(port: int, host: str, headers: dict[str, str]) -> int:
    """The status line's code of a WebSocket handshake on /graphql (101 when accepted)."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        "GET /graphql HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Protocol: graphql-transport-ws",
        *[f"{name}: {value}" for name, value in headers.items()],
    ]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


QUERY = json.dumps({"query": "{ myBoards { id } }"}).encode()
JSON = {"Content-Type": "application/json"}


def test_the_served_app_wants_the_token_and_health_stays_open(served: Served) -> None:
    host = f"127.0.0.1:{served.port}"
    assert request(served.port, "GET", "/health", host)[0] == 200
    status, headers, body = request(served.port, "POST", "/graphql", host, JSON, QUERY)
    assert status == 401 and served.token.encode() not in body
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    status, _, body = request(served.port, "POST", f"/graphql?token={served.token}", host, JSON, QUERY)
    assert status == 401
    auth = {**JSON, "Authorization": f"Bearer {served.token}"}
    for own in (host, f"localhost:{served.port}"):
        status, headers, body = request(served.port, "POST", "/graphql", own, auth, QUERY)
        assert status == 200 and json.loads(body) == {"data": {"myBoards": []}}
        assert not [name for name in headers if name.startswith("access-control-")]


@pytest.mark.parametrize(
    "host",
    ["attacker.example:{port}", "127.0.0.1:{other}", "localhost:{other}", "127.0.0.1", "rebind.attacker.example"],
)
def test_the_served_app_refuses_a_rebinding_host_even_with_the_token(served: Served, host: str) -> None:
    host = host.format(port=served.port, other=served.port + 1)
    auth = {**JSON, "Authorization": f"Bearer {served.token}"}
    status, _, body = request(served.port, "POST", "/graphql", host, auth, QUERY)
    assert status == 421 and json.loads(body)["code"] == "FORBIDDEN_HOST"
    assert f"127.0.0.1:{served.port}" in json.loads(body)["error"]
    assert request(served.port, "GET", "/health", host)[0] == 421


def test_the_served_app_refuses_a_foreign_origin_with_the_token(served: Served) -> None:
    host = f"127.0.0.1:{served.port}"
    auth = {"Authorization": f"Bearer {served.token}", "Origin": "http://attacker.example"}
    assert request(served.port, "POST", "/graphql", host, {**auth, **JSON}, QUERY)[0] == 403
    assert request(served.port, "GET", "/api/sse/boards/anything", host, auth)[0] == 403
    preflight = {"Origin": "http://attacker.example", "Access-Control-Request-Method": "POST"}
    status, headers, _ = request(served.port, "OPTIONS", "/graphql", host, preflight)
    assert status == 403 and not [name for name in headers if name.startswith("access-control-")]


def test_the_served_graphql_websocket_wants_our_host_our_origin_and_the_secret(served: Served) -> None:
    # A refused handshake is closed before it is accepted: uvicorn answers 403 whatever the reason.
    host = f"127.0.0.1:{served.port}"
    token = {"Authorization": f"Bearer {served.token}"}
    assert websocket_status(served.port, host, {**token, "Origin": "http://attacker.example"}) == 403
    assert websocket_status(served.port, f"attacker.example:{served.port}", token) == 403
    assert websocket_status(served.port, host, {"Origin": f"http://{host}"}) == 403
    assert websocket_status(served.port, host, {**token, "Origin": f"http://{host}"}) == 101


def test_serving_on_the_network_warns_and_still_checks_host_and_token(tmp_path: Path) -> None:
    data_dir = tmp_path / "network"
    process, port = _start(data_dir, "--host", "0.0.0.0")
    try:
        token = read_token(data_dir)
        assert request(port, "POST", "/graphql", f"127.0.0.1:{port}", JSON, QUERY)[0] == 401
        assert request(port, "POST", "/graphql", f"attacker.example:{port}", JSON, QUERY)[0] == 421
        auth = {**JSON, "Authorization": f"Bearer {token}"}
        assert request(port, "POST", "/graphql", f"127.0.0.1:{port}", auth, QUERY)[0] == 200
        assert websocket_status(port, f"127.0.0.1:{port}", {"Origin": "http://attacker.example"}) == 403
    finally:
        stderr = _stop(process)
    assert "reachable from the network; every request needs the API token" in stderr
    assert "ERROR" not in stderr and "Traceback" not in stderr  # refusals are answers, not failures
    assert str(data_dir / "api-token") in stderr and token not in stderr
