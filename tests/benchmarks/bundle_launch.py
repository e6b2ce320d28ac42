"""Linux bundles: size on disk and as tar.gz, and launch → window's first paint → page loaded, under Xvfb.

    python -m tests.benchmarks.bundle_launch DIST [DIST ...] [--runs 5]

Each DIST is a folder holding a built `boards-desktop/` and its `boards-desktop-linux-*.tar.gz`
(packaging/build-linux.sh with DIST=..., with or without --qt). For each: the sizes, then `--runs`
launches on a fresh data folder, each on its own Xvfb display, printing the median and range of
- first paint: from exec to the first screen frame that is not the empty display (the window's
  background or anything after it), found by grabbing the screen every 50 ms;
- page loaded: from exec to the log's "window: page loaded" (the page's load event; the boards list
  is drawn once its GraphQL answer arrives, milliseconds later).
Run it on a quiet machine; the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageGrab

from tests.desktop.support import virtual_display


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def one_launch(executable: Path, work: Path) -> tuple[float, float]:
    data = work / "data"
    log = data / "logs" / "boards.log"
    with virtual_display() as display:
        empty = ImageGrab.grab(xdisplay=display).tobytes()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BOARDS_") and k not in ("PYTHONPATH",)}
        env.update({"BOARDS_DATA_DIR": str(data), "BOARDS_CONFIG_FILE": str(work / "none.toml"), "DISPLAY": display})
        env.pop("QT_QPA_PLATFORM", None)
        started = time.monotonic()
        with open(work / "app.out", "wb") as out:
            app = subprocess.Popen([str(executable)], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        first_paint = loaded = None
        try:
            deadline = started + 120
            while time.monotonic() < deadline and loaded is None:
                now = time.monotonic()
                if first_paint is None and _frame(display) not in (empty, None):
                    first_paint = now - started
                if log.exists() and "window: page loaded" in log.read_text(errors="replace"):
                    loaded = now - started
                if app.poll() is not None:
                    raise RuntimeError(f"the app exited ({app.returncode}):\n{(work / 'app.out').read_text()[-3000:]}")
                time.sleep(0.05)
        finally:
            app.terminate()
            app.wait(30)
    if first_paint is None or loaded is None:
        raise RuntimeError(f"no window within 120 s:\n{(work / 'app.out').read_text()[-3000:]}")
    return first_paint, loaded


def _frame(display: str) -> bytes | None:
    try:
        return ImageGrab.grab(xdisplay=display).tobytes()
    except OSError:  # the display turned a connection away (the app was connecting): next time
        return None


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dists", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for dist in args.dists:
        bundle = dist / "boards-desktop"
        archive = next(dist.glob("boards-desktop-linux-*.tar.gz"), None)
        print(f"{dist}: {folder_size(bundle) / 1e6:.0f} MB on disk", end="")
        print(f", {archive.name} {archive.stat().st_size / 1e6:.0f} MB" if archive else ", no archive")
        paints, loads = [], []
        for run in range(args.runs):
            for attempt in (1, 2, 3):
                with tempfile.TemporaryDirectory(prefix="boards-bundle-launch-") as work:
                    try:
                        paint, loaded = one_launch(bundle / "boards-desktop", Path(work))
                        break
                    except RuntimeError as exc:  # a busy Xvfb turned the app away: said, then tried again
                        print(f"  run {run + 1}, attempt {attempt} failed: {str(exc)[-300:]}", flush=True)
            else:
                raise RuntimeError("three attempts failed")
            paints.append(paint)
            loads.append(loaded)
            print(f"  run {run + 1}: first paint {paint:.2f} s, page loaded {loaded:.2f} s", flush=True)
        print(f"  launch → first paint: {summary(paints)}")
        print(f"  launch → page loaded: {summary(loads)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
