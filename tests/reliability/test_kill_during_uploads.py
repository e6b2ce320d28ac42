"""kill -9 at random moments while many uploads stream in: each is kept whole or leaves only a temporary file.

Real images (noise, so they are large and take real decoding and thumbnailing) are posted to
`/api/uploads/artifact` by several clients at once while a seeded timer kills the server with
SIGKILL; the server is started again and killed again several times, then stopped cleanly.

After the last stop: every upload that answered 200 is a completed row whose file and thumbnail
exist; every upload row is whole (a row is never written before its files); every file in the media
folder is named by a row or is an unfinished write (`.tmp/` or a hidden `.part`), which
`media gc --grace-minutes 0` removes, and nothing else; no answer was a 5xx; the database is intact.
One exception, counted and printed: a kill in the moment between an upload's files taking their
names and its row's commit leaves that whole upload (file and thumbnail) in a folder with no row;
gc removes it too. (Before the files were named inside the transaction, that moment included the
wait for the database's write lock, and 2 in 5 kills on SQLite, 10 on PostgreSQL, were left so.)

With media in a bucket (a smaller run, on SQLite) the same holds with the bucket's objects as the
files; the unfinished writes are then on the local disk that stages them, where housekeeping (not
gc) removes them.

`BOARDS_DRILL_SCALE` multiplies the kills; `BOARDS_DRILL_SEED` replays a run.
"""

from __future__ import annotations

import asyncio
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import ENGINES_AND_BACKENDS
from tests.reliability.audit import PublishedFiles, audit_media, generations, integrity, media_files, orphan_rows
from tests.reliability.drill_settings import drill_random, drill_scale
from tests.reliability.serve_process import ServeProcess, installation_environment, run_cli

KILLS_PER_SCALE = 5
BUCKET_KILLS_PER_SCALE = 2
CLIENTS = 8


@dataclass
class Tally:
    tried: int = 0
    acknowledged: list[str] = field(default_factory=list)
    cut_off: int = 0  # the kill took the connection
    server_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@ENGINES_AND_BACKENDS
