"""kill -9 at random moments while 100+ jobs run: every job ends once, completed, and nothing else changes.

The real `boards-desktop serve` on a fresh data folder runs `drill-counted` jobs (a little time, a
file, a line in a run log per start and per stored file). Jobs are queued while a seeded timer
kills the server with SIGKILL, so a kill may land mid-queueing, mid-run, mid-write or mid-commit;
the server is started again and killed again several times, then left to finish.

A job cut short by a kill is rightly run again by the next server. What must never happen: two runs
of one job in one server process (a second run while the first was alive), a run of a job that was
already completed, a job lost (queued with an answer, never completed), a completed job's row
changed afterwards, a row pointing at nothing, a file a row names missing, a file no row names
other than an unfinished write (which `media gc --grace-minutes 0` removes), or a damaged database.

With media in a bucket (a smaller run, on SQLite) the same holds with the bucket's objects as the
files; the unfinished writes are then on the local disk that stages them, where housekeeping (not
gc) removes them.

`BOARDS_DRILL_SCALE` multiplies the jobs and the kills; `BOARDS_DRILL_SEED` replays a run.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ENGINES_AND_BACKENDS
from tests.reliability.audit import PublishedFiles, audit_media, generations, integrity, media_files, orphan_rows, query
from tests.reliability.drill_generators import read_runs
from tests.reliability.drill_settings import drill_random, drill_scale
from tests.reliability.serve_process import (
    ServeProcess,
    graphql,
    installation_environment,
    run_cli,
)
from tests.uploads.samples import png_bytes

JOBS_PER_SCALE = 120
KILLS_PER_SCALE = 5
BUCKET_JOBS, BUCKET_KILLS = 40, 2
CREATE = """mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }"""


@ENGINES_AND_BACKENDS
def test_jobs_killed_at_random_moments_each_end_exactly_once(
    tmp_path: Path,
    database_url: str,
    storage_environment: dict[str, str],
    media_backend: str,
    request: pytest.FixtureRequest,
) -> None:
    scale = drill_scale()
    rng, seed = drill_random("kill -9 during jobs")
    # The bucket's run is smaller (it adds to the suite's time); its kills land in the same steps,
    # the results' uploads to the bucket included.
    per_scale = (JOBS_PER_SCALE, KILLS_PER_SCALE) if media_backend == "folder" else (BUCKET_JOBS, BUCKET_KILLS)
    jobs, kills = per_scale[0] * scale, per_scale[1] * scale
    run_log = tmp_path / "runs.jsonl"
    data_dir = tmp_path / "data"
    env = installation_environment(
        data_dir,
        database_url,
        BOARDS_DRILL_RUN_LOG=str(run_log),
        BOARDS_CONCURRENCY_DRILL="4",
        **storage_environment,
    )
    server = request.getfixturevalue("s3_server") if storage_environment else None
    published = PublishedFiles(data_dir / "media", storage_environment, server)
    where = f"seed {seed}, {database_url.split(':', 1)[0]}, {media_backend}"

    acknowledged: list[str] = []  # ids whose createGeneration answered
    frozen: dict[str, dict[str, Any]] = {}  # completed rows as first seen after a kill
    completed_before: dict[int, set[str]] = {}  # server pid -> jobs completed before it started
    board_id = upload_id = ""
    batches = _batches(jobs, kills, rng)

    for epoch, batch in enumerate(batches):
        serving = ServeProcess(env, tmp_path / "serve.stderr")
        completed_before[serving.pid] = set(frozen)
        with serving.client() as client:
            if epoch == 0:
                board_id = graphql(client, 'mutation { createBoard(input: {title: "drill"}) { id } }')["createBoard"][
                    "id"
                ]
                upload_id = _upload(client, board_id)
            last = epoch == len(batches) - 1
            if last:  # what the kills cut off from the queueing is queued now
                batch = max(batch, jobs - len(acknowledged))
            inputs = [_job(board_id, upload_id, len(acknowledged) + index) for index in range(batch)]
            if last:
                acknowledged += _queue(client, inputs)
                _wait_for_all_done(database_url, timeout=120 * scale)
                assert serving.stop(), where
                break
            queuing = threading.Thread(target=_queue_into, args=(acknowledged, client, inputs))
            queuing.start()
            time.sleep(rng.uniform(0.05, 2.5))
            serving.kill()
            queuing.join()
        rows = asyncio.run(generations(database_url))
        _assert_unchanged(frozen, rows, where)
        frozen.update({i: row for i, row in rows.items() if row["status"] == "completed" and i not in frozen})

    rows = asyncio.run(generations(database_url))
    drill_rows = {i: row for i, row in rows.items() if row["generator_name"] == "drill-counted"}
    runs = read_runs(run_log)
    print(
        f"kill -9 during jobs ({where}): {len(batches) - 1} kills, {len(acknowledged)} jobs acknowledged, "
        f"{len(drill_rows)} rows, {sum(r['event'] == 'start' for r in runs)} runs started"
    )

    # Nothing lost, everything completed once.
    assert len(acknowledged) >= jobs, where
    assert not set(acknowledged) - drill_rows.keys(), f"jobs lost ({where})"
    unfinished = {i: row["status"] for i, row in drill_rows.items() if row["status"] != "completed"}
    assert not unfinished, f"jobs not completed ({where}): {unfinished}"
    _assert_unchanged(frozen, rows, where)
    _assert_runs_never_overlap(runs, completed_before, where)

    # Rows and files agree.
    assert asyncio.run(orphan_rows(database_url)) == {}, where
    lineage = asyncio.run(query(database_url, "SELECT count(*) FROM generation_lineage"))[0][0]
    assert lineage == sum('"image"' in str(row["input_params"]) for row in drill_rows.values()), where
    media_root = data_dir / "media"
    media = audit_media(published.files(), rows.values())
    assert media.missing == {}, f"files named by rows are missing ({where})"
    assert media.unnamed == set(), f"files no row names ({where})"
    assert asyncio.run(integrity(database_url)) == [], where

    before = published.files()
    gc = run_cli(env, "media", "gc", "--grace-minutes", "0")
    assert gc.returncode == 0, gc.stderr
    if published.bucket is None:
        assert before - published.files() == media.leftovers, f"gc removed other files ({where}): {gc.stdout}"
    else:
        # With a bucket the unfinished writes are local staging, left to housekeeping; gc removes
        # nothing (every object is named), and nothing of the bucket's is ever a leftover.
        assert media.leftovers == media_files(media_root), where
        assert published.files() == before, f"gc removed files ({where}): {gc.stdout}"
    assert "Traceback" not in (tmp_path / "serve.stderr").read_text(), where
    print(f"  unfinished writes left by the kills: {len(media.leftovers)}")


def _batches(jobs: int, kills: int, rng: Any) -> list[int]:
    """How many jobs each server is given: most at the start, some in later runs, the rest at the end."""
    later = [rng.randint(0, jobs // (2 * kills)) for _ in range(kills)]
    first = jobs - sum(later)
    return [first, *later[1:], later[0]]


def _job(board_id: str, upload_id: str, index: int) -> dict[str, Any]:
    params: dict[str, Any] = {"steps": 4, "delay": 0.03 + (index % 5) * 0.02}
    if index % 4 == 0:
        params["image"] = upload_id  # a quarter of them carry lineage
    return {"boardId": board_id, "generatorName": "drill-counted", "artifactType": "IMAGE", "inputParams": params}


def _upload(client: httpx.Client, board_id: str) -> str:
    response = client.post(
        "/api/uploads/artifact",
        data={"board_id": board_id, "artifact_type": "image"},
        files={"file": ("source.png", png_bytes((96, 64)), "image/png")},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def _queue(client: httpx.Client, inputs: list[dict[str, Any]]) -> list[str]:
    """The ids of the jobs queued with an answer; stops at the first request the kill cut off."""
    ids = []
    for job in inputs:
        try:
            ids.append(graphql(client, CREATE, {"i": job})["createGeneration"]["id"])
        except httpx.TransportError:
            break
    return ids


def _queue_into(acknowledged: list[str], client: httpx.Client, inputs: list[dict[str, Any]]) -> None:
    acknowledged.extend(_queue(client, inputs))


def _wait_for_all_done(database_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    sql = "SELECT count(*) FROM generations WHERE status <> 'completed'"
    while asyncio.run(query(database_url, sql))[0][0]:
        assert time.monotonic() < deadline, "the jobs did not all complete in time"
        time.sleep(0.2)


def _assert_unchanged(frozen: dict[str, dict[str, Any]], rows: dict[str, dict[str, Any]], where: str) -> None:
    for generation_id, row in frozen.items():
        assert rows.get(generation_id) == row, f"a completed job's row changed ({where}): {generation_id}"


def _assert_runs_never_overlap(runs: list[dict[str, Any]], completed_before: dict[int, set[str]], where: str) -> None:
    """At most one run of a job per server process; none of a job completed before the process started."""
    starts = Counter((r["pid"], r["generation_id"]) for r in runs if r["event"] == "start")
    twice = {key: count for key, count in starts.items() if count > 1}
    assert not twice, f"jobs run twice by one server ({where}): {twice}"
    rerun: dict[int, list[str]] = defaultdict(list)
    for pid, generation_id in starts:
        if generation_id in completed_before.get(pid, set()):
            rerun[pid].append(generation_id)
    assert not rerun, f"completed jobs run again ({where}): {dict(rerun)}"
