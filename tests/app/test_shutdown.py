"""SIGTERM stops the server within its grace whatever is running, with no traceback anywhere.

Real processes and real clients: the page's SSE stream (always open), a GraphQL subscription over
a WebSocket, and a GraphQL request that waits on a service that never answers. The deadlines
below only guard against a hang; they measure nothing.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.app_harness import read_token
from tests.benchmarks.startup import free_port
from tests.serve_process import BOARDS_DESKTOP, Serve, Started, serve_env, wait_for

HANG_GUARD_SECONDS = 20.0
CREATE_BOARD = 'mutation { createBoard(input: {title: "shutdown"}) { id } }'


def _no_traceback(started: Started, data_dir: Path) -> None:
    assert "Traceback" not in started.stderr, started.stderr
    log = data_dir / "logs" / "boards.log"
    assert "Traceback" not in (log.read_text() if log.exists() else ""), log.read_text()


class _Reader(threading.Thread):
    """Reads an SSE stream to its end; `outcome` says how it ended."""

    def __init__(self, http: httpx.Client, path: str) -> None:
        super().__init__(daemon=True)
        self.http, self.path = http, path
        self.opened = threading.Event()
        self.outcome = ""

    def run(self) -> None:
        try:
            with self.http.stream("GET", self.path, timeout=60) as response:
                assert response.status_code == 200
                self.opened.set()
                for _ in response.iter_bytes():
                    pass
            self.outcome = "ended"
        except Exception as exc:  # noqa: BLE001 - the test reads what happened
            self.outcome = repr(exc)
            self.opened.set()


def test_sigterm_with_an_open_sse_stream_ends_the_stream_and_exits(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = Serve(serve_env(data), tmp_path)
    board = server.data(CREATE_BOARD)["createBoard"]["id"]
    stream = _Reader(server.http, f"/api/sse/boards/{board}")
    stream.start()
    assert stream.opened.wait(30) and not stream.outcome, stream.outcome

    server.process.send_signal(signal.SIGTERM)
    status = server.wait(HANG_GUARD_SECONDS, "after SIGTERM")

    assert status in (0, -signal.SIGTERM), server.stderr
    stream.join(10)
    assert stream.outcome == "ended"  # a clean end of the response, not a connection cut mid-stream
    _no_traceback(server, data)
    assert "timeout graceful shutdown exceeded" not in server.stderr


def test_the_window_launcher_without_a_display_stops_as_cleanly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    app = Started(BOARDS_DESKTOP, serve_env(data), tmp_path, "app")
    line = wait_for(lambda: "Press Ctrl+C to stop." in app.stdout and app.stdout, 90, "the app to serve", app)
    url = next(s for s in line.splitlines() if s.startswith("Boards Desktop is running at ")).rsplit(" ", 1)[1]
    http = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {read_token(data)}"})
    board = http.post("/graphql", json={"query": CREATE_BOARD}).json()["data"]["createBoard"]["id"]
    stream = _Reader(http, f"/api/sse/generations/{_queued(http, board)}/progress")
    stream.start()
    assert stream.opened.wait(30) and not stream.outcome, stream.outcome

    app.process.send_signal(signal.SIGTERM)
    status = app.wait(HANG_GUARD_SECONDS, "after SIGTERM")

    assert status == 0, app.stderr
    stream.join(10)
    assert stream.outcome == "ended"
    _no_traceback(app, data)
    http.close()


def _queued(http: httpx.Client, board: str) -> str:
    # A generation that stays pending (its provider is paused in tests): its stream stays open.
    query = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-generator",
      artifactType: IMAGE, inputParams: {prompt: "waits"}}) { id } }"""
    return str(
        http.post("/graphql", json={"query": query, "variables": {"b": board}}).json()["data"]["createGeneration"]["id"]
    )


