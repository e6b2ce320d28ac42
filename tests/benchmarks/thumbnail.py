"""Time to make the WebP thumbnail of a 2048x2048 image, and to store one whole (`store_media`).

Run: .venv/bin/python -m tests.benchmarks.thumbnail [--runs 9]
Prints the median and the worst over the runs. The picture is a detailed one (a fractal, a
gradient and noise), so PNG decoding costs what it costs for real artwork, not for a flat colour.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from PIL import Image

from boards_desktop.media import MediaStore, store_media
from boards_desktop.media.thumbnails import image_thumbnail

SIZE = 2048


def artwork(fmt: str) -> bytes:
    detail = Image.effect_mandelbrot((SIZE, SIZE), (-2.2, -1.4, 0.8, 1.4), 120)
    gradient = Image.linear_gradient("L").resize((SIZE, SIZE))
    noise = Image.effect_noise((SIZE, SIZE), 48)
    picture = Image.merge("RGB", (detail, gradient, noise))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def time_thumbnail(source: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = io.BytesIO()
        started = time.perf_counter()
        image_thumbnail(source, out)
        times.append(time.perf_counter() - started)
    return times


def time_store(data: bytes, root: Path, runs: int) -> list[float]:
    store = MediaStore(root)

    async def once() -> float:
        started = time.perf_counter()
        await store_media(store, board_id=uuid.uuid4(), generation_id=uuid.uuid4(), source=data, artifact_type="image")
        return time.perf_counter() - started

    return [asyncio.run(once()) for _ in range(runs)]


def _line(label: str, times: list[float]) -> str:
    return f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   worst {max(times) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for fmt in ("PNG", "JPEG"):
            data = artwork(fmt)
            source = root / f"artwork.{fmt.lower()}"
            source.write_bytes(data)
            time_thumbnail(source, 1)  # warm up: imports, codec tables
            label = f"{SIZE}x{SIZE} {fmt} ({len(data) / 1e6:.1f} MB)"
            print(_line(f"thumbnail of a {label}", time_thumbnail(source, args.runs)))
            print(_line(f"store_media of a {label}", time_store(data, root / "media", args.runs)))


if __name__ == "__main__":
    main()
