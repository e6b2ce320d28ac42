"""Private files: the data folder, the media, the logs and the database are readable by their owner only,
on a fresh installation and on one made before (tightened at start-up)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient, running_app
from tests.jobs.support import new_board, wait_until
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions; Windows keeps access lists")

LAST_RUN = "{ appSettings { lastHousekeeping { finishedAt filesRemoved bytesFreed } } }"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def loose_entries(*roots: Path) -> list[str]:
    """Everything at or below `roots` that its group or others may read, write or enter."""
    found = []
    for root in roots:
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink() and mode(path) & 0o077:
                found.append(f"{path.relative_to(root.parent)} {oct(mode(path))}")
    return found


async def housekeeping_done(client: AppClient) -> None:
    async def finished() -> bool:
        return (await client.data(LAST_RUN))["appSettings"]["lastHousekeeping"] is not None

    await wait_until(finished)


async def test_a_fresh_installation_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    os.umask(0o022)  # what a desktop session usually has
    data = tmp_path / "data"
    async with running_app(f"sqlite+aiosqlite:///{data / 'boards.db'}", data) as client:
        board_id = await new_board(client)
        response = await upload(client, board_id, png_bytes(), filename="a.png", mime="image/png")
        assert response.status_code == 200, response.text
        assert (data / "boards.db-wal").exists()
        for name in ("boards.db", "boards.db-wal", "boards.db-shm", "identity.json", "api-token", "logs/boards.log"):
            assert mode(data / name) == 0o600, name
        for folder in (data, data / "media", data / "logs"):
            assert mode(folder) == 0o700, folder
        stored = client.services.media.path_of(MediaStore.key_of_url(response.json()["storageUrl"]) or "")
        assert mode(stored) == 0o600 and mode(stored.parent) == 0o700
        assert loose_entries(data) == []


async def test_an_installation_made_readable_by_others_is_tightened_at_start_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    async with running_app(url, data) as client:
        board_id = await new_board(client)
        response = await upload(client, board_id, png_bytes(), filename="a.png", mime="image/png")
        assert response.status_code == 200, response.text
    backup = data / "boards.db.20260101T000000000000Z.bak"
    backup.write_bytes(b"an old backup")
    for path in [data, *data.rglob("*")]:  # as an earlier version, or a copy with `cp -r`, left it
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert loose_entries(data)

    async with running_app(url, data) as client:
        await housekeeping_done(client)
        assert loose_entries(data) == []
        assert mode(backup) == 0o600
    log = (data / "logs" / "boards.log").read_text()
    assert "readable by you only" in log
