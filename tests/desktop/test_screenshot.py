"""A screenshot of the real window on an X display (Xvfb): the window opens with its title, size and
page, as an artist would see it. The picture is saved outside the repository (the test's folder,
or `BOARDS_SCREENSHOT` when set) so that a person can look at it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.desktop.support import ROOT, desktop_env, needs_gui
from tests.desktop.test_window import _make_board

pytestmark = [needs_gui, pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")]


@pytest.fixture
def x_display() -> Iterator[str]:
    """A virtual X display of its own, the size of the window (no window manager: it opens at 0,0)."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x820x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    try:
        assert number.isdigit(), "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def test_a_screenshot_of_the_window(tmp_path, x_display) -> None:
    data = tmp_path / "data"
    for title in ("Moodboard", "Storyboard: episode 3", "Textures"):
        asyncio.run(_make_board(data, title))
    picture = Path(os.environ.get("BOARDS_SCREENSHOT") or tmp_path / "boards-window.png")
    out = tmp_path / "window.json"
    result = subprocess.run(
        [sys.executable, "-m", "tests.desktop.window_check", str(out), str(picture)],
        env=desktop_env(data, display=x_display),
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert "error" not in report, report
    assert sorted(report["boards"]) == ["Moodboard", "Storyboard: episode 3", "Textures"]
    with Image.open(picture) as image:
        assert image.size == (1280, 820)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 20, "the screenshot is blank"
    print(f"screenshot: {picture}")
