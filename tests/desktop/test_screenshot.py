"""A screenshot of the real window on an X display (Xvfb), with each installed backend: the window opens with its title, size and
page, as an artist would see it. The picture is saved outside the repository (the test's folder,
or `BOARDS_SCREENSHOT` when set) so that a person can look at it.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.desktop.support import ROOT, desktop_env, each_backend, needs_gui, needs_xvfb
from tests.desktop.test_window import _make_board

pytestmark = [needs_gui, needs_xvfb]


@each_backend
def test_a_screenshot_of_the_window(tmp_path, x_display, backend) -> None:
    data = tmp_path / "data"
    for title in ("Moodboard", "Storyboard: episode 3", "Textures"):
        asyncio.run(_make_board(data, title))
    named = os.environ.get("BOARDS_SCREENSHOT")
    picture = Path(named.replace(".png", f"-{backend}.png") if named else tmp_path / f"boards-window-{backend}.png")
    out = tmp_path / "window.json"
    result = subprocess.run(
        [sys.executable, "-m", "tests.desktop.window_check", str(out), str(picture)],
        env=desktop_env(data, display=x_display, BOARDS_WINDOW_BACKEND=backend),
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
