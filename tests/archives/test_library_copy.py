"""`boards-desktop library copy`: a whole SQLite library into a team's database and bucket.

The library (SQLite, media in its folder) has two boards; a generation on the first board takes an
upload on the second as its input (lineage across boards, copied in the wrong order for it). After
the copy, an app on the target database and bucket shows every board and generation under the same
ids, with the same lineage, stars and file bytes. A second copy adds nothing and says so.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.app_harness import AppClient, running_app
from tests.grid.support import star
from tests.jobs.support import new_board, queue, wait_for
from tests.s3_server import ThrowawayS3
from tests.serve_process import BOARDS_DESKTOP, run, serve_env
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload

BOARD = """query($b: UUID!) { board(id: $b) { title generations(limit: 100) { id status storageUrl thumbnailUrl
  isFavourite inputArtifacts { generationId role } descendants(maxDepth: 1) { children { role generation { id } } } } } }"""


async def _library(client: AppClient) -> dict[str, dict]:
    """Two boards: the first one's job takes its input from an upload on the second."""
    first = await new_board(client, "Sketches")
    second = await new_board(client, "References")
    sent = await upload(client, second, png_bytes((40, 30), "#aa3300"), filename="ref.png", mime="image/png")
    assert sent.status_code == 200, sent.text
    made = await wait_for(client, (await queue(client, first, "test-fast", {"image": sent.json()["id"]}))["id"])
    assert made["status"] == "COMPLETED"
    await star(client, [made["id"]])
    return {board: await _board(client, board) for board in (first, second)}


async def _board(client: AppClient, board: str) -> dict:
    shown = (await client.data(BOARD, {"b": board}))["board"]
    generations = {}
    for generation in shown["generations"]:
        files = {}
        for field in ("storageUrl", "thumbnailUrl"):
            response = await client.http.get(generation[field])
            assert response.status_code == 200, response.text
            files[field] = hashlib.sha256(response.content).hexdigest()
        generations[generation["id"]] = {
            "status": generation["status"],
            "starred": generation["isFavourite"],
            "inputs": generation["inputArtifacts"],
            # The lineage rows (not the JSON above): what the lineage panel and `descendants` show.
            "used_by": sorted((c["generation"]["id"], c["role"]) for c in generation["descendants"]["children"]),
            "files": files,
        }
    return {"title": shown["title"], "generations": generations}


async def test_a_whole_library_is_copied_into_a_team_database_and_bucket(
    tmp_path: Path, database_url: str, s3_server: ThrowawayS3
) -> None:
    data_dir = tmp_path / "library"
    library_url = f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    async with running_app(library_url, data_dir) as client:
        before = await _library(client)
    assert sum(len(g["used_by"]) for board in before.values() for g in board["generations"].values()) == 1

    bucket = s3_server.new_bucket()
    storage = s3_server.environment(bucket, prefix="team")
    target_storage = storage.pop("BOARDS_STORAGE_URL")
    env = serve_env(data_dir, library_url, **storage)
    command = [*BOARDS_DESKTOP, "library", "copy", "--to", database_url, "--to-storage", target_storage]
    copied = run(command, env)
    assert copied.returncode == 0, copied.stderr
    assert "copied 2 board(s)" in copied.stdout and "2 added" in copied.stdout, copied.stdout
    assert "Traceback" not in copied.stderr

    async with running_app(database_url, data_dir, BOARDS_STORAGE_URL=target_storage, **storage) as team:
        after = {board: await _board(team, board) for board in before}
    assert after == before
    assert {key.split("/", 1)[0] for key in s3_server.keys(bucket, "team/")} == set(before)

    again = run(command, env)
    assert again.returncode == 0, again.stderr
    assert "0 added, 2 there already" in again.stdout and "generations: 0 added, 2 there already" in again.stdout


def test_copying_a_library_onto_itself_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "library"
    library_url = f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    refused = run([*BOARDS_DESKTOP, "library", "copy", "--to", library_url], serve_env(data_dir, library_url))
    assert refused.returncode == 2
    assert "the library is in" in refused.stderr and "Traceback" not in refused.stderr
