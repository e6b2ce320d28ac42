"""Many jobs at once: none lost, none run twice; and two apps on one PostgreSQL database share a queue."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from tests.app_harness import running_app
from tests.jobs.support import new_board, wait_until
from tests.plugins.generators import read_records

CREATE = """mutation($b: UUID!, $p: JSON!) { createGeneration(input: {boardId: $b, generatorName: "test-fast",
  artifactType: IMAGE, inputParams: $p}) { id } }"""
COUNTS = """query($b: UUID!) { board(id: $b) { generationCount } recentGenerations(boardId: $b, status: COMPLETED,
  limit: 500, offset: $o) { id storageUrl } }"""


async def _submit(client, board: str, count: int) -> list[str]:
    async def one(_: int) -> str:
        return (await client.data(CREATE, {"b": board, "p": {}}))["createGeneration"]["id"]

    ids: list[str] = []
    for start in range(0, count, 50):  # fifty requests in flight at a time, like a busy client
        ids += await asyncio.gather(*(one(i) for i in range(start, min(start + 50, count))))
    return ids


async def _completed(client, board: str) -> dict[str, str]:
    done: dict[str, str] = {}
    offset = 0
    while True:
        data = await client.data(
            "query($b: UUID!, $o: Int!) { recentGenerations(boardId: $b, status: COMPLETED, limit: 500, offset: $o) "
            "{ id storageUrl } }",
            {"b": board, "o": offset},
        )
        page = data["recentGenerations"]
        done.update({g["id"]: g["storageUrl"] for g in page})
        if len(page) < 500:
            return done
        offset += 500


@pytest.mark.slow
async def test_a_thousand_jobs_complete_none_lost_none_duplicated(client):
    board = await new_board(client)
    ids = await _submit(client, board, 1000)
    assert len(set(ids)) == 1000

    async def all_done() -> bool:
        return len(await _completed(client, board)) == 1000

    await wait_until(all_done, timeout=120, interval=0.5)
    done = await _completed(client, board)
    assert set(done) == set(ids)
    assert len(set(done.values())) == 1000  # each its own file
    count = await client.data("query($b: UUID!) { board(id: $b) { generationCount } }", {"b": board})
    assert count["board"]["generationCount"] == 1000


@pytest.mark.postgres
async def test_two_apps_on_one_postgresql_database_never_run_a_job_twice(
    engine_name: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine_name != "postgresql":
        pytest.skip("two app processes share a queue on PostgreSQL; SQLite is one app at a time")
    log = tmp_path / "runs.jsonl"
    monkeypatch.setenv("BOARDS_TEST_GENERATOR_LOG", str(log))
    # One media folder for both (a folder both laptops mount): a job is claimed only by apps whose
    # storage holds its files (media.storage_identity), and here both do, so both claim from one queue.
    slow = {"BOARDS_CONCURRENCY_TEST": "6", "BOARDS_MEDIA_DIR": str(tmp_path / "shared-media")}
    async with (
        running_app(database_url, tmp_path / "a", **slow) as a,
        running_app(database_url, tmp_path / "b", **slow) as b,
    ):
        board = await new_board(a)
        create = """mutation($b: UUID!) { createGeneration(input: {boardId: $b, generatorName: "test-slow",
          artifactType: IMAGE, inputParams: {steps: 2, delay: 0.02}}) { id } }"""
        ids = [(await a.data(create, {"b": board}))["createGeneration"]["id"] for _ in range(120)]

        async def all_done() -> bool:
            return len(await _completed(a, board)) == 120

        await wait_until(all_done, timeout=60, interval=0.2)
        runners = {a.services.jobs.owner, b.services.jobs.owner}
    starts = Counter(r["generation_id"] for r in read_records(log) if r["event"] == "start")
    assert set(starts) == set(ids)
    assert set(starts.values()) == {1}, [i for i, n in starts.items() if n > 1]
    assert len(runners) == 2
    assert a.services.media.storage_id == b.services.media.storage_id
