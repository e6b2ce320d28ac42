"""Exports with provenance, media in the folder against media in a bucket (an S3 server on loopback).

For N generated PNGs (signed: Content Credentials) and N uploaded PNGs (not signed: the provenance is
spliced into a streamed read), prints the wall time of one zip export of each set and of N downloads
(`?download=true`) of each, for the folder and, when moto's server is installed, for a bucket.
The app runs in process (ASGI), on SQLite.

Run: `python -m tests.benchmarks.export_provenance [--count 40] [--side 512]`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import tempfile
import time
from pathlib import Path

from PIL import Image

from boards_desktop.media import store_media
from tests.app_harness import AppClient, running_app
from tests.graphql.helpers import create_board, create_generation
from tests.media.support import finish
from tests.uploads.support import upload


def picture(side: int, seed: int) -> bytes:
    noise = random.Random(seed).randbytes(side * side * 3 // 16)
    image = Image.frombytes("RGB", (side // 4, side // 4), noise).resize((side, side))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def timed(label: str, work: object) -> None:
    started = time.perf_counter()
    size = await work  # type: ignore[misc]
    print(f"  {label:34} {time.perf_counter() - started:7.3f} s  {size / 1e6:7.1f} MB")


async def scenario(client: AppClient, count: int, side: int) -> None:
    board = await create_board(client, "Bench")
    generated, uploaded = [], []
    for index in range(count):
        generation = await create_generation(client, board, {"prompt": f"noise #{index}", "seed": index})
        stored = await store_media(
            client.services.media,
            board_id=board,
            generation_id=generation["id"],
            source=picture(side, index),
            artifact_type="image",
        )
        await finish(client, generation["id"], stored)
        generated.append((generation["id"], stored.storage_url))
        body = (await upload(client, board, picture(side, 10_000 + index), filename=f"u{index}.png")).json()
        uploaded.append((body["id"], body["storageUrl"]))

    async def zip_of(items: list[tuple[str, str]]) -> int:
        ids = ",".join(item[0] for item in items)
        response = await client.http.get("/api/exports/zip", params={"ids": ids})
        assert response.status_code == 200, response.text
        return len(response.content)

    async def downloads(items: list[tuple[str, str]]) -> int:
        total = 0
        for _id, url in items:
            response = await client.http.get(url, params={"download": "true"})
            assert response.status_code == 200
            total += len(response.content)
        return total

    await timed(f"zip of {count} generated (signed)", zip_of(generated))
    await timed(f"zip of {count} uploads (spliced)", zip_of(uploaded))
    await timed(f"{count} downloads, generated (signed)", downloads(generated))
    await timed(f"{count} downloads, uploads (spliced)", downloads(uploaded))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--side", type=int, default=512)
    args = parser.parse_args()
    places = ["folder"]
    s3 = None
    if os.environ.get("BENCH_FOLDER_ONLY") is None:
        from tests.s3_server import ThrowawayS3, moto_server_command

        if moto_server_command() is not None:
            s3 = ThrowawayS3()
            s3.start()
            places.append("bucket")
    try:
        for where in places:
            extra = s3.environment(s3.new_bucket()) if where == "bucket" and s3 is not None else {}
            with tempfile.TemporaryDirectory() as folder:
                print(f"{where}: {args.count} + {args.count} PNGs of {args.side}x{args.side}")
                async with running_app(
                    f"sqlite+aiosqlite:///{folder}/boards.db", Path(folder) / "data", **extra
                ) as app:
                    await scenario(app, args.count, args.side)
    finally:
        if s3 is not None:
            s3.stop()


if __name__ == "__main__":
    asyncio.run(main())
