"""A job's life through the real app: queued, run, watched, finished once and for good."""

from __future__ import annotations

import asyncio

from tests.jobs.support import board_statuses, generation, new_board, queue, sse_events, wait_for, wait_until
from tests.plugins.generators import Flaky, Remote


async def test_a_job_runs_to_completion_and_its_stream_shows_it_in_order(client):
    board = await new_board(client)
    created = await queue(client, board, "test-slow", {"steps": 5, "delay": 0.05})
    assert created["status"] in ("PENDING", "PROCESSING")
    events = await sse_events(client, f"/api/sse/generations/{created['id']}/progress")
    statuses = [event["status"] for event in events]
    assert statuses[-1] == "completed"
    assert statuses == sorted(statuses, key=["pending", "processing", "completed"].index)
    progress = [event["progress"] for event in events if event["status"] == "processing"]
    assert progress == sorted(progress) and 0 <= progress[0] and progress[-1] <= 1
    assert any(event.get("message") == "step 5 of 5" for event in events) or events[-1]["progress"] == 1
    assert events[-1]["artifacts"] and events[-1]["artifacts"][0]["type"] == "image"
    done = await generation(client, created["id"])
    assert done["status"] == "COMPLETED" and done["progress"] == 100
    assert done["startedAt"] and done["completedAt"] >= done["startedAt"]
    image = await client.http.get(done["storageUrl"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    thumbnail = await client.http.get(done["thumbnailUrl"])
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/webp"


async def test_cancelling_a_running_job_stops_it_and_the_status_stays_cancelled(client):
    board = await new_board(client)
    created = await queue(client, board, "test-slow", {"steps": 400, "delay": 0.05})
    await wait_for(client, created["id"], {"PROCESSING"})
    await wait_until(lambda: _has_progress(client, created["id"]))
    cancelled = await client.data(
        "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": created["id"]}
    )
    assert cancelled["cancelGeneration"]["status"] == "CANCELLED"
    await wait_until(lambda: _not_running(client, created["id"]))
    before = await generation(client, created["id"])
    await asyncio.sleep(0.3)  # a job still running would report progress or finish by now
    after = await generation(client, created["id"])
    assert after["status"] == "CANCELLED" and after == before
    assert after["storageUrl"] is None
    media = client.services.media.root / board / created["id"]
    assert not media.exists() or not any(media.iterdir())


async def test_cancel_reaches_the_remote_job(client):
    board = await new_board(client)
    created = await queue(client, board, "test-remote", {"seconds": 60})
    running = await wait_until_external_id(client, created["id"])
    await client.data("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": created["id"]})
    await wait_until(lambda: _async_true(running["externalJobId"] in Remote.cancelled))
    assert (await generation(client, created["id"]))["status"] == "CANCELLED"


async def test_transient_errors_are_retried_and_the_job_completes(client):
    board = await new_board(client)
    created = await queue(client, board, "test-flaky", {"failures": 2, "retry_after": 0.05})
    done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED", done
    assert Flaky.attempts[created["id"]] == 3


async def test_transient_errors_past_the_retry_limit_fail_with_the_last_reason(client):
    board = await new_board(client)
    created = await queue(client, board, "test-flaky", {"failures": 10, "retry_after": 0.01})
    done = await wait_for(client, created["id"])
    assert done["status"] == "FAILED"
    assert done["errorMessage"] == "the service is busy (attempt 4) (gave up after 4 attempts)"


async def test_a_permanent_error_fails_at_once_with_its_message(client):
    board = await new_board(client)
    created = await queue(client, board, "test-broken", {})
    done = await wait_for(client, created["id"])
    assert done["status"] == "FAILED"
    assert done["errorMessage"] == "the prompt asks for something this model cannot draw"
    events = await sse_events(client, f"/api/sse/generations/{created['id']}/progress")
    assert events[-1]["status"] == "failed" and events[-1]["error_message"] == done["errorMessage"]


async def test_a_bug_in_a_generator_fails_the_job_readably(client):
    board = await new_board(client)
    done = await wait_for(client, (await queue(client, board, "test-buggy", {}))["id"])
    assert done["status"] == "FAILED"
    assert done["errorMessage"].startswith("the generator failed unexpectedly (KeyError")
    assert done["errorMessage"].endswith("see the log")


