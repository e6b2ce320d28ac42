"""An archive's pictures, sounds and videos carry how they were made, as a download does, and an
import still stores the original byte for byte; archives of format version 1 still import."""

from __future__ import annotations

import asyncio
import base64
import json
import zipfile
from pathlib import Path

import pytest

from boards_desktop.media.store import MediaStore
from tests.app_harness import running_app
from tests.archives.support import (
    board_contents,
    board_with_everything,
    export_board,
    import_board,
    installation,
    media_hashes,
    nothing_stored,
    stored_hashes,
)
from tests.conftest import MEDIA_BACKENDS
from tests.metadata.av_files import pyav_tags, video_bytes, wav_bytes
from tests.metadata.support import png_texts, sha256
from tests.metadata.test_exported_av import generated


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, Path]:
    """A board with a PNG result, an upload made from it, a text, a WAV and an MP4 (its `moov` last),
    exported from SQLite and its media folder; with the folder, to read the stored originals."""
    folder = tmp_path_factory.mktemp("embedded")
    settings = installation(f"sqlite+aiosqlite:///{folder / 'boards.db'}", folder / "data")

    async def make() -> tuple[Path, dict, Path]:
        async with running_app(settings.database_url, settings.data_dir) as client:
            made = await board_with_everything(client)
            made["sound"], made["sound_file"] = await generated(client, made["board"], wav_bytes(), "audio")
            made["video"], made["video_file"] = await generated(client, made["board"], video_bytes(), "video")
        return await export_board(settings, made["board"], folder / "board.zip"), made, settings.media_dir

    return asyncio.run(make())


def _opened(archive: Path) -> tuple[dict[str, bytes], dict[str, dict]]:
    """The archive's media entries by key, and its media items by key."""
    with zipfile.ZipFile(archive) as opened:
        entries = {name.removeprefix("media/"): opened.read(name) for name in opened.namelist() if "/" in name}
        items = {item["key"]: item for item in json.loads(opened.read("board.json"))["media"]}
    return entries, items


def test_the_archives_pictures_sound_and_video_carry_how_they_were_made(exported):
    archive, made, media_root = exported
    entries, items = _opened(archive)
    with zipfile.ZipFile(archive) as opened:
        assert json.loads(opened.read("board.json"))["format_version"] == 2
    board = made["board"]
    result = next(key for key in entries if key.startswith(f"{board}/{made['first']}/") and key.endswith(".png"))
    child = next(key for key in entries if key.startswith(f"{board}/{made['child']}/") and key.endswith(".png"))

    texts = png_texts(entries[result])  # Pillow, as any PNG reader
    assert texts["parameters"].startswith("A lighthouse at dusk\n") and "Seed: 7" in texts["parameters"]
    provenance = json.loads(texts["boards_provenance"])
    original = (media_root / result).read_bytes()
    assert provenance["generation_id"] == made["first"] and provenance["sha256"] == sha256(original)
    # The upload made from it names its parent, with the parent's stored hash.
    parents = json.loads(png_texts(entries[child])["boards_provenance"])["parents"]
    assert parents == [{"generation_id": made["first"], "role": "parent", "sha256": sha256(original)}]

    sound, video = made["sound_file"].key, made["video_file"].key
    assert json.loads(pyav_tags(entries[sound])["boards_provenance"])["generation_id"] == made["sound"]
    assert json.loads(pyav_tags(entries[video])["boards_provenance"])["generation_id"] == made["video"]

    for key in (result, child, sound, video):
        stored = (media_root / key).read_bytes()
        assert entries[key] != stored and "embedded" in items[key]
        assert items[key]["sha256"] == sha256(stored) and items[key]["size"] == len(stored)  # the original's
    # Thumbnails, additional files and texts go in as they are stored.
    plain = [key for key in entries if key not in (result, child, sound, video)]
    assert plain and all(entries[key] == (media_root / key).read_bytes() for key in plain)
    assert not any("embedded" in items[key] for key in plain)


@pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)
async def test_an_import_stores_the_originals_byte_for_byte(exported, tmp_path, storage_environment):
    archive, made, media_root = exported
    target = installation(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other", **storage_environment)
    assert await import_board(target, archive) == 0
    assert await stored_hashes(MediaStore.for_settings(target), made["board"]) == media_hashes(
        media_root, made["board"]
    )


async def test_an_archive_of_format_version_1_still_imports(exported, tmp_path):
    """Version 1 held the stored files as they are, and no `embedded`."""
    archive, made, media_root = exported
    old = tmp_path / "version-1.zip"
    with zipfile.ZipFile(archive) as new, zipfile.ZipFile(old, "w") as written:
        for info in new.infolist():
            data = new.read(info.filename)
            if info.filename == "board.json":
                description = json.loads(data)
                description["format_version"] = 1
                description["media"] = [
                    {key: value for key, value in item.items() if key != "embedded"} for item in description["media"]
                ]
                data = json.dumps(description).encode()
            elif info.filename.startswith("media/"):
                data = (media_root / info.filename.removeprefix("media/")).read_bytes()
            written.writestr(info.filename, data)
    target = installation(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other")
    assert await import_board(target, old) == 0
    assert media_hashes(target.media_dir, made["board"]) == media_hashes(media_root, made["board"])


async def test_a_wrong_original_head_is_refused_as_damaged(exported, tmp_path, capsys):
    archive, made, _media_root = exported
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(archive) as new, zipfile.ZipFile(changed, "w") as written:
        for info in new.infolist():
            data = new.read(info.filename)
            if info.filename == "board.json":
                description = json.loads(data)
                item = next(item for item in description["media"] if "embedded" in item)
                head = bytearray(base64.b64decode(item["embedded"]["original_head"]))
                head[-1] ^= 0xFF
                item["embedded"]["original_head"] = base64.b64encode(head).decode()
                data = json.dumps(description).encode()
            written.writestr(info, data)
    target = installation(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other")
    assert await import_board(target, changed) == 2
    error = capsys.readouterr().err
    assert "is damaged" in error and item["key"] in error and "nothing was imported" in error
    assert await nothing_stored(target)
    assert await board_contents(target.database_url, made["board"]) == {}
