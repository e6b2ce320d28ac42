"""The window opens at once on the app's shell, while the server starts beside it, and then shows
the boards page; when the server cannot start, the shell says why (Xvfb, the real app).

The server's start is made slow for real: the test holds an exclusive lock on the database, which
the server's first connection waits for (SQLite's busy timeout), and lets go once it has seen the shell.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.support import Launch, desktop_env, instance_info, log_text, needs_gui, wait_for
from tests.desktop.test_window import _make_board

pytestmark = [needs_gui, pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")]

SHELL_CHECK = [sys.executable, "-m", "tests.desktop.shell_check"]


def _written(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def test_the_shell_shows_while_the_server_starts_then_the_boards_page(tmp_path: Path, x_display: str) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    asyncio.run(_make_board(data, "Moodboard"))
    database = sqlite3.connect(data / "boards.db", isolation_level=None)
    database.execute("PRAGMA journal_mode=DELETE")  # out of WAL, so that a lock keeps readers out too
    database.execute("BEGIN EXCLUSIVE")
    app = Launch([*SHELL_CHECK, str(out)], desktop_env(data, display=x_display), tmp_path)
    try:
        try:
            shell = wait_for(lambda: _written(out / "shell.json"), 25, "the shell", app)
            assert shell["title"] == "Boards"
            assert shell["shell"] == {"state": "starting", "text": "Starting…"}
            # The server is still waiting for the database: it has not answered, nor said its port.
            info = instance_info(data)
            assert info is not None and info["mode"] == "starting" and info["port"] is None
        finally:
            database.rollback()
            database.close()
        page = wait_for(lambda: _written(out / "page.json"), 90, "the boards page", app)
        assert "error" not in page, page
        assert page["shell"] is None and page["state"] == "ready" and page["boards"] == ["Moodboard"]
        assert app.process.wait(30) == 0, app.stderr
    finally:
        app.kill()
    said = log_text(data)
    assert said.index("window: shell shown") < said.index("server ready at") < said.index("window: page loaded")


def test_when_the_server_cannot_start_the_shell_says_why(tmp_path: Path, x_display: str) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    data.mkdir()
    (data / "boards.db").write_bytes(b"these bytes are not a SQLite database\n" * 200)
    app = Launch([*SHELL_CHECK, str(out)], desktop_env(data, display=x_display), tmp_path)
    try:
        page = wait_for(lambda: _written(out / "page.json"), 90, "the shell's answer", app)
        assert "error" not in page, page
        status = page["shell"]
        assert status["state"] == "failed", page
        assert status["text"].startswith("Boards could not start\n")
        assert "is not a SQLite database" in status["text"] and "left untouched" in status["text"]
        assert f"The details are in {data / 'logs' / 'boards.log'}" in status["text"]
        assert app.process.wait(30) == 2  # a refusal, as `serve` says it
    finally:
        app.kill()
    ours = [line for line in app.stderr.splitlines() if line.startswith("boards-desktop: ")]
    assert len(ours) == 1 and "is not a SQLite database" in ours[0], app.stderr
