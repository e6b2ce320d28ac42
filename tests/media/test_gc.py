"""media gc: orphans found and removed on both engines; named, recent and live files kept."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from boards_desktop.media import store_media
from boards_desktop.media.gc import GcRefused, collect_garbage
from tests.app_harness import AppClient, running_app
from tests.media.samples import image_bytes
from tests.media.support import (
    age,
    create_board,
    create_generation,
    drop_board_row,
    drop_generation_row,
    files_under,
    finish,
)

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Scene:
    """A media folder after some accidents: what must go and what must stay."""

    orphans: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)
    kept_urls: list[str] = field(default_factory=list)
    gone_folders: list[str] = field(default_factory=list)  # of rows deleted: removed once empty


def _write(root: Path, key: str, data: bytes = b"x" * 100, minutes_old: float = 120) -> str:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    age(path, minutes_old)
    return key


async def _completed(client: AppClient, board_id: str, *extra_names: str) -> tuple[str, list[str]]:
    """A completed generation with its image, thumbnail and `extra_names` files named by its row."""
    store = client.services.media
    generation_id = await create_generation(client, board_id)
    stored = await store_media(
        store, board_id=board_id, generation_id=generation_id, source=image_bytes("PNG"), artifact_type="image"
    )
    prefix = store.generation_prefix(board_id, generation_id)
    extras = [_write(store.root, f"{prefix}/{name}") for name in extra_names]
    await finish(client, generation_id, stored, *(store.url_of(key) for key in extras))
    keys = [stored.key, stored.key.replace("output.png", "output-thumb.webp"), *extras]
    for key in keys:
        age(store.root / key, 120)  # old, yet named: kept
    return generation_id, keys


async def _scene(client: AppClient) -> Scene:
    scene = Scene()
    root = client.services.media.root
    board_id = await create_board(client)

    # A completed generation whose row names its files (one through additional_files)...
    kept_generation, keys = await _completed(client, board_id, "mask.png")
    scene.kept.update(keys)
    scene.kept_urls = [client.services.media.url_of(key) for key in keys]
    # ...next to a file it never reported, and a write that crashed half way.
    prefix = f"{board_id}/{kept_generation}"
    scene.orphans.add(_write(root, f"{prefix}/scratch.png"))
    scene.orphans.add(_write(root, f"{prefix}/.output.0123abcd.part"))
    # Unnamed but written a minute ago: a job may be about to report it.
    scene.kept.add(_write(root, f"{prefix}/fresh.png", minutes_old=1))

    # A generation deleted in the database, then the app stopped before its folder went.
    gone, gone_keys = await _completed(client, board_id)
    await drop_generation_row(client, gone)
    scene.orphans.update(gone_keys)
    scene.gone_folders.append(f"{board_id}/{gone}")

    # A whole board deleted likewise.
    gone_board = await create_board(client, "Gone")
    _, gone_board_keys = await _completed(client, gone_board)
    await drop_board_row(client, gone_board)
    scene.orphans.update(gone_board_keys)
    scene.gone_folders.append(gone_board)

    # A pending generation: its job may report old files at the very end, so its folder is left alone.
    pending = await create_generation(client, board_id)
    scene.kept.add(_write(root, f"{board_id}/{pending}/partial-result.png"))

    # A file loose in a board folder, an abandoned upload, and something a person put there.
    scene.orphans.add(_write(root, f"{board_id}/stray.bin"))
    scene.orphans.add(_write(root, f".tmp/{uuid.uuid4().hex}.upload"))
    scene.kept.add(_write(root, "README-for-the-team.txt"))
    return scene


async def test_gc_removes_orphans_and_keeps_what_is_named(client: AppClient) -> None:
    store, database = client.services.media, client.services.database
    scene = await _scene(client)
    assert files_under(store.root) == scene.orphans | scene.kept

    listed = await collect_garbage(database, store, dry_run=True)
    assert {orphan.key for orphan in listed.orphans} == scene.orphans
    assert listed.size == sum((store.root / key).stat().st_size for key in scene.orphans)
    assert not listed.removed and files_under(store.root) == scene.orphans | scene.kept, "a dry run removes nothing"
    assert (listed.recent, listed.live, listed.foreign) == (1, 1, 1)
    reasons = {orphan.key.rsplit("/", 1)[-1]: orphan.reason for orphan in listed.orphans}
    assert reasons["scratch.png"] == "its generation does not name it"
    assert reasons["stray.bin"] == "not inside a generation's folder"
    assert reasons[".output.0123abcd.part"] == "an unfinished write"

    removed = await collect_garbage(database, store)
    assert removed.removed and {orphan.key for orphan in removed.orphans} == scene.orphans
    assert files_under(store.root) == scene.kept
    # The folders of the deleted generation and board went with their files.
    assert scene.gone_folders and not any((store.root / folder).exists() for folder in scene.gone_folders)
    assert removed.folders_removed == 3  # the generation's, the board's and its generation's
    for url in scene.kept_urls:
        assert (await client.http.get(url)).status_code == 200

    again = await collect_garbage(database, store)
    assert again.orphans == [] and again.folders_removed == 0


async def test_a_shorter_grace_period_takes_younger_files(client: AppClient) -> None:
    store = client.services.media
    board_id = await create_board(client)
    generation_id, _keys = await _completed(client, board_id)
    young = _write(store.root, f"{board_id}/{generation_id}/young.png", minutes_old=5)
    assert (await collect_garbage(client.services.database, store)).orphans == []
    report = await collect_garbage(client.services.database, store, grace_minutes=2)
    assert [orphan.key for orphan in report.orphans] == [young]
    assert not (store.root / young).exists()


async def test_gc_refuses_a_media_folder_that_belongs_to_another_database(
    client: AppClient, tmp_path: Path, database_url: str
) -> None:
    store = client.services.media
    board_id = await create_board(client)
    _generation, keys = await _completed(client, board_id)
    # The same media folder, read against a database that has none of its boards (a wrong setting).
    async with running_app(
        f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other", BOARDS_MEDIA_DIR=str(store.root)
    ) as stranger:
        with pytest.raises(GcRefused, match="BOARDS_DATABASE_URL"):
            await collect_garbage(stranger.services.database, stranger.services.media)
        assert files_under(store.root) >= set(keys)
        forced = await collect_garbage(stranger.services.database, stranger.services.media, force=True)
        assert {orphan.key for orphan in forced.orphans} == set(keys)


def _cli(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess:
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
    }
    return subprocess.run(
        [sys.executable, "-m", "boards_desktop", "media", "gc", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


async def test_the_command(client: AppClient, tmp_path: Path, database_url: str) -> None:
    store = client.services.media
    scene = await _scene(client)

    listed = _cli(tmp_path, database_url, "--dry-run")
    assert listed.returncode == 0, listed.stderr
    size = sum((store.root / key).stat().st_size for key in scene.orphans)
    assert f"would remove {len(scene.orphans)} files ({size} bytes)" in listed.stdout
    for key in scene.orphans:
        assert f"would remove  {key}  (" in listed.stdout
    assert "nothing was removed (--dry-run)" in listed.stdout
    assert files_under(store.root) == scene.orphans | scene.kept

    removed = _cli(tmp_path, database_url, "--grace-minutes", "30")
    assert removed.returncode == 0, removed.stderr
    assert f"removed {len(scene.orphans)} files ({size} bytes)" in removed.stdout
    assert "kept: 1 unnamed files younger than 30 minutes" in removed.stdout
    assert files_under(store.root) == scene.kept


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_bad_arguments_and_a_missing_database(tmp_path: Path, database_url: str) -> None:
    refused = _cli(tmp_path, database_url, "--grace-minutes", "-5")
    assert refused.returncode == 2 and "give a number of minutes, 0 or more" in refused.stderr
    (tmp_path / "data" / "media" / str(uuid.uuid4())).mkdir(parents=True)
    missing = _cli(tmp_path, database_url)
    assert missing.returncode == 2 and "no database at" in missing.stderr
    assert not (tmp_path / "boards.db").exists(), "gc does not create a database"
