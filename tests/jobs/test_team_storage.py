"""Two teammates' apps on one PostgreSQL database, each with a media folder of its own (no bucket).

A job's input file is only in the folder of the app that queued it, and its result must land where
that app reads it: the other app, though idle with free slots, never takes the job (and so never
fails it for a missing input). Each app runs the jobs queued on it.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from boards_desktop.db import models
from tests.app_harness import AppClient, running_app
from tests.jobs.support import new_board, queue, wait_for
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload

JOBS = 10
MODULES = {"BOARDS_GENERATOR_MODULES": "tests.plugins.generators,tests.plugins.copying"}


def _files(client: AppClient, board: str) -> set[str]:
    root = client.services.media.root / board
    return {path.parent.name for path in root.glob("*/output.png")} if root.exists() else set()


@pytest.mark.postgres
async def test_a_job_whose_input_is_in_one_apps_folder_is_run_by_that_app(
    engine_name: str, database_url: str, tmp_path: Path
) -> None:
    if engine_name != "postgresql":
        pytest.skip("two apps share a queue on PostgreSQL only; SQLite is one app at a time")
    # A runs one job at a time, so its jobs wait while B has slots to spare.
    async with (
        running_app(database_url, tmp_path / "a", BOARDS_CONCURRENCY_TEST="1", **MODULES) as a,
        running_app(database_url, tmp_path / "b", BOARDS_CONCURRENCY_TEST="4", **MODULES) as b,
    ):
        assert a.services.media.storage_id != b.services.media.storage_id
        board = await new_board(a)
        sent = await upload(a, board, png_bytes(), filename="sketch.png", mime="image/png")
        assert sent.status_code == 200, sent.text
        source = sent.json()["id"]
        ids = [(await queue(a, board, "test-copy", {"image": source}))["id"] for _ in range(JOBS)]
        theirs = await new_board(b, "B's own")
        b_ids = [(await queue(b, theirs, "test-fast"))["id"] for _ in range(3)]

        finished = [await wait_for(a, generation_id, timeout=60) for generation_id in ids]
        assert [g["status"] for g in finished] == ["COMPLETED"] * JOBS, [g["errorMessage"] for g in finished]
        for generation_id in b_ids:
            assert (await wait_for(b, generation_id, timeout=60))["status"] == "COMPLETED"

        # Every result of A's jobs is in A's folder (A ran them), none in B's; B ran its own.
        assert _files(a, board) == {*ids, source}  # the upload is a generation with its file too
        assert _files(b, board) == set()
        assert _files(b, theirs) == set(b_ids)
        async with a.services.database.read() as session:
            recorded = dict(
                (await session.execute(select(models.Generation.id, models.Generation.media_storage))).all()
            )
        assert {recorded[uuid.UUID(i)] for i in ids} == {a.services.media.storage_id}
        assert {recorded[uuid.UUID(i)] for i in b_ids} == {b.services.media.storage_id}
