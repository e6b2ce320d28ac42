"""A job writing its results gives its slot to the next one; the limit on running generators still holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_harness import running_app
from tests.jobs.support import board_statuses, new_board, wait_until
from tests.plugins.generators import read_records

CREATE_MANY = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id } }"


async def test_no_more_generators_run_at_once_than_the_limit_and_each_job_runs_once(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("BOARDS_TEST_GENERATOR_LOG", str(log))
    async with running_app(database_url, tmp_path / "data", BOARDS_CONCURRENCY_TEST="2") as client:
        board = await new_board(client)
        item = {"boardId": board, "generatorName": "test-slow", "artifactType": "IMAGE", "inputParams": {"steps": 1}}
        queued = await client.data(CREATE_MANY, {"i": [item] * 12})
        ids = {row["id"] for row in queued["createGenerations"]}

        async def all_completed() -> bool:
            return sum(g["status"] == "COMPLETED" for g in await board_statuses(client, board)) == len(ids)

        await wait_until(all_completed, timeout=60, interval=0.05)
    records = [r for r in read_records(log) if r["event"] in ("start", "done")]
    running: set[str] = set()
    most = 0
    for record in records:  # in the order the generators wrote them, in this one process
        if record["event"] == "start":
            assert record["generation_id"] not in running
            running.add(record["generation_id"])
            most = max(most, len(running))
        else:
            running.discard(record["generation_id"])
    assert 1 <= most <= 2
    assert sorted(r["generation_id"] for r in records if r["event"] == "start") == sorted(ids)
