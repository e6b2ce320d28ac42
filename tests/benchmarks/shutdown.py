"""Seconds from SIGTERM to the exit of `boards-desktop serve`, idle, with the page's SSE stream open, and
with a GraphQL request waiting on a service that never answers. The grace is 5 s.

Run: .venv/bin/python -m tests.benchmarks.shutdown [--runs 3]
"""

from __future__ import annotations

import argparse
import signal
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.serve_process import Serve, serve_env


def _idle(server: Serve) -> None:
    pass


def _sse_open(server: Serve) -> None:
    board = server.data('mutation { createBoard(input: {title: "b"}) { id } }')["createBoard"]["id"]
    opened = threading.Event()

    def read() -> None:
        try:
            with server.http.stream("GET", f"/api/sse/boards/{board}", timeout=60) as response:
                opened.set()
                for _ in response.iter_bytes():
                    pass
        except Exception:  # noqa: BLE001 - cut by the shutdown: what is measured is the exit
            opened.set()

    threading.Thread(target=read, daemon=True).start()
    opened.wait(30)


def _long_request(server: Serve) -> None:
    asked = threading.Event()
    listener = server.silent_service  # type: ignore[attr-defined]

    def accept() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        asked.set()
        time.sleep(120)

    threading.Thread(target=accept, daemon=True).start()
    mutation = 'mutation { addModelGenerator(provider: "fal", model: "fal-ai/slow/model") { name } }'

    def ask() -> None:
        try:
            server.http.post("/graphql", json={"query": mutation}, timeout=120)
        except Exception:  # noqa: BLE001, S110 - cut by the shutdown
            pass

    threading.Thread(target=ask, daemon=True).start()
    asked.wait(30)


def measure(prepare: Callable[[Serve], None]) -> float:
    root = Path(tempfile.mkdtemp(prefix="boards-shutdown-"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    env = serve_env(root / "data", BOARDS_FAL_OPENAPI_URL=f"http://127.0.0.1:{listener.getsockname()[1]}/o.json")
    server = Serve(env, root)
    server.silent_service = listener  # type: ignore[attr-defined]
    try:
        prepare(server)
        started = time.perf_counter()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(120)
        return time.perf_counter() - started
    finally:
        server.kill()
        listener.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for name, prepare in (("idle", _idle), ("SSE stream open", _sse_open), ("long GraphQL request", _long_request)):
        times = [measure(prepare) for _ in range(args.runs)]
        print(f"{name:>22}: SIGTERM to exit median {statistics.median(times):.2f} s, worst {max(times):.2f} s")


if __name__ == "__main__":
    main()
