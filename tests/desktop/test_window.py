"""The real window, with each installed backend (Qt offscreen, WebKitGTK under Xvfb): it loads the app through its launch URL, the page lists the boards
fetched from GraphQL, the JavaScript bridge answers, and a second launch brings the window forward.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

from tests.app_harness import running_app
from tests.desktop.support import (
    BOARDS_DESKTOP,
    ROOT,
    Launch,
    each_backend,
    log_text,
    needs_gui,
    wait_for_instance,
    window_env,
)

pytestmark = needs_gui


async def _make_board(data, title: str) -> None:
    async with running_app(f"sqlite+aiosqlite:///{data / 'boards.db'}", data) as app:
        await app.data("mutation($t: String!) { createBoard(input: {title: $t}) { id } }", {"t": title})


@each_backend
def test_the_window_shows_the_boards_page(tmp_path, backend, request) -> None:
    data = tmp_path / "data"
    asyncio.run(_make_board(data, "Moodboard"))
    out = tmp_path / "window.json"
    result = subprocess.run(
        [sys.executable, "-m", "tests.desktop.window_check", str(out)],
        env=window_env(data, backend, request),
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert "error" not in report, report
    assert report["title"] == "Boards" and report["url"] == "/"  # the launch URL redirected to the app, signed in
    assert report["state"] == "ready", report
    assert report["boards"] == ["Moodboard"]
    assert report["api"] == "function"  # window.pywebview.api works under the app's strict CSP
    bridge = report["bridge"]
    assert "segment starting with '.'" in bridge["outside"]["error"]
    assert "there is no file 'no-such-board/nothing.png' in the media folder" in bridge["missing"]["error"]
    assert "window: page loaded" in log_text(data)


@each_backend
def test_a_second_launch_brings_the_window_forward_and_sigterm_closes_it(tmp_path, backend, request) -> None:
    data = tmp_path / "data"
    env = window_env(data, backend, request)
    first = Launch(BOARDS_DESKTOP, env, tmp_path, "first")
    try:
        info = wait_for_instance(data, first)
        assert info["mode"] == "window"
        first.wait_for_output("window: page loaded")
        second = subprocess.run(
            BOARDS_DESKTOP,
            env=env,
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert second.returncode == 0, second.stderr
        said = f"Boards is already running (process {first.process.pid}): brought its window to the front"
        assert said in second.stdout
        assert "another launch asked for the window: brought it forward" in log_text(data)
    finally:
        status = first.stop()
    assert status == 0, first.stderr
    assert "window closed: stopping the server" in log_text(data)
