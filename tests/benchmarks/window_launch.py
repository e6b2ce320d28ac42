"""Time from launching `boards-desktop` (from source) to the window's first paint and to the boards page.

Run: .venv/bin/python tests/benchmarks/window_launch.py [--runs 5] [--compare-with CHECKOUT]
`--compare-with` launches another checkout of the app too (an older commit, say), its runs
interleaved with ours so that a busy moment of the machine weighs on both alike.

Under a virtual X display of its own (Xvfb), with one data folder (a first launch makes it, and is
not counted). For each launch, measured from the moment the process is spawned:
- the window open: the GUI loop runs (pywebview's start callback);
- the shell shown: the window has drawn the start-up shell (an app without one shows nothing here);
- the boards page: the page's boards list is drawn (its state is "ready").
Prints the median and the worst of each over the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.desktop.support import virtual_display

# Runs inside the launched process: the desktop app, with a hook that notes when things appear.
_PROBE = """
import json, sys, time
from boards_desktop.desktop import run_app
from boards_desktop.settings import load_settings

LOOK = "(() => { const list = document.querySelector('[data-testid=boards]'); return list ? list.dataset.state : null; })()"

def look(window):
    times = {"window": time.time()}
    try:
        shown = getattr(window, "shell_shown", None)
        if shown is not None and shown.wait(60):
            times["shell"] = time.time()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if window.evaluate(LOOK) == "ready":
                times["boards"] = time.time()
                break
            time.sleep(0.02)
    finally:
        with open(sys.argv[1], "w") as out:
            json.dump(times, out)
        window.close()

sys.exit(run_app(load_settings(), when_window_started=look))
"""


def launch(root: Path, display: str, source: Path) -> dict[str, float]:
    """One launch of the app in `source`: seconds from the spawn to each thing seen."""
    data = root / "data"
    out = root / "times.json"
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOARDS_") and k not in ("WAYLAND_DISPLAY",)}
    env.pop("QT_QPA_PLATFORM", None)
    env.update(
        {
            "DISPLAY": display,
            "PYTHONPATH": str(source),
            "BOARDS_DATA_DIR": str(data),
            "BOARDS_CONFIG_FILE": str(root / "none.toml"),
            "BOARDS_DATABASE_URL": f"sqlite+aiosqlite:///{data / 'boards.db'}",
        }
    )
    spawned = time.time()
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out)],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(f"the app exited with {result.returncode}:\n{result.stderr}")
    return {name: at - spawned for name, at in json.loads(out.read_text()).items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-with", type=Path, help="another checkout of the app, launched alternately")
    args = parser.parse_args()
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed")
    sources = {"this checkout": Path(__file__).resolve().parents[2]}
    if args.compare_with:
        sources[f"{args.compare_with}"] = args.compare_with.resolve()
    root = Path(tempfile.mkdtemp(prefix="boards-window-launch-"))
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in sources}
    with virtual_display() as display:
        try:
            for label, source in sources.items():
                launch(root / label.replace("/", "_"), display, source)  # makes its data folder; not counted
            for _ in range(args.runs):
                for label, source in sources.items():
                    runs[label].append(launch(root / label.replace("/", "_"), display, source))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    for label, its_runs in runs.items():
        print(f"{label}:")
        for name, what in (
            ("window", "window open (GUI loop running)"),
            ("shell", "start-up shell shown"),
            ("boards", "boards page drawn"),
        ):
            times = [run[name] for run in its_runs if name in run]
            if not times:
                print(f"  launch -> {what}: not seen")
                continue
            print(
                f"  launch -> {what}: median {statistics.median(times) * 1000:.0f} ms, "
                f"worst {max(times) * 1000:.0f} ms over {len(times)} runs"
            )
    print("budget: the window with the app's shell within 1 s of launch; the boards page as soon as the server answers")


if __name__ == "__main__":
    main()
