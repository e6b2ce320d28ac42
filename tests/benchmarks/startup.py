"""Time from `boards-desktop serve` to the first answer of /health, on a fresh and a used data folder.

Run: .venv/bin/python -m tests.benchmarks.startup [--runs 7]
Prints the median and the worst of each; the budget (design.md) is 1 s.
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


def time_to_health(data_dir: Path) -> float:
    port = free_port()
    env = {**os.environ, "BOARDS_DATA_DIR": str(data_dir), "BOARDS_CONFIG_FILE": str(data_dir / "none.toml")}
    env.pop("BOARDS_DATABASE_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", str(port)],
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
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="boards-startup-"))
    try:
        fresh = []
        for run in range(args.runs):
            fresh.append(time_to_health(root / f"fresh-{run}"))
        used = [time_to_health(root / "fresh-0") for _ in range(args.runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for label, times in (("fresh data folder", fresh), ("existing data folder", used)):
        print(
            f"serve -> /health, {label}: median {statistics.median(times) * 1000:.0f} ms, "
            f"worst {max(times) * 1000:.0f} ms over {len(times)} runs"
        )


if __name__ == "__main__":
    main()
