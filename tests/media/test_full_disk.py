"""A full disk is a clear, recoverable state: refused with "the disk holding <folder> is full", nothing
half-written left behind, and the same action works once space is freed.

The data folder lives on a real small file system (a tmpfs mounted for the test), filled with a
filler file; the test is skipped, with the reason, where mounting is not allowed (not root, no tmpfs).
"""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from boards_desktop.db import models
from boards_desktop.media.storage_identity import ID_FILE_NAME as STORAGE_ID_FILE
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient, running_app
from tests.conftest import MEDIA_BACKENDS
from tests.jobs.support import new_board, queue, try_queue, wait_for
from tests.uploads.samples import png_bytes
from tests.uploads.support import error_body, stock, upload

DISK_MB = 64
MB = 1024 * 1024


def _mount_small_disk(where: Path) -> str | None:
    """Mount a tmpfs of DISK_MB at `where`; the reason it cannot be done, or None."""
    if os.name != "posix" or os.geteuid() != 0:
        return "mounting a small file system needs root on Linux"
    where.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(where)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}"
    return None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    reason = _mount_small_disk(mount)
    if reason is not None:
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, *, leave: int = 0) -> Path:
    """Write a filler file until only about `leave` bytes are free on `disk`."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    chunk = b"\0" * MB
    with filler.open("wb") as out:
        while True:
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            if free <= leave:
                break
            try:
                out.write(chunk[: max(4096, min(MB, free - leave))])
                out.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    return filler


@pytest.fixture
async def app_on_small_disk(small_disk: Path, storage_environment: dict[str, str]) -> AsyncIterator[AppClient]:
    # With a bucket too: uploads and results are staged in the local media folder before they go up.
    data = small_disk / "data"
    async with running_app(f"sqlite+aiosqlite:///{data / 'boards.db'}", data, **storage_environment) as client:
        yield client


# Where media is published plays no part in queuing: these run on the folder (the default) only.
ON_BOTH_BACKENDS = pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)


async def generation_rows(client: AppClient) -> int:
    async with client.services.database.read() as session:
        return int(await session.scalar(select(func.count()).select_from(models.Generation)) or 0)


@ON_BOTH_BACKENDS
async def test_an_upload_into_a_full_disk_is_refused_with_507_and_leaves_nothing(
    app_on_small_disk: AppClient, small_disk: Path
) -> None:
    client = app_on_small_disk
    board_id = await new_board(client)
    before = await stock(client)
    fill(small_disk)

    response = await upload(client, board_id, png_bytes(), filename="a.png", mime="image/png")

    body = error_body(response, 507, f"the disk holding {client.services.media.root} is full")
    assert body["code"] == "INSUFFICIENT_STORAGE"
    assert await stock(client) == before


@ON_BOTH_BACKENDS
async def test_an_upload_that_runs_out_of_room_midway_is_refused_with_507_and_leaves_nothing(
    small_disk: Path, storage_environment: dict[str, str]
) -> None:
    # No floor: the file system itself says ENOSPC while the file streams in.
    data = small_disk / "data"
    database = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    async with running_app(database, data, BOARDS_MIN_FREE_MB="0", **storage_environment) as client:
        board_id = await new_board(client)
        before = await stock(client)
        fill(small_disk, leave=2 * MB)

        response = await upload(client, board_id, os.urandom(8 * MB), filename="big.png", mime="image/png")

        body = error_body(response, 507, f"the disk holding {client.services.media.root} is full")
        assert body["code"] == "INSUFFICIENT_STORAGE"
        assert await stock(client) == before
        assert not list((client.services.media.root / ".tmp").glob("*"))


async def test_queuing_on_a_full_disk_is_refused_and_queues_nothing(
    app_on_small_disk: AppClient, small_disk: Path
) -> None:
    client = app_on_small_disk
    board_id = await new_board(client)
    filler = fill(small_disk)

    body = await try_queue(client, board_id, "test-fast")

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INSUFFICIENT_STORAGE"
    assert "is full" in error["message"] and str(client.services.settings.data_dir) in error["message"]
    assert await generation_rows(client) == 0

    filler.unlink()
    queued = await queue(client, board_id, "test-fast")
    assert (await wait_for(client, queued["id"]))["status"] == "COMPLETED"


@ON_BOTH_BACKENDS
async def test_a_job_that_fills_the_disk_fails_with_the_message_and_runs_again_once_space_is_freed(
    app_on_small_disk: AppClient, small_disk: Path
) -> None:
    client = app_on_small_disk
    board_id = await new_board(client)
    # Above the floor, so the job is accepted; far below what it writes.
    filler = fill(small_disk, leave=client.services.settings.min_free_bytes + 4 * MB)

    queued = await queue(client, board_id, "test-large", {"megabytes": 30}, artifact_type="TEXT")
    failed = await wait_for(client, queued["id"])

    assert failed["status"] == "FAILED"
    assert failed["errorMessage"].startswith(f"the disk holding {client.services.media.root} is full")
    assert "unexpectedly" not in failed["errorMessage"]
    media = client.services.media.root
    leftovers = [p for p in media.rglob("*") if p.is_file() and p.name != STORAGE_ID_FILE]
    assert leftovers == [], leftovers
    assert (await stock(client)).objects == frozenset(), "nor, with a bucket, an object"

    filler.unlink()
    again = await client.data("mutation($id: UUID!) { regenerate(id: $id) { id } }", {"id": queued["id"]})
    completed = await wait_for(client, again["regenerate"]["id"])
    assert completed["status"] == "COMPLETED", completed
    key = MediaStore.key_of_url(completed["storageUrl"]) or ""
    assert (await client.services.media.describe([key]))[key].size > 29 * MB


async def test_queuing_when_sqlite_itself_finds_the_disk_full_is_refused_the_same_way(small_disk: Path) -> None:
    # No floor: SQLite's own SQLITE_FULL refuses, once its write-ahead log cannot grow any more.
    data = small_disk / "data"
    async with running_app(f"sqlite+aiosqlite:///{data / 'boards.db'}", data, BOARDS_MIN_FREE_MB="0") as client:
        board_id = await new_board(client)
        filler = fill(small_disk)
        answers = [await try_queue(client, board_id, "test-generator", {"prompt": "x" * 20_000}) for _ in range(40)]
        refused = [answer["errors"][0] for answer in answers if answer.get("errors")]

        assert refused, "the disk never filled up"
        for error in refused:
            assert error["extensions"]["code"] == "INSUFFICIENT_STORAGE", error
            assert error["message"].startswith(f"the disk holding {client.services.settings.data_dir} is full")
        assert await generation_rows(client) == len(answers) - len(refused)  # the refused left no row

        filler.unlink()
        assert not (await try_queue(client, board_id, "test-generator")).get("errors")