async def test_a_job_past_its_timeout_fails(tmp_path, database_url):
    from tests.app_harness import running_app

    async with running_app(database_url, tmp_path / "short", BOARDS_JOB_TIMEOUT="1") as short:
        board = await new_board(short)
        created = await queue(short, board, "test-slow", {"steps": 100, "delay": 0.05})
        done = await wait_for(short, created["id"])
    assert done["status"] == "FAILED"
    assert done["errorMessage"].startswith("it took longer than 1 s and was stopped")


async def test_text_results_are_kept_whole(client):
    board = await new_board(client)
    text = "A long story. " * 40
    created = await queue(client, board, "test-writer", {"text": text}, artifact_type="TEXT")
    done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED"
    stored = await client.http.get(done["storageUrl"])
    assert stored.text == text


async def test_a_batch_makes_siblings_that_carry_the_lineage(client):
    board = await new_board(client)
    source = await wait_for(client, (await queue(client, board, "test-fast", {}))["id"])
    created = await queue(client, board, "test-batch", {"count": 3, "image": source["id"]})
    done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED"
    batch = [g for g in await board_statuses(client, board) if g["generatorName"] == "test-batch"]
    assert len(batch) == 3 and {g["status"] for g in batch} == {"COMPLETED"}
    assert sorted(g["outputMetadata"]["batch_index"] for g in batch) == [0, 1, 2]
    assert {g["outputMetadata"]["batch_id"] for g in batch} == {created["id"]}
    assert {g["outputMetadata"]["batch_size"] for g in batch} == {3}
    for sibling in batch:
        assert sibling["inputArtifacts"] == [{"generationId": source["id"], "role": "image"}]
    children = await client.data(
        "query($id: UUID!) { generation(id: $id) { descendants { children { generation { id } } } } }",
        {"id": source["id"]},
    )
    assert {c["generation"]["id"] for c in children["generation"]["descendants"]["children"]} == {
        g["id"] for g in batch
    }


async def test_when_a_batch_fails_every_sibling_fails_with_it(client):
    board = await new_board(client)
    created = await queue(client, board, "test-batch", {"count": 4, "fail_after": 2})
    done = await wait_for(client, created["id"])
    assert done["status"] == "FAILED" and done["errorMessage"] == "output 2 could not be made"
    batch = await board_statuses(client, board)
    assert len(batch) == 2  # the job and the one sibling it had begun
    assert {g["status"] for g in batch} == {"FAILED"}

    async def files_gone() -> bool:
        # The files go just after the status is written (never before: a job taken over may still complete).
        return not any(list((client.services.media.root / board / g["id"]).glob("output*")) for g in batch)

    await wait_until(files_gone, timeout=5)


async def test_jobs_of_one_provider_start_first_in_first_out(tmp_path, database_url):
    from tests.app_harness import running_app

    async with running_app(database_url, tmp_path / "one", BOARDS_CONCURRENCY_TEST="1") as one:
        board = await new_board(one)
        ids = [(await queue(one, board, "test-slow", {"steps": 1, "delay": 0.01}))["id"] for _ in range(6)]
        finished = [await wait_for(one, generation_id) for generation_id in ids]
    started = [g["startedAt"] for g in finished]
    assert started == sorted(started)


async def wait_until_external_id(client, generation_id: str) -> dict:
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        current = await generation(client, generation_id)
        if current["externalJobId"]:
            return current
        assert asyncio.get_running_loop().time() < deadline, current
        await asyncio.sleep(0.02)


async def _has_progress(client, generation_id: str) -> bool:
    return (await generation(client, generation_id))["progress"] > 0


async def _not_running(client, generation_id: str) -> bool:
    import uuid

    return uuid.UUID(generation_id) not in client.services.jobs.running_ids


async def _async_true(value: bool) -> bool:
    return value


async def test_deleting_a_running_job_stops_it_and_cancels_the_remote_job(client):
    board = await new_board(client)
    created = await queue(client, board, "test-remote", {"seconds": 60})
    running = await wait_until_external_id(client, created["id"])
    assert await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": created["id"]})
    await wait_until(lambda: _not_running(client, created["id"]))
    assert running["externalJobId"] in Remote.cancelled
    assert not (client.services.media.root / board / created["id"]).exists()


async def test_deleting_a_board_stops_its_running_jobs(client):
    board = await new_board(client)
    created = await queue(client, board, "test-remote", {"seconds": 60})
    running = await wait_until_external_id(client, created["id"])
    assert await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board})
    await wait_until(lambda: _not_running(client, created["id"]))
    assert running["externalJobId"] in Remote.cancelled
