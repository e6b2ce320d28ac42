"""Memory of the server during six parallel uploads of a 9,400 x 9,400 PNG: budget 600 MB peak, and
back within 1.5x of its idle size afterwards.

Starts `boards-desktop serve` on a fresh data folder, warms it up with one small upload (so that the
decoders' libraries count as idle), then sends the six uploads at once and samples the server's
resident memory from /proc every few milliseconds. Prints idle, peak and settled RSS. Linux only.
Run: `python -m tests.benchmarks.upload_memory`. `tests/uploads/test_upload_memory.py` runs the
same drill and asserts the bounds.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx
from PIL import Image

from tests.app_harness import read_token

SIDE = 9_400  # 88.4 million pixels: under Pillow's decompression-bomb limit (89.5 million)
UPLOADS = 6
SETTLE_SECONDS = 5.0
MB = 1024 * 1024


@dataclass(frozen=True)
class MemoryFigures:
    idle: int
    peak: int
    settled: int

    def __str__(self) -> str:
        return (
            f"idle {self.idle / MB:.0f} MB, peak {self.peak / MB:.0f} MB, settled {self.settled / MB:.0f} MB "
            f"({self.settled / self.idle:.2f}x idle)"
        )


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def big_png(path: Path, side: int = SIDE) -> Path:
    """An RGB PNG of `side` x `side` pixels: smooth gradients, so the file is small and the decode is not."""
    gradient = Image.linear_gradient("L").resize((side, side))
    Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_90), gradient)).save(
        path, "PNG", compress_level=1
    )
    return path


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "#3366cc").save(buffer, "PNG")
    return buffer.getvalue()


class PeakSampler:
    """The peak resident memory of another process, sampled every 5 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss_bytes(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.005)


@contextmanager
def running_server(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        "BOARDS_LOG_LEVEL": "WARNING",
        "BOARDS_MAX_UPLOAD_MB": "500",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip().rsplit(" ", 1)[1]
        yield server, url
    finally:
        server.terminate()
        server.wait(timeout=30)


def upload_drill(data_dir: Path, png: Path, uploads: int = UPLOADS) -> MemoryFigures:
    """Idle, peak and settled RSS of a fresh server around `uploads` parallel uploads of `png`."""
    with running_server(data_dir) as (server, url):
        headers = {"Authorization": f"Bearer {read_token(data_dir)}"}
        with httpx.Client(base_url=url, headers=headers, timeout=300) as http:
            board = http.post("/graphql", json={"query": 'mutation { createBoard(input: {title: "m"}) { id } }'})
            board_id = board.json()["data"]["createBoard"]["id"]

            def send(content: bytes, name: str) -> httpx.Response:
                return http.post(
                    "/api/uploads/artifact",
                    data={"board_id": board_id, "artifact_type": "image"},
                    files={"file": (name, content, "image/png")},
                )

            assert send(small_png(), "warm.png").status_code == 200
            time.sleep(1.0)
            idle = rss_bytes(server.pid)
            content = png.read_bytes()
            with PeakSampler(server.pid) as sampler, ThreadPoolExecutor(uploads) as pool:
                answers = list(pool.map(lambda i: send(content, f"big-{i}.png"), range(uploads)))
            for answer in answers:
                assert answer.status_code == 200, answer.text
            time.sleep(SETTLE_SECONDS)
            settled = rss_bytes(server.pid)
    return MemoryFigures(idle=idle, peak=sampler.peak, settled=settled)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        png = big_png(Path(folder) / "big.png")
        print(f"{UPLOADS} parallel uploads of a {SIDE} x {SIDE} PNG ({png.stat().st_size / MB:.1f} MB file)")
        figures = upload_drill(Path(folder) / "data", png)
        print(figures)


if __name__ == "__main__":
    main()
