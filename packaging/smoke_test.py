"""Smoke-test a built bundle as an artist would run it (the release workflow runs this on each OS).

    python packaging/smoke_test.py PATH/TO/boards-desktop [--window]

`serve` answers /health and GraphQL with the API token, a `local-title-card` generation completes
and its PNG is served; with `--window`, the app opens its window and the window loads the boards
page (on Linux, a display is needed: run it under `xvfb-run`). Each step prints one line with its
time; the first failure ends it with status 1 and the app's output. Standard library only, so that
any Python runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Self


class SmokeFailed(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("executable", type=Path)
    parser.add_argument("--window", action="store_true", help="also open the window and wait for the boards page")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds each step may take")
    args = parser.parse_args()
    executable = args.executable.resolve()
    with tempfile.TemporaryDirectory(prefix="boards-smoke-") as folder:
        try:
            serve_and_generate(executable, Path(folder) / "serve", args.timeout)
            if args.window:
                open_the_window(executable, Path(folder) / "window", args.timeout)
        except SmokeFailed as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            return 1
    print("smoke test passed")
    return 0


def serve_and_generate(executable: Path, data: Path, timeout: float) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with _Running([str(executable), "serve", "--port", str(port)], data) as app:
        app.wait(lambda: _get(f"{base}/health") is not None, timeout, "/health to answer")
        health = _get(f"{base}/health")
        if not health or health.get("status") != "healthy":
            app.fail(f"/health answered {health}")
        print(f"/health answered {app.seconds():.1f} s after launch", flush=True)
        token = (data / "api-token").read_text().strip()

        def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            body = _post(f"{base}/graphql", {"query": query, "variables": variables or {}}, token)
            if body.get("errors") or "data" not in body:
                app.fail(f"GraphQL answered {body}")
            data_: dict[str, Any] = body["data"]
            return data_

        board = graphql('mutation { createBoard(input: {title: "Smoke test"}) { id } }')["createBoard"]["id"]
        card = {"prompt": "Built and working", "width": 320, "height": 180}
        created = graphql(
            "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }",
            {
                "i": {
                    "boardId": board,
                    "generatorName": "local-title-card",
                    "artifactType": "IMAGE",
                    "inputParams": card,
                }
            },
        )["createGeneration"]["id"]
        query = "query($id: UUID!) { generation(id: $id) { status storageUrl errorMessage } }"

        def finished() -> dict[str, Any] | None:
            generation: dict[str, Any] = graphql(query, {"id": created})["generation"]
            return generation if generation["status"] in ("COMPLETED", "FAILED", "CANCELLED") else None

        generation = app.wait(finished, timeout, "the title card")
        if generation["status"] != "COMPLETED":
            app.fail(f"the title card ended {generation}")
        url = generation["storageUrl"]
        url = url if url.startswith("http") else base + url
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            if not answer.read(8).startswith(b"\x89PNG"):
                app.fail("the title card's file is not a PNG")
        print(f"a title card was made and served {app.seconds():.1f} s after launch", flush=True)


def open_the_window(executable: Path, data: Path, timeout: float) -> None:
    log = data / "logs" / "boards.log"
    with _Running([str(executable)], data) as app:
        app.wait(lambda: log.exists() and "window: page loaded" in log.read_text(errors="replace"), timeout, "the page")
        info = json.loads((data / "instance.json").read_text())
        if info.get("mode") != "window":
            app.fail(f"the app runs without its window ({info.get('mode')}): {app.output()}")
        print(f"the window loaded the boards page {app.seconds():.1f} s after launch", flush=True)
        if "unexpected error" in log.read_text(errors="replace"):
            app.fail(f"the log has an unexpected error:\n{log.read_text(errors='replace')[-3000:]}")


class _Running:
    """The bundle in a process of its own, its output kept in a file; stopped on leaving."""

    def __init__(self, command: list[str], data: Path) -> None:
        data.mkdir(parents=True)
        self.data, self.command = data, command
        self.out = data.parent / f"{data.name}.out"

    def __enter__(self) -> Self:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOARDS_") and k not in ("PYTHONPATH",)}
        env.update({"BOARDS_DATA_DIR": str(self.data), "BOARDS_CONFIG_FILE": str(self.data / "none.toml")})
        self.started = time.monotonic()
        with open(self.out, "wb") as out:
            self.process = subprocess.Popen(self.command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            # SIGTERM ends the app gracefully on Linux and macOS; on Windows this is TerminateProcess.
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise SmokeFailed(f"{self.command[1:] or 'the window'} did not stop within 30 s of SIGTERM") from None

    def seconds(self) -> float:
        return time.monotonic() - self.started

    def output(self) -> str:
        return self.out.read_text(errors="replace")[-5000:]

    def fail(self, what: str) -> None:
        raise SmokeFailed(f"{what}\n--- the app's output ---\n{self.output()}")

    def wait(self, check: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            if self.process.poll() is not None:
                self.fail(f"the app exited ({self.process.returncode}) before {what}")
            time.sleep(0.2)
        self.fail(f"no {what} within {timeout:.0f} s")
        return None


def _get(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            body: dict[str, Any] = json.loads(answer.read())
            return body
    except (OSError, ValueError):
        return None


def _post(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            answered: dict[str, Any] = json.loads(answer.read())
            return answered
    except urllib.error.HTTPError as exc:
        return {"errors": [f"HTTP {exc.code}: {exc.read()[:500]!r}"]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


if __name__ == "__main__":
    sys.exit(main())
