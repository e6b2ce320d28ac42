"""Two teammates' apps, each with its own data folder, on one PostgreSQL database and one bucket.

B queues jobs on A's board that only A's app runs (B's app runs none of that provider's jobs);
both apps read every result and thumbnail, because the results are in the bucket, not in A's
folder. Removing B from the board makes B's reads of the same URLs 404. The bucket's keys appear
in neither app's output, nor in the API.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.plugins.generators import read_records
from tests.postgres_server import create_postgres_database, drop_postgres_database
from tests.s3_server import SECRET_KEY, ThrowawayS3
from tests.serve_process import Serve, serve_env, wait_for

JOBS = 6
CREATE_BOARD = 'mutation { createBoard(input: {title: "Team board"}) { id } }'
ME = "{ me { id } }"
ADD = """mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u, role: EDITOR}) { id } }"""
REMOVE = "mutation($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }"
QUEUE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-slow",
  artifactType: IMAGE, inputParams: {steps: 2, delay: 0.01}}) { id } }"""
RESULTS = "query($b: UUID!) { board(id: $b) { generations(limit: 100) { id status storageUrl thumbnailUrl } } }"


def _results(server: Serve, board: str) -> list[dict]:
    return server.data(RESULTS, {"b": board})["board"]["generations"]


def test_two_apps_share_results_through_the_bucket(tmp_path: Path, postgres_admin_url: str, s3_server: ThrowawayS3):
    url = asyncio.run(create_postgres_database(postgres_admin_url))
    bucket = s3_server.new_bucket()
    storage = s3_server.environment(bucket, prefix="studio")
    runs_a, runs_b = tmp_path / "runs-a.jsonl", tmp_path / "runs-b.jsonl"
    try:
        a = Serve(serve_env(tmp_path / "a", url, BOARDS_TEST_GENERATOR_LOG=str(runs_a), **storage), tmp_path, "a")
        try:
            # B's app runs no job of the test provider: whatever B queues, A's app runs.
            env_b = serve_env(tmp_path / "b", url, BOARDS_CONCURRENCY_TEST="0", **storage)
            b = Serve({**env_b, "BOARDS_TEST_GENERATOR_LOG": str(runs_b)}, tmp_path, "b")
            try:
                ids = _scenario(a, b, s3_server, bucket)
            finally:
                b.stop()
        finally:
            a.stop()
        # A's app ran every job B queued, each once; B's app ran none.
        ran = [record["generation_id"] for record in read_records(runs_a) if record["event"] == "done"]
        assert sorted(ran) == sorted(ids)
        assert not runs_b.exists() or not read_records(runs_b)
        for server in (a, b):
            assert SECRET_KEY not in server.stdout + server.stderr, "a secret key was written to the output"
            assert "Traceback" not in server.stderr, server.stderr
    finally:
        asyncio.run(drop_postgres_database(postgres_admin_url, url))


def _scenario(a: Serve, b: Serve, s3_server: ThrowawayS3, bucket: str) -> set[str]:
    board = a.data(CREATE_BOARD)["createBoard"]["id"]
    b_id = b.data(ME)["me"]["id"]
    a.data(ADD, {"b": board, "u": b_id})

    queued_at = time.monotonic()
    ids = {b.data(QUEUE, {"b": board})["createGeneration"]["id"] for _ in range(JOBS)}
    wait_for(
        lambda: {g["id"] for g in _results(b, board) if g["status"] == "COMPLETED"} >= ids,
        60,
        "every job B queued to complete",
    )
    print(f"{JOBS} jobs queued on B, run on A, completed as B sees them: {time.monotonic() - queued_at:.2f} s")

    # Every result and its thumbnail is in the bucket, below the prefix, and not in A's media folder.
    keys = s3_server.keys(bucket, "studio/")
    for generation_id in ids:
        assert {f"{board}/{generation_id}/output.png", f"{board}/{generation_id}/output-thumb.webp"} <= keys
    assert not list((a.data_dir / "media").glob(f"{board}/*/output.png"))

    # Both apps serve every file (B's app never had them on its disk).
    for server in (a, b):
        for generation in _results(server, board):
            for field in ("storageUrl", "thumbnailUrl"):
                response = server.http.get(generation[field])
                assert response.status_code == 200, (server.url, field, response.text)
                assert response.content[:4] in (b"\x89PNG", b"RIFF")
            ranged = server.http.get(generation["storageUrl"], headers={"Range": "bytes=0-7"})
            assert ranged.status_code == 206 and ranged.content == b"\x89PNG\r\n\x1a\n"

    # The settings say where media lives, and nothing of the credentials.
    settings = b.http.post("/graphql", json={"query": "{ appSettings { mediaStorage } }"}).json()
    assert settings["data"]["appSettings"]["mediaStorage"] == f"s3://{bucket}/studio"
    assert SECRET_KEY not in b.http.post("/graphql", json={"query": "{ appSettings { mediaStorage mediaDir } }"}).text

    # Removed from the board, B reads none of it any more, though the URLs are the same.
    held = _results(b, board)
    a.data(REMOVE, {"b": board, "u": b_id})
    for generation in held:
        for field in ("storageUrl", "thumbnailUrl"):
            assert b.http.get(generation[field]).status_code == 404
    for generation in _results(a, board):  # the owner still reads them (URLs signed for the owner)
        assert a.http.get(generation["thumbnailUrl"]).status_code == 200
    return ids
