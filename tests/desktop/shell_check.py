"""Run the real desktop app and report what its window shows first, then once the app has started.

`python -m tests.desktop.shell_check OUT_DIR` (settings from the environment): starts the app as
`boards-desktop` does; once the window has drawn its start-up shell, writes what it shows to
OUT_DIR/shell.json; then waits until the boards list is drawn, or the shell says that the start
failed, writes that to OUT_DIR/page.json, closes the window and exits with the app's status.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from boards_desktop.desktop import run_app
from boards_desktop.settings import load_settings

_LOOK = """(() => {
  const shell = document.querySelector('[data-testid=shell-status]');
  const list = document.querySelector('[data-testid=boards]');
  return {
    title: document.title,
    shell: shell ? {state: shell.dataset.state, text: shell.innerText} : null,
    state: list ? list.dataset.state : null,
    boards: [...(list?.querySelectorAll('li[data-board-id] strong') ?? [])].map(title => title.textContent),
  };
})()"""


def main(out: Path) -> int:
    started = time.monotonic()

    def look(app_window) -> None:
        report: dict = {}
        try:
            if not app_window.shell_shown.wait(60):
                raise AssertionError("the shell was not shown within 60 s")
            shell = app_window.evaluate(_LOOK) or {}
            shell["seconds"] = round(time.monotonic() - started, 2)
            (out / "shell.json").write_text(json.dumps(shell))
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                report = app_window.evaluate(_LOOK) or {}
                if report.get("state") in ("ready", "error") or (report.get("shell") or {}).get("state") == "failed":
                    break
                time.sleep(0.05)
            report["seconds"] = round(time.monotonic() - started, 2)
        except Exception as exc:  # noqa: BLE001 - reported in the output file
            report["error"] = repr(exc)
        finally:
            (out / "page.json").write_text(json.dumps(report))
            app_window.close()

    return run_app(load_settings(), when_window_started=look)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
