"""The Linux bundle (the default, WebKitGTK one), built by packaging/build-linux.sh and run as an artist
would: its `serve` answers /health and GraphQL with the token, a `local-title-card` generation
completes, SIGTERM ends it cleanly; its window opens under Xvfb with the system's WebKitGTK and
loads the boards page. The figures (size, build time, launch to /health, launch to the page) are
printed and written to `bundle-figures.json` in the test's folder. (The Qt bundle, `--qt`, is not
built here: one bundle keeps CI's time down; tests/benchmarks/bundle_launch.py measures both.)
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.desktop.support import ROOT, WINDOW_BACKENDS, Launch, log_text, needs_xvfb, wait_for, wait_for_instance

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif("gtk" not in WINDOW_BACKENDS, reason="the gtk extra or WebKitGTK is not installed"),
    needs_xvfb,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="builds the Linux bundle"),
    pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None, reason="the packaging extra is not installed"),
]
BUILD_SECONDS = 1800


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Iterator[tuple[Path, dict]]:
    """The built bundle's executable, and the figures gathered about it."""
    folder = tmp_path_factory.mktemp("bundle")
    env = {
        **os.environ,
        "DIST": str(folder / "dist"),
        "WORK": str(folder / "work"),
        "BOARDS_SKIP_INSTALL": "1",
        "PYTHON": sys.executable,
    }
    started = time.monotonic()
    built = subprocess.run(
        ["bash", str(ROOT / "packaging" / "build-linux.sh")],
        env=env,
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=BUILD_SECONDS,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-5000:]
    dist = folder / "dist"
    archive = next(dist.glob("boards-desktop-linux-*.tar.gz"))
    figures = {
        "build_seconds": round(time.monotonic() - started, 1),
        "folder_mb": round(_size(dist / "boards-desktop") / 1e6, 1),
        "tar_gz_mb": round(archive.stat().st_size / 1e6, 1),
    }
    yield dist / "boards-desktop" / "boards-desktop", figures
    print(f"bundle figures: {json.dumps(figures)}")
    (folder / "bundle-figures.json").write_text(json.dumps(figures, indent=2))


def test_the_bundle_serves_generates_and_stops_cleanly(bundle, tmp_path) -> None:
    executable, figures = bundle
    data = tmp_path / "data"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = Launch([str(executable), "serve", "--port", str(port)], _bundle_env(data), tmp_path, "serve")
    try:
        wait_for(lambda: _answers(f"{base}/health"), 60, "/health", app)
        figures["launch_to_health_seconds"] = round(time.monotonic() - app.started, 2)
        assert httpx.get(f"{base}/health").json()["status"] == "healthy"

        token = (data / "api-token").read_text().strip()
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
            assert api.post("/graphql", json={"query": "{ me { id } }"}).json()["data"]["me"]["id"]
            assert httpx.post(f"{base}/graphql", json={"query": "{ me { id } }"}).status_code == 401  # no token

            board = _data(api, 'mutation { createBoard(input: {title: "Bundle"}) { id } }')["createBoard"]["id"]
            card = {"prompt": "Frozen, and still drawing", "width": 320, "height": 180}
            created = _data(
                api,
                "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }",
                {
                    "i": {
                        "boardId": board,
                        "generatorName": "local-title-card",
                        "artifactType": "IMAGE",
                        "inputParams": card,
                    }
                },
            )
            query = "query($id: UUID!) { generation(id: $id) { status storageUrl errorMessage } }"
            done = wait_for(
                lambda: (
                    (g := _data(api, query, {"id": created["createGeneration"]["id"]})["generation"])["status"]
                    in ("COMPLETED", "FAILED", "CANCELLED")
                    and g
                ),
                60,
                "the title card",
            )
            assert done["status"] == "COMPLETED", done
            image = api.get(done["storageUrl"])
            assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    finally:
        status = app.stop()
    # uvicorn, which `serve` runs in the main thread, shuts down gracefully on SIGTERM and then raises
    # the signal again, so that the exit status says what ended it: 0 or "terminated" are both clean.
    assert status in (0, -signal.SIGTERM), app.stderr
    assert "Traceback" not in app.stderr, app.stderr
    assert not (data / "boards.db-wal").exists()  # SQLite was closed: its write-ahead log folded back in


def test_the_bundle_opens_its_window_and_loads_the_page(bundle, tmp_path, x_display) -> None:
    executable, figures = bundle
    data = tmp_path / "data"
    app = Launch([str(executable)], _bundle_env(data, DISPLAY=x_display), tmp_path, "window")
    try:
        info = wait_for_instance(data, app, timeout=90)
        assert info["mode"] == "window"
        figures["launch_to_page_seconds"] = round(app.wait_for_output("window: page loaded", timeout=90), 2)
        # The page the window loaded asked for its script and the boards, with the window's session cookie:
        # a second launch is answered by the window, so it is up and listening.
        second = subprocess.run(
            [str(executable)],
            env=_bundle_env(data, DISPLAY=x_display),
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0 and "brought its window to the front" in second.stdout, second.stderr
    finally:
        status = app.stop()
    assert status == 0, app.stderr
    assert "window closed: stopping the server" in log_text(data)
    assert "unexpected error" not in log_text(data)


def _bundle_env(data: Path, **extra: str) -> dict[str, str]:
    # Not the checkout's Python path: the bundle must find everything inside itself.
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "PYTHONPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("BOARDS_")}
    env.update({"BOARDS_DATA_DIR": str(data), "BOARDS_CONFIG_FILE": str(data / "none.toml"), **extra})
    return env


def _data(api: httpx.Client, query: str, variables: dict | None = None) -> dict:
    body = api.post("/graphql", json={"query": query, "variables": variables or {}}).json()
    assert not body.get("errors"), body
    return body["data"]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
