"""Housekeeping: at start-up and daily, unfinished writes past the grace period and old database
backups are removed without a command, logged, and shown on the Settings page."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path

import pytest

from boards_desktop.housekeeping import Housekeeper
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import SettingsError, load_settings
from tests.app_harness import AppClient, running_app
from tests.jobs.support import new_board, queue, wait_until
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload

LAST_RUN = """{ appSettings { freeSpaceBytes diskSizeBytes lastHousekeeping {
  finishedAt filesRemoved bytesFreed unfinishedFiles backupsRemoved keepBackups } } }"""
TWO_HOURS = 2 * 3600


def old_file(path: Path, size: int, *, age: float = TWO_HOURS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    when = time.time() - age
    os.utime(path, (when, when))
    return path


async def last_run(client: AppClient) -> dict:
    async def finished() -> bool:
        return (await client.data(LAST_RUN))["appSettings"]["lastHousekeeping"] is not None

    await wait_until(finished)
    return (await client.data(LAST_RUN))["appSettings"]


async def test_start_up_removes_old_unfinished_writes_and_prunes_backups_and_the_settings_page_says_so(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    url = f"sqlite+aiosqlite:///{data / 'boards.db'}"
    async with running_app(url, data) as client:
        board_id = await new_board(client)
        response = await upload(client, board_id, png_bytes(), filename="a.png", mime="image/png")
        assert response.status_code == 200, response.text
        stored = client.services.media.path_of(MediaStore.key_of_url(response.json()["storageUrl"]) or "")
        pending = await queue(client, board_id, "test-generator")  # held: stays pending
        media = client.services.media.root
    generation_folder = stored.parent
    live_folder = media / board_id / pending["id"]

    # What kills leave: an upload spooled in .tmp, a result half-staged, a download of a running job.
    killed_upload = old_file(media / ".tmp" / uuid.uuid4().hex, 300_000)
    half_staged = old_file(generation_folder / f".output.{uuid.uuid4().hex}.part", 200_000)
    streaming_now = old_file(media / ".tmp" / uuid.uuid4().hex, 1_000, age=0)
    live_part = old_file(live_folder / f".output.{uuid.uuid4().hex}.part", 1_000)
    backups = [old_file(data / f"boards.db.2026010{day}T000000000000Z.bak", 100_000) for day in range(1, 6)]
    cut_short = old_file(data / "boards.db.20260106T000000000000Z.bak.part", 50_000)

    async with running_app(url, data, BOARDS_KEEP_BACKUPS="2") as client:
        settings = await last_run(client)

    run = settings["lastHousekeeping"]
    assert not killed_upload.exists() and not half_staged.exists() and not cut_short.exists()
    assert streaming_now.exists(), "a file written within the grace period may be in use"
    assert live_part.exists(), "a pending or processing generation's folder is its job's"
    assert stored.exists()
    assert [path.exists() for path in backups] == [False, False, False, True, True]
    assert run["unfinishedFiles"] == 2 and run["backupsRemoved"] == 4 and run["keepBackups"] == 2
    assert run["filesRemoved"] == 6
    assert run["bytesFreed"] == 300_000 + 200_000 + 3 * 100_000 + 50_000
    assert settings["freeSpaceBytes"] > 0 and settings["diskSizeBytes"] >= settings["freeSpaceBytes"]
    assert "housekeeping freed" in (data / "logs" / "boards.log").read_text()


async def test_housekeeping_runs_again_while_the_app_runs(database_url: str, tmp_path: Path) -> None:
    async with running_app(database_url, tmp_path / "data") as client:
        board_id = await new_board(client)
        pending = await queue(client, board_id, "test-generator")  # its folder is spared on every engine
        live_part = old_file(client.services.media.root / board_id / pending["id"] / ".output.x.part", 10)
        await last_run(client)
        services = client.services
        # The app's own runs are a day apart; the same housekeeper, a tenth of a second apart.
        housekeeper = Housekeeper(services.settings, services.database, services.media, interval=0.1)
        housekeeper.start()
        try:
            leftover = old_file(services.media.root / ".tmp" / uuid.uuid4().hex, 10_000)
            await wait_until(lambda: asyncio.sleep(0, not leftover.exists()), timeout=10)
            assert housekeeper.last is not None
            assert live_part.exists()
        finally:
            await housekeeper.stop()


def test_the_number_of_backups_kept_is_a_setting_of_the_config_file_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("keep_backups = 5\n")
    assert load_settings({"BOARDS_CONFIG_FILE": str(config)}).keep_backups == 5
    assert load_settings({"BOARDS_CONFIG_FILE": str(tmp_path / "none.toml")}).keep_backups == 3
    with pytest.raises(SettingsError, match="BOARDS_KEEP_BACKUPS='0': give a number of at least 1"):
        load_settings({"BOARDS_CONFIG_FILE": str(tmp_path / "none.toml"), "BOARDS_KEEP_BACKUPS": "0"})
