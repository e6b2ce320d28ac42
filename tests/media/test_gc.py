"""media gc: orphans found and removed on both engines and both backends; named, recent and live files kept,
and in a bucket nothing outside the app's prefix touched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from boards_desktop.media import store_media
from boards_desktop.media.gc import DEFAULT_GRACE_MINUTES, GcRefused, collect_garbage
from tests.app_harness import AppClient, running_app
from tests.conftest import ENGINES_AND_BACKENDS
from tests.media.samples import image_bytes
from tests.media.stored_objects import StoredObjects
from tests.media.support import age, create_board, create_generation, drop_board_row, drop_generation_row, finish
from tests.s3_server import SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]


FOLDER_ON_EACH_ENGINE = pytest.mark.parametrize(
    ("engine_name", "media_backend"), [("sqlite", "folder"), ("postgresql", "folder")]
)


@dataclass
class Scene:
    """Media storage after some accidents: what must go and what must stay."""

    objects: StoredObjects
    orphans: set[str] = field(default_factory=set)
    kept: set[str] = field(default_factory=set)
    kept_urls: list[str] = field(default_factory=list)
    gone_folders: list[str] = field(default_factory=list)  # of rows deleted: removed once empty
    elsewhere: dict[str, int] = field(default_factory=dict)  # the bucket's objects outside our prefix

    @property
    def grace_minutes(self) -> float:
        # The scene's files are two hours old in the folder. A bucket's server dates its objects
        # itself (no test can age one), so there every file is new and the grace period is 0.
        return 0 if self.objects.in_bucket else DEFAULT_GRACE_MINUTES

    async def staged(self) -> set[str]:
        """What is stored, and on the folder its unfinished writes too."""
        return await self.objects.keys() | (set() if self.objects.in_bucket else self.objects.staged())


async def _completed(
    client: AppClient, objects: StoredObjects, board_id: str, *extra_names: str
) -> tuple[str, list[str]]:
    """A completed generation with its image, thumbnail and `extra_names` files named by its row."""
    store = client.services.media
    generation_id = await create_generation(client, board_id)
    stored = await store_media(
        store, board_id=board_id, generation_id=generation_id, source=image_bytes("PNG"), artifact_type="image"
    )
    prefix = store.generation_prefix(board_id, generation_id)
    extras = [await objects.put(f"{prefix}/{name}", minutes_old=120) for name in extra_names]
    await finish(client, generation_id, stored, *(store.url_of(key) for key in extras))
    keys = [stored.key, stored.key.replace("output.png", "output-thumb.webp"), *extras]
    if not objects.in_bucket:
        for key in keys:
            age(store.root / key, 120)  # old, yet named: kept
    return generation_id, keys


async def _scene(client: AppClient) -> Scene:
    objects = StoredObjects.of(client)
    scene = Scene(objects)
    board_id = await create_board(client)

    # A completed generation whose row names its files (one through additional_files)...
    kept_generation, keys = await _completed(client, objects, board_id, "mask.png")
    scene.kept.update(keys)
    scene.kept_urls = [client.services.media.url_of(key) for key in keys]
    # ...next to a file it never reported.
    prefix = f"{board_id}/{kept_generation}"
    scene.orphans.add(await objects.put(f"{prefix}/scratch.png", minutes_old=120))

    # A generation deleted in the database, then the app stopped before its folder went.
    gone, gone_keys = await _completed(client, objects, board_id)
    await drop_generation_row(client, gone)
    scene.orphans.update(gone_keys)
    scene.gone_folders.append(f"{board_id}/{gone}")

    # A whole board deleted likewise.
    gone_board = await create_board(client, "Gone")
    _, gone_board_keys = await _completed(client, objects, gone_board)
    await drop_board_row(client, gone_board)
    scene.orphans.update(gone_board_keys)
    scene.gone_folders.append(gone_board)

    # A pending generation: its job may report old files at the very end, so its folder is left alone.
    pending = await create_generation(client, board_id)
    scene.kept.add(await objects.put(f"{board_id}/{pending}/partial-result.png", minutes_old=120))

    # A file loose in a board folder, and something a person put there.
    scene.orphans.add(await objects.put(f"{board_id}/stray.bin", minutes_old=120))
    scene.kept.add(await objects.put("README-for-the-team.txt", minutes_old=120))

    if objects.in_bucket:
        # The same bucket holds other prefixes: another team's media (laid out as ours, and named by
        # no row of this database), a prefix that begins like ours, and a file at the top.
        ours = objects.prefix
        for key in [
            f"other-team/{board_id}/{uuid.uuid4()}/output.png",
            f"{ours}-old/{uuid.uuid4()}/{uuid.uuid4()}/output.png",
            f"{ours}-old/{board_id}/{gone}/output.png",
            "notes.txt",
        ]:
            await objects.put_elsewhere(key, b"not ours")
        scene.elsewhere = {
            key: size for key, size in (await objects.whole_bucket()).items() if not key.startswith(ours + "/")
        }
    else:
        # Local writes only the folder has (with a bucket they are staged on the disk, never in it):
        # a write that crashed half way, an abandoned upload, and a file written a minute ago (a job
        # may be about to report it; a bucket's objects cannot be aged, see `grace_minutes`).
        scene.orphans.add(await objects.put(f"{prefix}/.output.0123abcd.part", minutes_old=120))
        scene.orphans.add(await objects.put(f".tmp/{uuid.uuid4().hex}.upload", minutes_old=120))
        scene.kept.add(await objects.put(f"{prefix}/fresh.png", minutes_old=1))
    return scene


@ENGINES_AND_BACKENDS
async def test_gc_removes_orphans_and_keeps_what_is_named(client: AppClient) -> None:
    store, database = client.services.media, client.services.database
    scene = await _scene(client)
    objects = scene.objects
    assert await scene.staged() == scene.orphans | scene.kept
    sizes = (
        await objects.sizes()
        if objects.in_bucket
        else {key: (store.root / key).stat().st_size for key in scene.orphans}
    )

    listed = await collect_garbage(database, store, grace_minutes=scene.grace_minutes, dry_run=True)
    assert {orphan.key for orphan in listed.orphans} == scene.orphans
    assert listed.size == sum(sizes[key] for key in scene.orphans)
    assert not listed.removed and await scene.staged() == scene.orphans | scene.kept, "a dry run removes nothing"
    recent = 0 if objects.in_bucket else 1
    assert (listed.recent, listed.live, listed.foreign) == (recent, 1, 1)
    reasons = {orphan.key.rsplit("/", 1)[-1]: orphan.reason for orphan in listed.orphans}
    assert reasons["scratch.png"] == "its generation does not name it"
    assert reasons["stray.bin"] == "not inside a generation's folder"
    if not objects.in_bucket:
        assert reasons[".output.0123abcd.part"] == "an unfinished write"

    removed = await collect_garbage(database, store, grace_minutes=scene.grace_minutes)
    assert removed.removed and {orphan.key for orphan in removed.orphans} == scene.orphans
    assert await scene.staged() == scene.kept
    if objects.in_bucket:
        whole = await objects.whole_bucket()
        assert {key: size for key, size in whole.items() if key in scene.elsewhere} == scene.elsewhere
    else:
        # The folders of the deleted generation and board went with their files.
        assert scene.gone_folders and not any((store.root / folder).exists() for folder in scene.gone_folders)
        assert removed.folders_removed == 3  # the generation's, the board's and its generation's
    for url in scene.kept_urls:
        assert (await client.http.get(url)).status_code == 200

    again = await collect_garbage(database, store, grace_minutes=scene.grace_minutes)
    assert again.orphans == [] and again.folders_removed == 0


@ENGINES_AND_BACKENDS
async def test_a_trashed_generations_files_are_named_until_the_trash_is_emptied(client: AppClient) -> None:
    store, database = client.services.media, client.services.database
    objects = StoredObjects.of(client)
    board_id = await create_board(client)
    trashed, keys = await _completed(client, objects, board_id, "mask.png")
    await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": trashed})
    report = await collect_garbage(database, store, grace_minutes=0)
    assert report.orphans == [] and set(keys) <= await objects.keys()


# Folder only: a bucket's server dates its objects itself, so no test can make one older.
@FOLDER_ON_EACH_ENGINE
async def test_a_shorter_grace_period_takes_younger_files(client: AppClient) -> None:
    store = client.services.media
    objects = StoredObjects.of(client)
    board_id = await create_board(client)
    generation_id, _keys = await _completed(client, objects, board_id)
    young = await objects.put(f"{board_id}/{generation_id}/young.png", minutes_old=5)
    assert (await collect_garbage(client.services.database, store)).orphans == []
    report = await collect_garbage(client.services.database, store, grace_minutes=2)
    assert [orphan.key for orphan in report.orphans] == [young]
    assert young not in await objects.keys()


@ENGINES_AND_BACKENDS
async def test_gc_refuses_media_that_belongs_to_another_database(
    client: AppClient, tmp_path: Path, storage_environment: dict[str, str], media_backend: str
) -> None:
    objects = StoredObjects.of(client)
    board_id = await create_board(client)
    _generation, keys = await _completed(client, objects, board_id)
    # The same media, read against a database that has none of its boards (a wrong setting).
    where = storage_environment or {"BOARDS_MEDIA_DIR": str(client.services.media.root)}
    async with running_app(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other", **where) as stranger:
        setting = "BOARDS_STORAGE_URL" if media_backend == "bucket" else "BOARDS_MEDIA_DIR"
        with pytest.raises(GcRefused, match=f"BOARDS_DATABASE_URL \\(or {setting}\\)"):
            await collect_garbage(stranger.services.database, stranger.services.media, grace_minutes=0)
        assert await objects.keys() == set(keys)
        forced = await collect_garbage(stranger.services.database, stranger.services.media, grace_minutes=0, force=True)
        assert {orphan.key for orphan in forced.orphans} == set(keys)
        assert await objects.keys() == set()


def _cli(
    tmp_path: Path, database_url: str, *args: str, storage: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    data_dir = tmp_path / "data"
    env = {
        **os.environ,
        "BOARDS_DATA_DIR": str(data_dir),
        "BOARDS_DATABASE_URL": database_url,
        "BOARDS_CONFIG_FILE": str(data_dir / "none.toml"),
        **(storage or {}),
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


@ENGINES_AND_BACKENDS
async def test_the_command(
    client: AppClient, tmp_path: Path, database_url: str, storage_environment: dict[str, str]
) -> None:
    scene = await _scene(client)
    objects = scene.objects
    sizes = (
        await objects.sizes()
        if objects.in_bucket
        else {key: (objects.store.root / key).stat().st_size for key in scene.orphans}
    )
    size = sum(sizes[key] for key in scene.orphans)
    grace = ["--grace-minutes", "0"] if objects.in_bucket else []

    listed = _cli(tmp_path, database_url, "--dry-run", *grace, storage=storage_environment)
    assert listed.returncode == 0, listed.stderr
    assert (
        f"would remove {len(scene.orphans)} files ({size} bytes) from {client.services.media.location}" in listed.stdout
    )
    for key in scene.orphans:
        assert f"would remove  {key}  (" in listed.stdout
    assert "nothing was removed (--dry-run)" in listed.stdout
    assert await scene.staged() == scene.orphans | scene.kept

    removed = _cli(
        tmp_path, database_url, "--grace-minutes", "0" if objects.in_bucket else "30", storage=storage_environment
    )
    assert removed.returncode == 0, removed.stderr
    assert f"removed {len(scene.orphans)} files ({size} bytes)" in removed.stdout
    if not objects.in_bucket:
        assert "kept: 1 unnamed files younger than 30 minutes" in removed.stdout
    assert await scene.staged() == scene.kept
    output = listed.stdout + listed.stderr + removed.stdout + removed.stderr
    assert SECRET_KEY not in output, "the bucket's credentials are never printed"


@pytest.mark.parametrize("engine_name", ["sqlite"])
def test_bad_arguments_and_a_missing_database(tmp_path: Path, database_url: str) -> None:
    refused = _cli(tmp_path, database_url, "--grace-minutes", "-5")
    assert refused.returncode == 2 and "give a number of minutes, 0 or more" in refused.stderr
    (tmp_path / "data" / "media" / str(uuid.uuid4())).mkdir(parents=True)
    missing = _cli(tmp_path, database_url)
    assert missing.returncode == 2 and "no database at" in missing.stderr
    assert not (tmp_path / "boards.db").exists(), "gc does not create a database"
