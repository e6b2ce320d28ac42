"""What a stored file costs to serve through the real app (in process, over ASGI), on SQLite.

Run: .venv/bin/python -m tests.benchmarks.storage_reads [--reads 300] [--bucket]

Prints the median and 95th percentile time of `GET /api/storage/<thumbnail>` with the API token, and of
the grid's case (many thumbnails at once, 24 concurrent). Each read checks the requester's role on the
board (api.media_access), one indexed query. `--bucket` measures the same with media in a bucket of an
S3 server on loopback (moto's) after the media folder's figures: each read then asks the bucket for
the object's facts and its bytes (two requests), streamed through the app.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from boards_desktop.media import store_media
from tests.app_harness import running_app
from tests.media.samples import image_bytes


async def _run(reads: int, storage: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        async with running_app(f"sqlite+aiosqlite:///{folder}/boards.db", data_dir, **storage) as client:
            board = (
                await client.data(
                    "mutation($i: CreateBoardInput!) { createBoard(input: $i) { id } }", {"i": {"title": "Bench"}}
                )
            )["createBoard"]["id"]
            stored = await store_media(
                client.services.media,
                board_id=board,
                generation_id=uuid.uuid4(),
                source=image_bytes("PNG", (640, 480)),
                artifact_type="image",
            )
            url = stored.thumbnail_url or stored.storage_url
            times = []
            for _ in range(reads):
                started = time.perf_counter()
                response = await client.http.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            times.sort()
            where = "bucket" if storage else "folder"
            print(
                f"{where}: one at a time: median {statistics.median(times):.2f} ms, p95 {times[int(len(times) * 0.95)]:.2f} ms"
            )
            started = time.perf_counter()
            for _ in range(reads // 24 or 1):
                responses = await asyncio.gather(*(client.http.get(url) for _ in range(24)))
                assert all(r.status_code == 200 for r in responses)
            elapsed = (time.perf_counter() - started) * 1000
            print(f"{where}: 24 at once: {elapsed / ((reads // 24 or 1) * 24):.2f} ms per read")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=300)
    parser.add_argument("--bucket", action="store_true", help="also with media in a bucket (moto on loopback)")
    args = parser.parse_args()
    asyncio.run(_run(args.reads, {}))
    if args.bucket:
        from tests.s3_server import ThrowawayS3

        server = ThrowawayS3()
        server.start()
        try:
            asyncio.run(_run(args.reads, server.environment(server.new_bucket())))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
