"""A board leaves one installation and comes back whole in another: every row and every file,
SQLite to PostgreSQL and back, and the other way round; from a media folder into a team's
bucket and back out of it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from boards_desktop.media.store import MediaStore
from tests import conftest
from tests.app_harness import running_app
from tests.archives.support import (
    all_files,
    board_contents,
    board_with_everything,
    export_board,
    import_board,
    installation,
    media_hashes,
    stored_hashes,
)
from tests.postgres_server import create_postgres_database, drop_postgres_database


@pytest.fixture
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """A fresh database for each installation of the chain, on the engines the parameter names."""
    urls: list[str] = []
    made: list[str] = []
    admin = None
    for index, engine in enumerate(request.param):
        if engine == "sqlite":
            urls.append(f"sqlite+aiosqlite:///{tmp_path / f'boards-{index}.db'}")
        else:
            admin = admin or request.getfixturevalue("postgres_admin_url")
            url = asyncio.run(create_postgres_database(admin))
            conftest._postgres_ran = True  # the run's summary line says PostgreSQL was used
            urls.append(url)
            made.append(url)
    try:
        yield urls
    finally:
        for url in made:
            asyncio.run(drop_postgres_database(admin, url))


@pytest.mark.parametrize(
    "chain",
    [("sqlite", "postgresql", "sqlite"), ("postgresql", "sqlite", "postgresql")],
    indirect=True,
    ids=["sqlite-postgresql-sqlite", "postgresql-sqlite-postgresql"],
)
async def test_a_board_travels_between_engines_and_comes_back_with_nothing_lost(chain, tmp_path):
    first, second, third = (installation(url, tmp_path / f"data-{i}") for i, url in enumerate(chain))
    async with running_app(chain[0], first.data_dir) as client:
        made = await board_with_everything(client)
    board = made["board"]
    original = await board_contents(chain[0], board)
    original_media = media_hashes(first.media_dir, board)

    # The running generation stays behind: its job is this installation's.
    assert made["running"] not in {row["id"] for row in (await _exported_ids(first, board, tmp_path))}
    expected = {**original, "generations": [g for g in original["generations"] if g["id"] != made["running"]]}
    expected["generation_count"] -= 1
    assert (
        len(expected["generations"]) == 4 and len(original_media) == 6
    )  # 3 files, 2 thumbnails (not text), the extra file

    archive = await export_board(first, board, tmp_path / "one.zip")
    assert await import_board(second, archive) == 0
    assert await board_contents(chain[1], board) == expected
    assert media_hashes(second.media_dir, board) == original_media

    back = await export_board(second, board, tmp_path / "two.zip")
    assert await import_board(third, back) == 0
    assert await board_contents(chain[2], board) == expected
    assert media_hashes(third.media_dir, board) == original_media
    assert not [name for name in all_files(third.media_dir) if name.startswith(".tmp")]

    # What the artist sees in the last installation: the same board, lineage, tag and stars.
    async with running_app(chain[2], third.data_dir) as client:
        data = await client.data(
            """query($id: UUID!) { board(id: $id) { title description generationCount
                generations(limit: 10) { id status prompt isFavourite tags { slug }
                    inputArtifacts { generationId role } } } }""",
            {"id": board},
        )
        seen = {g["id"]: g for g in data["board"]["generations"]}
        assert data["board"]["title"] == "Harbour studies" and data["board"]["generationCount"] == 4
        assert seen[made["child"]]["inputArtifacts"] == [{"generationId": made["first"], "role": "parent"}]
        assert [t["slug"] for t in seen[made["first"]]["tags"]] == ["harbour"]
        assert seen[made["first"]]["isFavourite"] and seen[made["text"]]["isFavourite"]
        assert not seen[made["failed"]]["isFavourite"] and seen[made["failed"]]["status"] == "FAILED"
        picture = await client.http.get(f"/api/storage/{next(iter(original_media))}")
        assert picture.status_code == 200


async def test_a_board_moves_from_a_folder_into_a_team_bucket_and_back_with_nothing_lost(tmp_path, s3_server):
    """Export from the media folder, import into an installation whose media is in a bucket, export
    from the bucket, import into a folder again: the same rows, the same bytes under the same keys."""
    bucket = s3_server.new_bucket()
    solo, team, back = (
        installation(f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}", tmp_path / name, **storage)
        for name, storage in (("solo", {}), ("team", s3_server.environment(bucket)), ("back", {}))
    )
    async with running_app(solo.database_url, solo.data_dir) as client:
        made = await board_with_everything(client)
    board = made["board"]
    expected = await board_contents(solo.database_url, board)
    expected["generations"] = [g for g in expected["generations"] if g["id"] != made["running"]]
    expected["generation_count"] -= 1
    original_media = media_hashes(solo.media_dir, board)
    assert len(original_media) == 6

    one = await export_board(solo, board, tmp_path / "one.zip")
    assert await import_board(team, one) == 0
    assert await board_contents(team.database_url, board) == expected
    assert await stored_hashes(MediaStore.for_settings(team), board) == original_media
    assert s3_server.keys(bucket, "team/") == set(original_media)  # in the bucket, below the prefix
    assert all_files(team.media_dir) == []  # the staged copies went up: none stays on this disk

    two = await export_board(team, board, tmp_path / "two.zip")
    assert _media_listed(two) == _media_listed(one)  # the bucket's files are the folder's, byte for byte
    assert await import_board(back, two) == 0
    assert await board_contents(back.database_url, board) == expected
    assert media_hashes(back.media_dir, board) == original_media


def _media_listed(archive: Path) -> list[dict]:
    import json
    import zipfile

    with zipfile.ZipFile(archive) as opened:
        return sorted(json.loads(opened.read("board.json"))["media"], key=lambda item: item["key"])


async def _exported_ids(settings, board: str, tmp_path: Path) -> list[dict]:
    import json
    import zipfile

    archive = await export_board(settings, board, tmp_path / "peek.zip")
    with zipfile.ZipFile(archive) as opened:
        return json.loads(opened.read("board.json"))["generations"]
