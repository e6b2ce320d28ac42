"""The queue panel over GraphQL: counts, pause and resume per provider (honoured by the claim, kept
across restarts), cancel all, and rerun with a new seed. On SQLite and PostgreSQL."""

from __future__ import annotations

from tests.app_harness import running_app
from tests.jobs.support import generation, new_board, queue, wait_for

STATUS = """query { queueStatus { waiting running providers { name waiting running paused concurrency
estimatedSeconds jobs { id status } } } }"""
PAUSE = "mutation($n: String!) { pauseProvider(name: $n) { providers { name paused waiting } } }"
RESUME = "mutation($n: String!) { resumeProvider(name: $n) { providers { name paused } } }"
CANCEL_ALL = "mutation($p: String, $r: Boolean) { cancelQueued(provider: $p, running: $r) }"
RERUN = "mutation($id: UUID!, $s: Boolean) { regenerate(id: $id, newSeed: $s) { id status inputParams } }"


async def provider(client, name: str) -> dict:
    data = await client.data(STATUS)
    return next(item for item in data["queueStatus"]["providers"] if item["name"] == name)


async def test_a_paused_providers_job_waits_while_another_providers_runs(client):
    board = await new_board(client)
    paused = await client.data(PAUSE, {"n": "test"})
    assert {"name": "test", "paused": True, "waiting": 0} in paused["pauseProvider"]["providers"]
    waiting = await queue(client, board, "test-fast", {})
    other = await queue(client, board, "local-title-card", {"prompt": "Harbour", "width": 256, "height": 256})
    assert (await wait_for(client, other["id"]))["status"] == "COMPLETED"
    assert (await generation(client, waiting["id"]))["status"] == "PENDING"
    shown = await provider(client, "test")
    assert (shown["paused"], shown["waiting"], shown["running"]) == (True, 1, 0)
    assert [job["id"] for job in shown["jobs"]] == [waiting["id"]]

    resumed = await client.data(RESUME, {"n": "test"})
    assert {"name": "test", "paused": False} in resumed["resumeProvider"]["providers"]
    assert (await wait_for(client, waiting["id"]))["status"] == "COMPLETED"
    assert (await provider(client, "test"))["waiting"] == 0


async def test_a_pause_survives_a_restart(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with running_app(database_url, data_dir) as first:
        board = await new_board(first)
        await first.data(PAUSE, {"n": "test"})
        waiting = await queue(first, board, "test-fast", {})
    async with running_app(database_url, data_dir) as second:
        assert (await provider(second, "test"))["paused"] is True
        other = await queue(second, board, "local-title-card", {"prompt": "After", "width": 256, "height": 256})
        assert (await wait_for(second, other["id"]))["status"] == "COMPLETED"
        assert (await generation(second, waiting["id"]))["status"] == "PENDING"
        await second.data(RESUME, {"n": "test"})
        assert (await wait_for(second, waiting["id"]))["status"] == "COMPLETED"


async def test_cancel_all_of_a_provider_and_of_everything(client):
    board = await new_board(client)
    await client.data(PAUSE, {"n": "test"})
    tests = [(await queue(client, board, "test-fast", {}))["id"] for _ in range(3)]
    held = [(await queue(client, board, "test-generator", {}))["id"] for _ in range(2)]
    assert (await provider(client, "test"))["waiting"] == 3
    assert (await client.data(STATUS))["queueStatus"]["waiting"] == 5

    assert (await client.data(CANCEL_ALL, {"p": "test"}))["cancelQueued"] == 3
    assert [(await generation(client, job))["status"] for job in tests] == ["CANCELLED"] * 3
    assert [(await generation(client, job))["status"] for job in held] == ["PENDING"] * 2
    assert (await provider(client, "test"))["waiting"] == 0

    assert (await client.data(CANCEL_ALL, {}))["cancelQueued"] == 2
    assert [(await generation(client, job))["status"] for job in held] == ["CANCELLED"] * 2
    assert (await client.data(STATUS))["queueStatus"]["waiting"] == 0


async def test_an_unknown_provider_is_refused_and_nothing_changes(client):
    for operation in (PAUSE, RESUME):
        body = await client.graphql(operation, {"n": "nope"})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "there is no provider 'nope'" in body["errors"][0]["message"]
    body = await client.graphql(CANCEL_ALL, {"p": "nope"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(not item["paused"] for item in (await client.data(STATUS))["queueStatus"]["providers"])


async def test_the_estimate_comes_from_recent_runs(client):
    board = await new_board(client)
    await client.data(PAUSE, {"n": "test"})
    await queue(client, board, "test-seeded", {})
    assert (await provider(client, "test"))["estimatedSeconds"] is None  # nothing of it has finished yet
    await client.data(RESUME, {"n": "test"})
    await client.data(CANCEL_ALL, {})
    done = await queue(client, board, "test-seeded", {})
    await wait_for(client, done["id"])
    await client.data(PAUSE, {"n": "test"})
    await queue(client, board, "test-seeded", {})
    estimate = (await provider(client, "test"))["estimatedSeconds"]
    assert estimate is not None and estimate >= 0
    assert (await provider(client, "local"))["estimatedSeconds"] == 0  # nothing queued there


async def test_rerun_with_a_new_seed(client):
    board = await new_board(client)
    first = await queue(client, board, "test-seeded", {"prompt": "Dunes", "seed": 7})
    await wait_for(client, first["id"])
    again = (await client.data(RERUN, {"id": first["id"], "s": True}))["regenerate"]
    assert again["inputParams"]["prompt"] == "Dunes"
    assert again["inputParams"]["seed"] != 7 and 0 <= again["inputParams"]["seed"] <= 1_000_000
    same = (await client.data(RERUN, {"id": first["id"], "s": False}))["regenerate"]
    assert same["inputParams"] == {"prompt": "Dunes", "seed": 7}

    fast = await queue(client, board, "test-fast", {})
    body = await client.graphql(RERUN, {"id": fast["id"], "s": True})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "test-fast has no seed input" in body["errors"][0]["message"]