async def test_uploads_killed_at_random_moments_are_whole_or_leave_only_temporary_files(
    tmp_path: Path,
    database_url: str,
    storage_environment: dict[str, str],
    media_backend: str,
    request: pytest.FixtureRequest,
) -> None:
    scale = drill_scale()
    rng, seed = drill_random("kill -9 during uploads")
    where = f"seed {seed}, {database_url.split(':', 1)[0]}, {media_backend}"
    data_dir = tmp_path / "data"
    env = installation_environment(data_dir, database_url, **storage_environment)
    server = request.getfixturevalue("s3_server") if storage_environment else None
    published = PublishedFiles(data_dir / "media", storage_environment, server)
    stderr = tmp_path / "serve.stderr"
    images = [_noise_png(rng, rng.randint(300, 900), rng.randint(300, 900)) for _ in range(6)]
    tally = Tally()
    board_id = ""
    # The bucket's run kills fewer times (it adds to the suite's time); its kills land in the same
    # steps, the uploads to the bucket included.
    kills = (KILLS_PER_SCALE if media_backend == "folder" else BUCKET_KILLS_PER_SCALE) * scale

    for epoch in range(kills + 1):
        server = await asyncio.to_thread(ServeProcess, env, stderr)
        async with server.async_client(timeout=60) as client:
            if epoch == 0:
                board_id = await _new_board(client)
            stop = asyncio.Event()
            uploaders = [
                asyncio.create_task(_upload_until(client, board_id, images, random.Random(rng.random()), stop, tally))
                for _ in range(CLIENTS)
            ]
            if epoch < kills:
                await asyncio.sleep(rng.uniform(0.3, 3.0))
                server.kill()
            else:
                await asyncio.sleep(2.0)  # the last server is left to finish what it is given
                stop.set()
            await asyncio.gather(*uploaders)
        if epoch == kills:
            assert await asyncio.to_thread(server.stop), where

    rows = await generations(database_url)
    uploads = {i: row for i, row in rows.items() if str(row["generator_name"]).startswith("user-upload-")}
    media_root = data_dir / "media"
    media = audit_media(published.files(), rows.values())
    print(
        f"kill -9 during uploads ({where}): {kills} kills, {tally.tried} uploads tried, "
        f"{len(tally.acknowledged)} answered 200, {tally.cut_off} cut off by a kill, {len(uploads)} rows, "
        f"{len(media.leftovers)} unfinished writes left "
        f"({sum((media_root / key).stat().st_size for key in media.leftovers) / 1e6:.1f} MB)"
    )

    assert tally.server_errors == [], f"5xx answers ({where})"
    assert tally.refused == [], f"uploads refused ({where})"
    assert not set(tally.acknowledged) - uploads.keys(), f"uploads answered 200 and lost ({where})"
    for row in uploads.values():
        assert row["status"] == "completed" and row["storage_url"] and row["thumbnail_url"], (where, row)
    assert media.missing == {}, f"files named by rows are missing ({where})"
    # A kill between an upload's files going into place and its row being committed leaves the
    # files of a whole upload in a folder that no row names (the order is files first, so that a
    # row never lacks its file); `media gc` removes them. Anything else unnamed is a bug.
    rowless = _rowless_upload_folders(media.unnamed, rows)
    strays = media.unnamed - {key for keys in rowless.values() for key in keys}
    assert strays == set(), f"files no row names ({where}): {sorted(strays)}"
    for folder, keys in rowless.items():
        # Named in order, thumbnail first: a kill between the two renames leaves the picture a `.part`.
        named = {key.rsplit("/", 1)[1] for key in keys}
        assert named in ({"output.png", "output-thumb.webp"}, {"output-thumb.webp"}), (where, folder, keys)
    print(f"  uploads whose files went into place but whose row the kill stopped: {len(rowless)}")
    assert await orphan_rows(database_url) == {}, where
    assert await integrity(database_url) == [], where

    before = published.files()
    gc = await asyncio.to_thread(run_cli, env, "media", "gc", "--grace-minutes", "0")
    assert gc.returncode == 0, gc.stderr
    removable = {key for keys in rowless.values() for key in keys}
    if published.bucket is None:
        removable |= media.leftovers
    else:
        # With a bucket the local folder only stages: what a kill left there is not in the bucket,
        # and housekeeping removes it at a later start (tests/app/test_housekeeping.py), not gc.
        assert media.leftovers == {key for key in media_files(media_root)}, where
    assert before - published.files() == removable, f"gc removed other files ({where}): {gc.stdout}"
    assert "Traceback" not in stderr.read_text(), where


def _rowless_upload_folders(unnamed: set[str], rows: dict[str, dict[str, object]]) -> dict[str, set[str]]:
    """Generation folders (board/generation) holding files, with no generation row of that id."""
    folders: dict[str, set[str]] = {}
    for key in unnamed:
        parts = key.split("/")
        if len(parts) == 3 and parts[1] not in rows:
            folders.setdefault("/".join(parts[:2]), set()).add(key)
    return folders


async def _upload_until(
    client: httpx.AsyncClient,
    board_id: str,
    images: list[bytes],
    rng: random.Random,
    stop: asyncio.Event,
    tally: Tally,
) -> None:
    """Upload one image after another until the server is gone (or told to stop)."""
    while not stop.is_set():
        tally.tried += 1
        try:
            response = await client.post(
                "/api/uploads/artifact",
                data={"board_id": board_id, "artifact_type": "image"},
                files={"file": ("noise.png", rng.choice(images), "image/png")},
            )
        except httpx.TransportError:
            tally.cut_off += 1
            return
        if response.status_code == 200:
            tally.acknowledged.append(response.json()["id"])
        elif response.status_code >= 500:
            tally.server_errors.append(f"{response.status_code}: {response.text[:300]}")
        else:
            tally.refused.append(f"{response.status_code}: {response.text[:300]}")


async def _new_board(client: httpx.AsyncClient) -> str:
    response = await client.post(
        "/graphql", json={"query": 'mutation { createBoard(input: {title: "uploads"}) { id } }'}
    )
    return str(response.json()["data"]["createBoard"]["id"])


def _noise_png(rng: random.Random, width: int, height: int) -> bytes:
    """An image that compresses badly: megabytes to stream, decode and thumbnail."""
    pixels = rng.randbytes(width * height * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()
