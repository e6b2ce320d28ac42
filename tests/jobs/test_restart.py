"""After the app closes (or crashes) mid-job, the next start finishes every job, each once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_harness import running_app
from tests.jobs.support import generation, new_board, queue, wait_for, wait_until
from tests.plugins.generators import read_records


@pytest.fixture
def job_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "generator-log.jsonl"
    monkeypatch.setenv("BOARDS_TEST_GENERATOR_LOG", str(path))
    return path


QUICK_CLOSE = {"BOARDS_SHUTDOWN_GRACE": "0.1"}


async def test_pending_jobs_run_at_the_next_start(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir, BOARDS_CONCURRENCY_TEST="0") as paused:
        board = await new_board(paused)
        ids = [(await queue(paused, board, "test-fast", {}))["id"] for _ in range(3)]
    async with running_app(database_url, data_dir) as app:
        for generation_id in ids:
            assert (await wait_for(app, generation_id))["status"] == "COMPLETED"


async def test_a_remote_job_resumes_without_a_second_submission(database_url, tmp_path, job_log):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir, **QUICK_CLOSE) as first:
        board = await new_board(first)
        created = await queue(first, board, "test-remote", {"seconds": 60})
        await wait_until(lambda: _external_id_saved(first, created["id"]))
    async with running_app(database_url, data_dir) as second:
        done = await wait_for(second, created["id"])
    assert done["status"] == "COMPLETED"
    events = [(r["event"], r.get("generation_id")) for r in read_records(job_log)]
    assert events == [("submitted", created["id"]), ("resumed", created["id"])]


async def test_a_job_that_is_safe_to_rerun_runs_again(database_url, tmp_path, job_log):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir, **QUICK_CLOSE) as first:
        board = await new_board(first)
        created = await queue(first, board, "test-slow", {"steps": 30, "delay": 0.05})
        await wait_until(lambda: _has_started(job_log, created["id"]))
    async with running_app(database_url, data_dir) as second:
        done = await wait_for(second, created["id"], timeout=30)
    assert done["status"] == "COMPLETED"
    events = [r["event"] for r in read_records(job_log) if r.get("generation_id") == created["id"]]
    assert events == ["start", "start", "done"]


async def test_a_job_that_cannot_be_rerun_fails_with_a_reason(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir, **QUICK_CLOSE) as first:
        board = await new_board(first)
        created = await queue(first, board, "test-unsafe", {"steps": 200, "delay": 0.05})
        await wait_for(first, created["id"], {"PROCESSING"})
    async with running_app(database_url, data_dir) as second:
        done = await wait_for(second, created["id"])
    assert done["status"] == "FAILED"
    assert done["errorMessage"] == "interrupted when the app closed; regenerate it to try again"


async def _external_id_saved(client, generation_id: str) -> bool:
    return bool((await generation(client, generation_id))["externalJobId"])


async def _has_started(path: Path, generation_id: str) -> bool:
    return any(r["event"] == "start" and r["generation_id"] == generation_id for r in read_records(path))
