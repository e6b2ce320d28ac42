"""Jobs queued with another media storage, on a shared PostgreSQL database: no app here runs them.

The queue panel counts them apart (`waitingElsewhere`) and names your own (`waitingElsewhereIds`:
their tiles say "Waiting for the app that holds its files" instead of a place in line); they are
cancelled as any other; and the app says at start-up how many there are and what to do.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.app_harness import AppClient, running_app
from tests.jobs.support import generation, new_board, queue, wait_for, wait_until

STATUS = """query { queueStatus { waiting running waitingElsewhere providers { name waiting running
waitingElsewhere waitingElsewhereIds jobs { id status } } } }"""
PAUSE = "mutation($n: String!) { pauseProvider(name: $n) { waiting } }"
RESUME = "mutation($n: String!) { resumeProvider(name: $n) { waiting } }"
CANCEL_ONE = "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }"
CANCEL_ALL = "mutation($p: String) { cancelQueued(provider: $p) }"


async def reading(client: AppClient) -> tuple[dict, dict]:
    status = (await client.data(STATUS))["queueStatus"]
    return status, next(item for item in status["providers"] if item["name"] == "test")


def notes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "boards.jobs" and "another media storage" in r.getMessage()
    ]


@pytest.fixture
def postgres_only(engine_name: str) -> None:
    if engine_name != "postgresql":
        pytest.skip("a job's media storage matters on a shared PostgreSQL database only")


@pytest.mark.postgres
async def test_jobs_left_by_a_storage_switch_are_counted_apart_said_at_start_and_cancelled(
    postgres_only: None, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir) as before:
        board = await new_board(before)
        await before.data(PAUSE, {"n": "test"})  # so that they are still waiting when the storage changes
        left = [(await queue(before, board, "test-fast"))["id"] for _ in range(3)]
        old_storage = before.services.media.storage_id

    caplog.set_level(logging.INFO, logger="boards.jobs")
    # The same installation, its media now in another folder (as after switching BOARDS_STORAGE_URL).
    async with running_app(database_url, data_dir, BOARDS_MEDIA_DIR=str(tmp_path / "other-media")) as after:
        assert after.services.media.storage_id != old_storage

        async def noted() -> bool:
            return bool(notes(caplog))

        await wait_until(noted)
        [line] = notes(caplog)
        assert line.startswith("3 queued generations on this database wait for an app with another media storage")
        assert f"({old_storage}: 3)" in line
        assert "start the app that has that storage" in line and "or cancel them" in line

        mine = (await queue(after, board, "test-fast"))["id"]
        status, test = await reading(after)
        assert (test["waiting"], test["waitingElsewhere"], test["running"]) == (1, 3, 0)
        assert test["waitingElsewhereIds"] == left  # in line order; the new job is not among them
        assert [job["id"] for job in test["jobs"]] == [*left, mine]
        assert (status["waiting"], status["waitingElsewhere"]) == (1, 3)

        await after.data(RESUME, {"n": "test"})
        assert (await wait_for(after, mine))["status"] == "COMPLETED"  # this app's own job runs
        _, test = await reading(after)
        assert (test["waiting"], test["waitingElsewhere"]) == (0, 3)

        # Cancelled as any other: one by one, and all of a provider.
        assert (await after.data(CANCEL_ONE, {"id": left[0]}))["cancelGeneration"]["status"] == "CANCELLED"
        _, test = await reading(after)
        assert (test["waitingElsewhere"], test["waitingElsewhereIds"]) == (2, left[1:])
        assert (await after.data(CANCEL_ALL, {"p": "test"}))["cancelQueued"] == 2
        assert [(await generation(after, job))["status"] for job in left] == ["CANCELLED"] * 3
        status, test = await reading(after)
        assert (test["waiting"], test["waitingElsewhere"], test["waitingElsewhereIds"]) == (0, 0, [])
        assert status["waitingElsewhere"] == 0

    # Nothing left waiting elsewhere: the next start says nothing.
    caplog.clear()
    async with running_app(database_url, data_dir, BOARDS_MEDIA_DIR=str(tmp_path / "other-media")) as again:
        # A job run means the runner has started, and so has looked (it looks before it claims).
        done = await queue(again, board, "test-fast")
        assert (await wait_for(again, done["id"]))["status"] == "COMPLETED"
    assert notes(caplog) == []


@pytest.mark.postgres
async def test_a_teammates_jobs_wait_for_their_app_and_are_counted_apart_in_mine(
    postgres_only: None, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="boards.jobs")
    async with running_app(database_url, tmp_path / "a") as a:
        board = await new_board(a)
        await a.data(PAUSE, {"n": "test"})
        theirs = [(await queue(a, board, "test-fast"))["id"] for _ in range(2)]
        assert notes(caplog) == []  # A has no job of another storage
        async with running_app(database_url, tmp_path / "b") as b:

            async def noted() -> bool:
                return bool(notes(caplog))

            await wait_until(noted)
            assert notes(caplog)[0].startswith("2 queued generations on this database wait for an app")
            status, test = await reading(b)
            # Counted apart, not as B's waiting; they are A's, so not listed to B.
            assert (test["waiting"], test["waitingElsewhere"], test["waitingElsewhereIds"], test["jobs"]) == (
                0,
                2,
                [],
                [],
            )
            assert (status["waiting"], status["waitingElsewhere"]) == (0, 2)
        # A, which holds their files, counts them as its waiting jobs.
        _, test = await reading(a)
        assert (test["waiting"], test["waitingElsewhere"], test["waitingElsewhereIds"]) == (2, 0, [])
        assert [job["id"] for job in test["jobs"]] == theirs


async def test_on_sqlite_nothing_waits_elsewhere(engine_name: str, database_url: str, tmp_path: Path) -> None:
    if engine_name != "sqlite":
        pytest.skip("SQLite only: one app, every job is its own")
    async with running_app(database_url, tmp_path / "data") as client:
        board = await new_board(client)
        await client.data(PAUSE, {"n": "test"})
        await queue(client, board, "test-fast")
        status, test = await reading(client)
        assert (test["waiting"], test["waitingElsewhere"], status["waitingElsewhere"]) == (1, 0, 0)