def test_sigterm_completes_an_open_graphql_subscription(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = Serve(serve_env(data), tmp_path)
    board = server.data(CREATE_BOARD)["createBoard"]["id"]
    address = server.url.replace("http://", "ws://") + "/graphql"
    headers = {"Authorization": f"Bearer {read_token(data)}"}
    received: list[dict[str, Any]] = []
    with connect(address, subprotocols=["graphql-transport-ws"], additional_headers=headers, open_timeout=10) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(ws.recv(10))["type"] == "connection_ack"
        subscription = "subscription($b: UUID!) { boardEvents(boardId: $b) { status } }"
        ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": subscription, "variables": {"b": board}}})
        )
        ws.ping().wait(10)  # the subscription is under way once the server has read it

        server.process.send_signal(signal.SIGTERM)
        try:
            while True:
                received.append(json.loads(ws.recv(HANG_GUARD_SECONDS)))
        except ConnectionClosed:
            pass

    status = server.wait(HANG_GUARD_SECONDS, "after SIGTERM")
    assert status in (0, -signal.SIGTERM), server.stderr
    assert {"id": "1", "type": "complete"} in received, received  # ended by the server, cleanly
    _no_traceback(server, data)


@pytest.fixture
def silent_service() -> Iterator[tuple[str, threading.Event]]:
    """An HTTP service on loopback that takes requests and never answers; the event is set at the first."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    asked = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                connection, _ = listener.accept()
                held.append(connection)
                connection.recv(65536)
                asked.set()
        except OSError:
            pass  # closed: the test is over

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", asked
    finally:
        listener.close()
        for connection in held:
            connection.close()


def test_sigterm_during_a_long_graphql_request_answers_it_and_exits(
    tmp_path: Path, silent_service: tuple[str, threading.Event]
) -> None:
    service, asked = silent_service
    data = tmp_path / "data"
    # Adding a fal model reads its description from fal's site: here, a service that never answers.
    server = Serve(serve_env(data, BOARDS_FAL_OPENAPI_URL=f"{service}/openapi.json"), tmp_path)
    answer: dict[str, Any] = {}

    def ask() -> None:
        mutation = 'mutation { addModelGenerator(provider: "fal", model: "fal-ai/slow/model") { name } }'
        try:
            response = server.http.post("/graphql", json={"query": mutation}, timeout=60)
            answer.update(status=response.status_code, body=response.text)
        except httpx.HTTPError as exc:
            answer.update(error=repr(exc))

    request = threading.Thread(target=ask, daemon=True)
    request.start()
    assert asked.wait(30), server.stderr  # the request is in flight, waiting on the service

    server.process.send_signal(signal.SIGTERM)
    status = server.wait(HANG_GUARD_SECONDS, "after SIGTERM")

    assert status in (0, -signal.SIGTERM), server.stderr
    request.join(10)
    assert answer.get("status") == 503 and "shutting down" in answer["body"], answer
    _no_traceback(server, data)
    assert "timeout graceful shutdown exceeded" not in server.stderr


def test_under_uvicorn_the_factory_ends_the_sse_stream_on_sigterm_too(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    factory = Started(
        [sys.executable, "-m", "uvicorn", "--factory", "boards_desktop.app:create_app", "--port", str(port)],
        serve_env(data),
        tmp_path,
        "factory",
    )
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    wait_for(lambda: _answers(http), 60, "the factory to answer", factory)
    http.headers["Authorization"] = f"Bearer {read_token(data)}"
    board = http.post("/graphql", json={"query": CREATE_BOARD}).json()["data"]["createBoard"]["id"]
    stream = _Reader(http, f"/api/sse/boards/{board}")
    stream.start()
    assert stream.opened.wait(30) and not stream.outcome, stream.outcome

    factory.process.send_signal(signal.SIGTERM)
    status = factory.wait(HANG_GUARD_SECONDS, "after SIGTERM")

    assert status in (0, -signal.SIGTERM), factory.stderr
    stream.join(10)
    assert stream.outcome == "ended"
    _no_traceback(factory, data)
    assert "timeout graceful shutdown exceeded" not in factory.stderr
    http.close()


def _answers(http: httpx.Client) -> bool:
    try:
        return http.get("/health").status_code == 200
    except httpx.HTTPError:
        return False
