"""Archives that cannot be imported are refused with a message, and nothing is half-imported;
on a clash what exists is kept and the import says so."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from boards_desktop.db import models
from boards_desktop.media.store import MediaStore
from tests.app_harness import app_environment, running_app
from tests.archives.support import (
    all_files,
    board_contents,
    board_with_everything,
    export_board,
    import_board,
    installation,
    media_hashes,
    nothing_stored,
    stored_hashes,
)
from tests.conftest import ENGINES_AND_BACKENDS, MEDIA_BACKENDS
from tests.graphql.helpers import add_member, my_id


async def _nothing_imported(settings, board: str) -> None:
    assert await board_contents(settings.database_url, board) == {}
    assert await nothing_stored(settings)  # nothing published (folder or bucket), nothing staged left


def _rewritten(source: Path, target: Path, change) -> Path:
    """A copy of the archive with board.json changed by `change` (or an entry's bytes, for media)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(info.filename, data))
    return target


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One archive for the tests that refuse it (they fail before the database; SQLite is enough)."""
    folder = tmp_path_factory.mktemp("exported")
    settings = installation(f"sqlite+aiosqlite:///{folder / 'boards.db'}", folder / "data")

    async def make() -> tuple[Path, dict]:
        async with running_app(settings.database_url, settings.data_dir) as client:
            made = await board_with_everything(client)
        return await export_board(settings, made["board"], folder / "board.zip"), made

    return asyncio.run(make())


def _fresh(tmp_path: Path, storage: dict[str, str] | None = None):
    """An empty installation; `storage` puts its media in a bucket (the storage_environment fixture)."""
    return installation(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}", tmp_path / "other", **(storage or {}))


async def test_an_archive_of_a_newer_format_is_refused_saying_so(exported, tmp_path, capsys):
    archive, made = exported

    def newer(name: str, data: bytes) -> bytes:
        if name != "board.json":
            return data
        return json.dumps({**json.loads(data), "format_version": 3, "app_version": "9.0.0"}).encode()

    target = _fresh(tmp_path)
    assert await import_board(target, _rewritten(archive, tmp_path / "newer.zip", newer)) == 2
    error = capsys.readouterr().err
    assert "format version 3 (made by Boards Desktop 9.0.0)" in error and "Update Boards Desktop" in error
    await _nothing_imported(target, made["board"])


@pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)
async def test_a_truncated_archive_is_refused_and_nothing_is_imported(exported, tmp_path, capsys, storage_environment):
    archive, made = exported
    data = archive.read_bytes()
    target = _fresh(tmp_path, storage_environment)
    for cut in (len(data) // 2, len(data) - 10):
        (tmp_path / "cut.zip").write_bytes(data[:cut])
        assert await import_board(target, tmp_path / "cut.zip") == 2
        assert "not a complete board archive" in capsys.readouterr().err
        await _nothing_imported(target, made["board"])


@pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)
async def test_a_damaged_file_inside_is_refused_and_no_row_or_file_stays(
    exported, tmp_path, capsys, storage_environment
):
    """The rows would all fit, but one picture's bytes are not those exported: nothing goes in."""
    archive, made = exported
    with zipfile.ZipFile(archive) as opened:
        last_media = [name for name in opened.namelist() if name.startswith("media/")][-1]

    def damaged(name: str, data: bytes) -> bytes:
        return data[:-1] + bytes([data[-1] ^ 0xFF]) if name == last_media else data

    target = _fresh(tmp_path, storage_environment)
    assert await import_board(target, _rewritten(archive, tmp_path / "damaged.zip", damaged)) == 2
    error = capsys.readouterr().err
    assert "is damaged" in error and last_media.removeprefix("media/") in error and "nothing was imported" in error
    await _nothing_imported(target, made["board"])


async def test_a_file_that_is_no_archive_is_refused(tmp_path, capsys):
    target = _fresh(tmp_path)
    (tmp_path / "notes.zip").write_bytes(b"just some notes")
    assert await import_board(target, tmp_path / "notes.zip") == 2
    assert "not a complete board archive" in capsys.readouterr().err
    with zipfile.ZipFile(tmp_path / "photos.zip", "w") as photos:
        photos.writestr("photo.jpg", b"...")
    assert await import_board(target, tmp_path / "photos.zip") == 2
    assert "has no board.json: it is not a board archive" in capsys.readouterr().err
    assert all_files(target.media_dir) == []


async def test_on_a_clash_what_exists_is_kept_and_the_rest_added(client, database_url, tmp_path, capsys):
    made = await board_with_everything(client)
    settings = installation(database_url, client.services.settings.data_dir)
    archive = await export_board(settings, made["board"], tmp_path / "b.zip")
    capsys.readouterr()

    # Everything is here: nothing changes, and the import says so.
    before = await board_contents(database_url, made["board"])
    files = media_hashes(settings.media_dir, made["board"])
    assert await import_board(settings, archive) == 0
    said = capsys.readouterr().out
    assert "the board was here already and is kept as it is" in said
    assert "generations: 0 added, 4 already here and kept" in said and "files: 0 added" in said
    assert await board_contents(database_url, made["board"]) == before

    # A changed prompt is kept; a generation removed for good comes back with its file, star and lineage.
    async with client.services.database.write() as session:
        await session.execute(
            update(models.Generation)
            .where(models.Generation.id == uuid.UUID(made["first"]))
            .values(input_params={"prompt": "changed here"})
        )
        await session.execute(delete(models.Generation).where(models.Generation.id == uuid.UUID(made["child"])))
    for key in [key for key in files if made["child"] in key]:
        (settings.media_dir / key).unlink()
    assert await import_board(settings, archive) == 0
    said = capsys.readouterr().out
    assert "generations: 1 added, 3 already here and kept" in said and "files: 2 added" in said
    after = await board_contents(database_url, made["board"])
    assert next(g for g in after["generations"] if g["id"] == made["first"])["input_params"] == {
        "prompt": "changed here"
    }
    assert after["lineage"] == before["lineage"] and after["generation_tags"] == before["generation_tags"]
    assert media_hashes(settings.media_dir, made["board"]) == files


async def test_a_board_here_that_you_may_not_add_to_is_refused(client, other_client, database_url, tmp_path, capsys):
    """A teammate on the same database imports your board's archive: refused while they are a viewer."""
    made = await board_with_everything(client)
    archive = await export_board(
        installation(database_url, client.services.settings.data_dir), made["board"], tmp_path / "b.zip"
    )
    theirs = installation(database_url, other_client.services.settings.data_dir)
    await add_member(client, made["board"], await my_id(other_client), "VIEWER")
    before = await board_contents(database_url, made["board"])
    assert await import_board(theirs, archive) == 2
    error = capsys.readouterr().err
    assert "you may not add to it (that takes the editor role or higher)" in error
    assert await board_contents(database_url, made["board"]) == before
    await client.data(
        "mutation($b: UUID!, $u: UUID!) { updateBoardMemberRole(boardId: $b, userId: $u, role: EDITOR) { id } }",
        {"b": made["board"], "u": await my_id(other_client)},
    )
    assert await import_board(theirs, archive) == 0
    assert "4 already here and kept" in capsys.readouterr().out


@ENGINES_AND_BACKENDS
async def test_an_archive_whose_rows_the_database_refuses_imports_nothing(
    exported, database_url, tmp_path, capsys, storage_environment
):
    """A value no column takes (edited by hand, or written by a broken tool): refused on either engine.

    On a bucket the files are uploaded before the rows go in: refused, they are deleted again."""
    archive, made = exported

    def broken(name: str, data: bytes) -> bytes:
        if name != "board.json":
            return data
        description = json.loads(data)
        description["generations"][-1]["progress"] = "most of it"
        return json.dumps(description).encode()

    target = installation(database_url, tmp_path / "other", **storage_environment)
    assert await import_board(target, _rewritten(archive, tmp_path / "broken.zip", broken)) == 2
    error = capsys.readouterr().err
    assert "a row holds a value this database refuses" in error and "nothing was imported" in error
    await _nothing_imported(target, made["board"])


def test_the_commands_export_and_import_from_the_command_line(exported, tmp_path):
    """`boards-desktop boards export|import` as a shell runs them: what they print and how they exit."""
    archive, made = exported
    source = archive.parent
    environment = {**os.environ, **app_environment(f"sqlite+aiosqlite:///{source / 'boards.db'}", source / "data")}

    def run(*arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "boards_desktop", "boards", *arguments],
            env={**environment, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    exported_again = run("export", made["board"], str(tmp_path / "again.zip"))
    assert exported_again.returncode == 0, exported_again.stderr
    assert "exported 'Harbour studies': 4 generations, 6 files" in exported_again.stdout
    assert "left out 1 generation still running; export again when it has finished" in exported_again.stdout
    elsewhere = {
        "BOARDS_DATA_DIR": str(tmp_path / "other"),
        "BOARDS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'other.db'}",
    }
    imported = run("import", str(tmp_path / "again.zip"), **elsewhere)
    assert imported.returncode == 0, imported.stderr
    assert "generations: 4 added, 0 already here and kept" in imported.stdout
    refused = run("export", "not-a-board", str(tmp_path / "x.zip"))
    assert refused.returncode == 2 and "'not-a-board' is not a board id" in refused.stderr
    assert not (tmp_path / "x.zip").exists()


@ENGINES_AND_BACKENDS
async def test_two_imports_of_one_archive_at_once_keep_every_file(
    exported, database_url, tmp_path, capsys, storage_environment
):
    """Both see the board as new; one adds it and the other finds it added meanwhile. The one refused
    takes back only what no committed row names: the winner's files, under the same keys, stay."""
    archive, made = exported
    target = installation(database_url, tmp_path / "other", **storage_environment)
    folder = archive.parent
    exporter = installation(f"sqlite+aiosqlite:///{folder / 'boards.db'}", folder / "data")
    source = await stored_hashes(MediaStore.for_settings(exporter), made["board"])

    results = await asyncio.gather(import_board(target, archive), import_board(target, archive))

    said = capsys.readouterr()
    assert 0 in results, said
    contents = await board_contents(database_url, made["board"])
    assert len(contents["generations"]) == 4
    assert await stored_hashes(MediaStore.for_settings(target), made["board"]) == source
