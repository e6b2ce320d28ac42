"""The page's Export and Import: GET /api/boards/<id>/archive and POST /api/boards/import."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.app_harness import running_app
from tests.archives.support import all_files, board_contents, board_with_everything, stored_hashes
from tests.conftest import ENGINES_AND_BACKENDS, MEDIA_BACKENDS
from tests.media.support import published


@ENGINES_AND_BACKENDS
async def test_a_board_downloaded_from_one_app_and_uploaded_to_another_arrives_whole(
    client, database_url, tmp_path, media_backend, request
):
    made = await board_with_everything(client)
    board = made["board"]
    response = await client.http.get(f"/api/boards/{board}/archive")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert 'filename="harbour-studies.board.zip"' in response.headers["content-disposition"]
    assert response.headers["x-boards-left-out"] == "1"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert json.loads(archive.read("board.json"))["format_version"] == 2

    expected = await board_contents(database_url, board)
    expected["generations"] = [g for g in expected["generations"] if g["id"] != made["running"]]
    expected["generation_count"] -= 1
    other_url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    # The other app keeps its media where this one does: its own folder, or a bucket of its own.
    storage = {}
    if media_backend == "bucket":
        server = request.getfixturevalue("s3_server")
        storage = server.environment(server.new_bucket())
    async with running_app(other_url, tmp_path / "other", **storage) as other:
        answer = await other.http.post(
            "/api/boards/import", content=response.content, headers={"content-type": "application/zip"}
        )
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["boardId"] == board and report["boardAdded"] is True
        assert (report["generationsAdded"], report["generationsKept"], report["filesAdded"]) == (4, 0, 6)
        assert (report["lineageAdded"], report["tagsAdded"], report["favouritesAdded"]) == (1, 1, 2)
        assert await board_contents(other_url, board) == expected
        sent = await stored_hashes(client.services.media, board)
        assert len(sent) == 6 and await stored_hashes(other.services.media, board) == sent
        assert all_files(other.services.media.root) == ([] if media_backend == "bucket" else list(sent))
        again = (await other.http.post("/api/boards/import", content=response.content)).json()
        assert (again["boardAdded"], again["generationsAdded"], again["generationsKept"]) == (False, 0, 4)
        assert "4 already here and kept" in again["message"]


@pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)
async def test_what_cannot_be_exported_or_imported_is_refused_in_words(client, other_client, tmp_path):
    made = await board_with_everything(client)
    missing = await client.http.get("/api/boards/00000000-0000-4000-8000-000000000000/archive")
    assert missing.status_code == 404 and "No board" in missing.json()["error"]
    # A teammate who may not read the board cannot tell it from one that is not there.
    hidden = await other_client.http.get(f"/api/boards/{made['board']}/archive")
    assert hidden.status_code == 404 and hidden.json()["error"] == missing.json()["error"].replace(
        "00000000-0000-4000-8000-000000000000", made["board"]
    )
    before = await published(client.services.media)
    cut = (await client.http.get(f"/api/boards/{made['board']}/archive")).content
    refused = await other_client.http.post("/api/boards/import", content=cut[: len(cut) // 2])
    assert refused.status_code == 400
    assert "not a complete board archive" in refused.json()["error"] and refused.json()["code"] == "BAD_USER_INPUT"
    empty = await other_client.http.post("/api/boards/import", content=b"")
    assert empty.status_code == 400 and "has no archive" in empty.json()["error"]
    # The board is here and the teammate is not a member: refused, nothing changed, no file left.
    full = await other_client.http.post("/api/boards/import", content=cut)
    assert full.status_code == 400 and "you may not add to it" in full.json()["error"]
    assert await published(client.services.media) == before  # on a bucket, the one both apps share
    assert all_files(other_client.services.media.root) == []
