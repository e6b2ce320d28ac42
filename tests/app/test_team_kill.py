"""Two teammates' apps run a board's jobs side by side; one is killed (SIGKILL) while it holds running
jobs, and the other finishes every one of them.

Both apps share one PostgreSQL database and one bucket, and run jobs of the same provider. A short
lease (`BOARDS_JOB_LEASE`) lets the surviving app take the killed app's jobs over within seconds
instead of the default half minute. What the artist sees afterwards, on the surviving app: every
generation completed, once (one row, one result, one thumbnail each), and every file readable.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from pathlib import Path

from tests.app.test_team_bucket import ADD, CREATE_BOARD, ME, _results
from tests.plugins.generators import read_records
from tests.postgres_server import create_postgres_database, drop_postgres_database
from tests.s3_server import SECRET_KEY, ThrowawayS3
from tests.serve_process import Serve, serve_env, wait_for

JOBS = 8
LEASE_SECONDS = "3"
# Two seconds a job, two at a time in each app: both apps hold running jobs at once.
QUEUE = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-slow",
  artifactType: IMAGE, inputParams: {steps: 20, delay: 0.1}}) { id } }"""


def _runs(log: Path, event: str) -> list[str]:
    return [record["generation_id"] for record in read_records(log) if record["event"] == event]


def test_killing_one_app_mid_jobs_leaves_the_other_to_finish_them(
    tmp_path: Path, postgres_admin_url: str, s3_server: ThrowawayS3
):
    url = asyncio.run(create_postgres_database(postgres_admin_url))
    bucket = s3_server.new_bucket()
    storage = s3_server.environment(bucket, prefix="studio")
    runs_a, runs_b = tmp_path / "runs-a.jsonl", tmp_path / "runs-b.jsonl"
    shared = {"BOARDS_CONCURRENCY_TEST": "2", "BOARDS_JOB_LEASE": LEASE_SECONDS, **storage}
    try:
        a = Serve(serve_env(tmp_path / "a", url, BOARDS_TEST_GENERATOR_LOG=str(runs_a), **shared), tmp_path, "a")
        try:
            b = Serve(serve_env(tmp_path / "b", url, BOARDS_TEST_GENERATOR_LOG=str(runs_b), **shared), tmp_path, "b")
            try:
                board = a.data(CREATE_BOARD)["createBoard"]["id"]
                a.data(ADD, {"b": board, "u": b.data(ME)["me"]["id"]})
                ids = {a.data(QUEUE, {"b": board})["createGeneration"]["id"] for _ in range(JOBS)}

                def a_holds_jobs_while_b_runs_some() -> bool:
                    held = set(_runs(runs_a, "start")) - set(_runs(runs_a, "done"))
                    return bool(held) and bool(_runs(runs_b, "start"))

                wait_for(a_holds_jobs_while_b_runs_some, 60, "both apps to run jobs", a)
                a.stop(signal.SIGKILL)
                killed_at = time.monotonic()
                held = set(_runs(runs_a, "start")) - set(_runs(runs_a, "done"))
                assert held, "A finished its jobs before it was killed"

                wait_for(lambda: held <= set(_runs(runs_b, "start")), 60, "B to take over the jobs A held", b)
                taken_over_in = time.monotonic() - killed_at
                wait_for(
                    lambda: {g["id"] for g in _results(b, board) if g["status"] == "COMPLETED"} == ids,
                    90,
                    "every job to complete, as B sees them",
                    b,
                )
                print(
                    f"A killed holding {len(held)} running job(s): B took them over in {taken_over_in:.2f} s "
                    f"(lease {LEASE_SECONDS} s); all {JOBS} completed {time.monotonic() - killed_at:.2f} s after the kill"
                )
                _assert_finished_once(b, board, ids, held, runs_a, runs_b, s3_server, bucket)
            finally:
                b.stop()
        finally:
            a.kill()
        for server in (a, b):
            assert SECRET_KEY not in server.stdout + server.stderr, "a secret key was written to the output"
        assert "Traceback" not in b.stderr, b.stderr
    finally:
        asyncio.run(drop_postgres_database(postgres_admin_url, url))


def _assert_finished_once(
    b: Serve,
    board: str,
    ids: set[str],
    held: set[str],
    runs_a: Path,
    runs_b: Path,
    s3_server: ThrowawayS3,
    bucket: str,
) -> None:
    generations = _results(b, board)
    # One row per job queued (a take-over adds none), each completed.
    assert sorted(g["id"] for g in generations) == sorted(ids)
    assert {g["status"] for g in generations} == {"COMPLETED"}
    # B ran each job it finished once; the jobs A held were finished by B; every job was finished by one of them.
    finished_by_b = Counter(_runs(runs_b, "done"))
    assert set(finished_by_b.values()) == {1}, finished_by_b
    assert held <= set(finished_by_b)
    assert set(_runs(runs_a, "done")) | set(finished_by_b) == ids
    # Each generation has its one result and its thumbnail in the bucket, nothing else.
    keys = s3_server.keys(bucket, "studio/")
    for generation_id in ids:
        mine = {key for key in keys if key.startswith(f"{board}/{generation_id}/")}
        assert mine == {f"{board}/{generation_id}/output.png", f"{board}/{generation_id}/output-thumb.webp"}, mine
    # And B serves every file, those A made before it was killed included.
    for generation in generations:
        for field in ("storageUrl", "thumbnailUrl"):
            response = b.http.get(generation[field])
            assert response.status_code == 200, (field, response.text)
            assert response.content[:4] in (b"\x89PNG", b"RIFF")
