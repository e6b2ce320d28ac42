"""One instance per data folder, with real processes: a second launch hands over to the first and
exits; a lock left by a killed instance is taken over; no display means serving without a window.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys

import httpx

from boards_desktop.desktop.instance_lock import InstanceInfo, InstanceLock, acquire, read_info
from tests.desktop.support import BOARDS_DESKTOP, Launch, desktop_env, instance_info, log_text, wait_for_instance


def test_without_a_display_the_app_says_so_and_serves(tmp_path) -> None:
    data = tmp_path / "data"
    first = Launch(BOARDS_DESKTOP, desktop_env(data), tmp_path)
    try:
        info = wait_for_instance(data, first)
        first.wait_for_output("Press Ctrl+C to stop.")
        said = "cannot open a window: no display (DISPLAY and WAYLAND_DISPLAY are not set); serving without one"
        assert said in first.stderr
        assert f"Boards Desktop is running at http://127.0.0.1:{info['port']}" in first.stdout
        assert info["mode"] == "headless"

        # The printed launch URL signs a browser in once; the page then lists the boards.
        launch_url = re.search(r"open (http://\S+/auth/launch\?code=\S+) within", first.stdout).group(1)
        with httpx.Client() as browser:
            signed_in = browser.get(launch_url, follow_redirects=True)
            assert signed_in.status_code == 200 and "<title>Boards</title>" in signed_in.text
            assert browser.get(launch_url).status_code == 401  # used once
    finally:
        status = first.stop(signal.SIGINT)
    assert status == 0, first.stderr
    assert instance_info(data) is None  # a clean exit leaves no instance behind


def test_a_second_launch_hands_over_to_the_first_and_exits(tmp_path) -> None:
    data = tmp_path / "data"
    first = Launch(BOARDS_DESKTOP, desktop_env(data), tmp_path, "first")
    try:
        info = wait_for_instance(data, first)
        second = subprocess.run(
            BOARDS_DESKTOP,
            env=desktop_env(data),
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
        )
        assert second.returncode == 0, second.stderr
        said = f"Boards is already running at http://127.0.0.1:{info['port']} (process {first.process.pid})"
        assert said in second.stdout
        # The first has no window, so it answered with a launch URL of its own, which works.
        launch_url = re.search(r"open (http://\S+/auth/launch\?code=\S+) to use it", second.stdout).group(1)
        assert httpx.get(launch_url).status_code == 303
        assert "another launch asked for the app" in log_text(data)
        # Still one instance: the first, serving as before.
        assert instance_info(data) == info
        assert httpx.get(f"http://127.0.0.1:{info['port']}/health").status_code == 200
    finally:
        assert first.stop() == 0, first.stderr


def test_a_lock_left_by_a_killed_instance_is_taken_over(tmp_path) -> None:
    data = tmp_path / "data"
    crashed = Launch(BOARDS_DESKTOP, desktop_env(data), tmp_path, "crashed")
    old = wait_for_instance(data, crashed)
    crashed.stop(signal.SIGKILL)
    assert instance_info(data) == old  # a killed process leaves its file behind

    again = Launch(BOARDS_DESKTOP, desktop_env(data), tmp_path, "again")
    try:
        new = wait_for_instance(data, again)
        assert new["pid"] == again.process.pid != old["pid"]
        assert httpx.get(f"http://127.0.0.1:{new['port']}/health").status_code == 200
        assert f"took over the lock of an instance that is no longer running (pid {old['pid']})" in log_text(data)
    finally:
        assert again.stop() == 0, again.stderr


def test_a_live_lock_is_not_taken_and_a_dead_pid_is(tmp_path) -> None:
    holder = acquire(tmp_path)
    assert isinstance(holder, InstanceLock)
    holder.update(port=8123, mode="window")
    # Another open of the lock file (as another process would) finds it held and learns where to go.
    other = acquire(tmp_path)
    assert isinstance(other, InstanceInfo)
    assert (other.pid, other.port, other.mode, other.base_url) == (os.getpid(), 8123, "window", "http://127.0.0.1:8123")
    holder.release()
    assert read_info(tmp_path) is None

    # A file naming a process that has ended, with the OS lock free: taken over.
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], check=False, capture_output=True, text=True
    )
    (tmp_path / "instance.json").write_text(f'{{"pid": {int(ended.stdout)}, "port": 9, "mode": "window"}}')
    taker = acquire(tmp_path)
    assert isinstance(taker, InstanceLock)
    started_at = taker.info.started_at
    assert read_info(tmp_path) == InstanceInfo(pid=os.getpid(), port=None, mode="starting", started_at=started_at)
    taker.release()


def test_browser_mode_without_a_browser_prints_the_url(tmp_path) -> None:
    data = tmp_path / "data"
    no_programs = tmp_path / "empty-path"
    no_programs.mkdir()
    env = desktop_env(data, PATH=str(no_programs))
    env.pop("BROWSER", None)
    app = Launch([*BOARDS_DESKTOP, "--browser"], env, tmp_path)
    try:
        info = wait_for_instance(data, app)
        app.wait_for_output("Press Ctrl+C to stop.")
        assert info["mode"] == "browser"
        assert "cannot open the browser (no web browser could be started)" in app.stderr
        assert "cannot open a window" not in app.stderr  # a browser was asked for: no window to miss
        assert re.search(r"open http://127\.0\.0\.1:\d+/auth/launch\?code=\S+ within two minutes", app.stdout)
    finally:
        assert app.stop(signal.SIGINT) == 0, app.stderr
