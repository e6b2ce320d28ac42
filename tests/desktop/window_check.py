"""Run the real desktop app and report, through pywebview's `evaluate_js`, what its window shows.

`python -m tests.desktop.window_check OUT.json [SCREENSHOT.png]` (settings from the environment):
starts the app as `boards-desktop` does, waits until the boards list is drawn, writes what the
page shows to OUT.json, optionally saves a screenshot of the X display (under Xvfb), closes the
window, and exits with the app's status.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from boards_desktop.desktop import run_app
from boards_desktop.settings import load_settings

_STATE = """(() => {
  const list = document.querySelector('[data-testid=boards]');
  return {
    url: location.pathname,
    title: document.title,
    state: list ? list.dataset.state : null,
    boards: [...(list?.querySelectorAll('li[data-board-id] strong') ?? [])].map(title => title.textContent),
    text: list ? list.innerText : null,
    api: typeof window.pywebview?.api?.save_as,
  };
})()"""


# The bridge answers the page through promises; run_js cannot await, so the page keeps the outcomes.
_ASK_BRIDGE = """(() => {
  window.__bridge = {};
  const keep = (name) => [
    value => { window.__bridge[name] = {value}; },
    error => { window.__bridge[name] = {error: error.message}; },
  ];
  pywebview.api.show_in_folder('../../etc/passwd').then(...keep('outside'));
  pywebview.api.save_as('/api/storage/no-such-board/nothing.png', 'copy.png').then(...keep('missing'));
  return true;
})()"""
_BRIDGE_ANSWERS = "Object.keys(window.__bridge).length === 2 ? window.__bridge : null"


def main(out: Path, screenshot: Path | None) -> int:
    started = time.monotonic()

    def look(app_window) -> None:
        report: dict = {}
        try:
            app_window.loaded.wait(30)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                report = app_window.evaluate(_STATE) or {}
                if report.get("state") in ("ready", "error") and report.get("api") == "function":
                    break
                time.sleep(0.05)
            report["seconds_to_boards"] = round(time.monotonic() - started, 2)
            app_window.evaluate(_ASK_BRIDGE)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not report.get("bridge"):
                report["bridge"] = app_window.evaluate(_BRIDGE_ANSWERS)
                time.sleep(0.05)
            if screenshot is not None:
                time.sleep(0.5)  # let the compositor paint the last frame
                from PIL import ImageGrab

                ImageGrab.grab(xdisplay=None).save(screenshot)
                report["screenshot"] = str(screenshot)
        except Exception as exc:  # noqa: BLE001 - reported in the output file
            report["error"] = repr(exc)
        finally:
            out.write_text(json.dumps(report))
            app_window.close()

    return run_app(load_settings(), when_window_started=look)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None))
