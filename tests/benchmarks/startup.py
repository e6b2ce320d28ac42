"""Time from `boards-desktop serve` to the first answer of /health, on a fresh and a used data folder.

Run: .venv/bin/python -m tests.benchmarks.startup [--runs 9]
Prints the median and the worst of each, beside the baseline measured in the same run: a bare
Litestar app with one /health route under uvicorn, in the same environment. The budget (design.md)
is 1.6x the baseline (about 0.7 s on the team's machine).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BARE_APP = """
from litestar import Litestar, get


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "healthy"}


app = Litestar([health])
"""


def time_to_health(data_dir: Path) -> float:
    """`boards-desktop serve` on `data_dir`."""
    env = {**os.environ, "BOARDS_DATA_DIR": str(data_dir), "BOARDS_CONFIG_FILE": str(data_dir / "none.toml")}
    env.pop("BOARDS_DATABASE_URL", None)
    port = free_port()
    return _time_to_health([sys.executable, "-m", "boards_desktop", "serve", "--port", str(port)], env, port)


def bare_time_to_health(module_dir: Path) -> float:
    """The baseline: a bare Litestar app under uvicorn."""
    env = {**os.environ, "PYTHONPATH": str(module_dir)}
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"]
    return _time_to_health(command, env, port)


def _time_to_health(command: list[str], env: dict[str, str], port: int) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()) from None
                time.sleep(0.005)
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="boards-startup-"))
    (root / "bare_app.py").write_text(BARE_APP)
    try:
        # Interleaved, so that a busy moment of the machine weighs on each alike.
        fresh, used, bare = [], [], []
        for run in range(args.runs):
            bare.append(bare_time_to_health(root))
            fresh.append(time_to_health(root / f"fresh-{run}"))
            used.append(time_to_health(root / "fresh-0"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    baseline = statistics.median(bare)
    for label, times in (
        ("bare Litestar app under uvicorn (baseline)", bare),
        ("serve, fresh data folder", fresh),
        ("serve, existing data folder", used),
    ):
        print(
            f"{label} -> /health: median {statistics.median(times) * 1000:.0f} ms "
            f"({statistics.median(times) / baseline:.2f}x the baseline), "
            f"worst {max(times) * 1000:.0f} ms over {len(times)} runs"
        )
    print("budget: 1.6x the baseline (design.md)")


if __name__ == "__main__":
    main()
