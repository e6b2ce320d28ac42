"""Settings › Local engines through the real app: each engine's status, and its own jobs at once.

Against the fakes on 127.0.0.1: two OpenAI-compatible servers that hold their tokens until the test
lets them out (so the streams under way at once are counted by the servers themselves, never timed),
the Stable Diffusion WebUI and ComfyUI.
"""

from __future__ import annotations

import json

from tests.app_harness import running_app
from tests.fakes.harness import free_port
from tests.jobs.support import generation, new_board, queue, wait_for, wait_until
from tests.providers.comfyui_support import comfyui_fake
from tests.providers.openai_compatible_support import NO_OLLAMA, SAVE, _true, compatible_fake, offered
from tests.providers.sd_webui_support import webui_fake
from tests.providers.test_keys import file_keyring

FIELDS = "id kind name url state reason jobsAtOnce jobsAtOnceSource jobsAtOnceFixedReason models endpoint { name }"
ENGINES = f"{{ localEngines {{ {FIELDS} }} }}"
SET = f"mutation($id: String!, $n: Int!) {{ setEngineJobsAtOnce(id: $id, jobsAtOnce: $n) {{ {FIELDS} }} }}"
TEST = f"mutation($id: String!) {{ testLocalEngine(id: $id) {{ {FIELDS} }} }}"
QUEUE = "{ queueStatus { providers { name concurrency waiting running } } }"
A, B = "openai-compatible/studio-a", "openai-compatible/studio-b"


async def engines(client) -> dict[str, dict]:
    return {engine["id"]: engine for engine in (await client.data(ENGINES))["localEngines"]}


def _limits(found: dict[str, dict]) -> dict[str, tuple[int, str]]:
    return {engine_id: (e["jobsAtOnce"], e["jobsAtOnceSource"]) for engine_id, e in found.items()}


async def add_endpoint(client, name: str, url: str, **extra) -> None:
    await client.data(SAVE, {"i": {"name": name, "url": url, **extra}})


async def test_each_endpoint_runs_at_most_its_own_jobs_at_once(database_url, tmp_path):
    async with (
        compatible_fake(reply="a quiet harbour", models=["llama3.2:3b"]) as (fake_a, server_a),
        compatible_fake(reply="a busy market", models=["llama3.2:3b"]) as (fake_b, server_b),
    ):
        fake_a.hold_tokens()
        fake_b.hold_tokens()
        async with running_app(database_url, tmp_path / "d", **NO_OLLAMA) as client:
            await add_endpoint(client, "Studio A", f"{server_a.url}/v1")
            await add_endpoint(client, "Studio B", f"{server_b.url}/v1")
            assert (await client.data(SET, {"id": A, "n": 1}))["setEngineJobsAtOnce"]["jobsAtOnce"] == 1
            assert (await client.data(SET, {"id": B, "n": 2}))["setEngineJobsAtOnce"]["jobsAtOnce"] == 2
            await offered(client, "chat/studio-a/llama3.2:3b")
            await offered(client, "chat/studio-b/llama3.2:3b")

            board = await new_board(client)
            jobs_a = [
                await queue(client, board, "chat/studio-a/llama3.2:3b", {"prompt": f"a {i}"}, "TEXT") for i in range(3)
            ]
            jobs_b = [
                await queue(client, board, "chat/studio-b/llama3.2:3b", {"prompt": f"b {i}"}, "TEXT") for i in range(4)
            ]

            # Held: each server has as many streams as its limit, and the rest wait in the app's queue.
            await wait_until(lambda: _true(fake_a.open_streams == 1 and fake_b.open_streams == 2))
            statuses_a = [(await generation(client, job["id"]))["status"] for job in jobs_a]
            statuses_b = [(await generation(client, job["id"]))["status"] for job in jobs_b]
            assert sorted(statuses_a) == ["PENDING", "PENDING", "PROCESSING"]
            assert sorted(statuses_b) == ["PENDING", "PENDING", "PROCESSING", "PROCESSING"]
            (compatible,) = [
                p for p in (await client.data(QUEUE))["queueStatus"]["providers"] if p["name"] == "openai-compatible"
            ]
            assert compatible["concurrency"] == 3 and compatible["running"] == 3 and compatible["waiting"] == 4

            # B's jobs run to the end, two at a time, while A's first job still holds its only slot.
            fake_b.release_tokens()
            for job in jobs_b:
                assert (await wait_for(client, job["id"]))["status"] == "COMPLETED"
            assert (fake_b.most_at_once, len(fake_b.streams)) == (2, 4)  # as the server saw it, all along
            assert (fake_a.most_at_once, len(fake_a.streams)) == (1, 1)

            # A raised to 3 while its jobs wait: the two waiting start at once, without a restart.
            await client.data(SET, {"id": A, "n": 3})
            await wait_until(lambda: _true(fake_a.open_streams == 3))
            fake_a.release_tokens()
            for job in jobs_a:
                assert (await wait_for(client, job["id"]))["status"] == "COMPLETED"
            assert (fake_a.most_at_once, len(fake_a.streams)) == (3, 3)


async def test_jobs_at_once_persists_and_bad_values_change_nothing(database_url, tmp_path):
    data = tmp_path / "d"
    async with compatible_fake() as (_fake, server), comfyui_fake() as (_comfy, comfy_server):
        async with running_app(database_url, data, BOARDS_COMFYUI_URL=comfy_server.url, **NO_OLLAMA) as client:
            await add_endpoint(client, "Studio A", f"{server.url}/v1")
            before = await engines(client)
            assert before[A]["jobsAtOnceSource"] == "default" and before["comfyui"]["jobsAtOnceSource"] == "default"
            await client.data(SET, {"id": A, "n": 3})
            changed = (await client.data(SET, {"id": "comfyui", "n": 4}))["setEngineJobsAtOnce"]
            assert (changed["jobsAtOnce"], changed["jobsAtOnceSource"]) == (4, "settings")
            # Applied at once: the job runner's next claim reads it.
            assert client.services.jobs._concurrency_of(A) == 3
            assert client.services.jobs._concurrency_of("comfyui") == 4

        async with running_app(database_url, data, BOARDS_COMFYUI_URL=comfy_server.url, **NO_OLLAMA) as client:
            after = await engines(client)
            assert (after[A]["jobsAtOnce"], after[A]["jobsAtOnceSource"]) == (3, "settings")
            assert (after["comfyui"]["jobsAtOnce"], after["comfyui"]["jobsAtOnceSource"]) == (4, "settings")
            assert client.services.jobs._concurrency_of(A) == 3
            saved = (data / "preferences.json").read_bytes()

            for engine_id, value, message in (
                (A, 0, "jobsAtOnce: 0 is out of range; give 1 to 16"),
                (A, 100, "jobsAtOnce: 100 is out of range; give 1 to 16"),
                ("comfyui", -2, "jobsAtOnce: -2 is out of range; give 1 to 16"),
                ("sdwebui", 2, "jobsAtOnce: the WebUI runs one image at a time"),
                (
                    "openai-compatible/nowhere",
                    2,
                    "id: there is no local engine 'openai-compatible/nowhere'; use one of",
                ),
            ):
                refused = await client.graphql(SET, {"id": engine_id, "n": value})
                assert refused["errors"][0]["message"].startswith(message), refused
            refused = await client.graphql(SET, {"id": A, "n": "many"})
            assert "Int cannot represent non-integer value: 'many'" in refused["errors"][0]["message"]
            assert (data / "preferences.json").read_bytes() == saved
            assert _limits(await engines(client)) == _limits(after)

            # Renamed, the endpoint keeps its limit; removed, the limit goes with it.
            await add_endpoint(client, "Studio C", f"{server.url}/v1", previousName="Studio A")
            assert (await engines(client))["openai-compatible/studio-c"]["jobsAtOnce"] == 3
            await client.data('mutation { removeOpenaiEndpoint(name: "Studio C") { name } }')
            assert json.loads((data / "preferences.json").read_text())["concurrency"] == {"comfyui": 4}


async def test_each_engine_says_how_it_stands_and_a_test_asks_it_again(database_url, tmp_path):
    secret = "lab-secret-key-0123456789"
    down = f"http://127.0.0.1:{free_port()}/v1"
    async with (
        comfyui_fake() as (_comfy, comfy_server),
        webui_fake(api_enabled=False) as (webui, webui_server),
        compatible_fake(api_key=secret) as (_lab, lab_server),
        running_app(
            database_url,
            tmp_path / "d",
            BOARDS_COMFYUI_URL=comfy_server.url,
            BOARDS_SD_WEBUI_URL=webui_server.url,
            BOARDS_CONCURRENCY_COMFYUI="2",
            **NO_OLLAMA,
            **file_keyring(tmp_path / "keyring"),
        ) as client,
    ):
        await add_endpoint(client, "Lab", f"{lab_server.url}/v1", key="the-wrong-key-000")
        await add_endpoint(client, "Laptop", down)
        for engine_id in ("comfyui", "sdwebui", "openai-compatible/lab", "openai-compatible/laptop"):
            await client.data(TEST, {"id": engine_id})
        found = await engines(client)
        assert list(found) == ["comfyui", "sdwebui", "openai-compatible/lab", "openai-compatible/laptop"]

        comfyui = found["comfyui"]
        assert (comfyui["name"], comfyui["state"], comfyui["reason"]) == ("ComfyUI", "ANSWERS", None)
        assert comfyui["jobsAtOnce"] == 2 and comfyui["jobsAtOnceFixedReason"].startswith(
            "BOARDS_CONCURRENCY_COMFYUI is set in the environment"
        )
        refused = await client.graphql(SET, {"id": "comfyui", "n": 3})
        assert refused["errors"][0]["message"].startswith(
            "jobsAtOnce: BOARDS_CONCURRENCY_COMFYUI is set in the environment"
        )

        assert found["sdwebui"]["state"] == "API_OFF" and "start it with --api" in found["sdwebui"]["reason"]
        assert found["sdwebui"]["jobsAtOnce"] == 1 and found["sdwebui"]["jobsAtOnceFixedReason"].startswith(
            "The WebUI runs one image at a time"
        )
        lab = found["openai-compatible/lab"]
        assert (lab["state"], lab["endpoint"]) == ("KEY_REFUSED", {"name": "Lab"})
        assert lab["reason"].startswith("Lab refused the key: set this endpoint's key in Settings › Local engines")
        laptop = found["openai-compatible/laptop"]
        assert laptop["state"] == "NOT_RUNNING" and laptop["reason"].startswith(f"Laptop does not answer at {down}")

        # The WebUI started again with its API: the test says so, with its checkpoints.
        webui.api_enabled = True
        tested = (await client.data(TEST, {"id": "sdwebui"}))["testLocalEngine"]
        assert (tested["state"], tested["reason"]) == ("ANSWERS", None) and tested["models"]
        refused = await client.graphql(TEST, {"id": "automatic"})
        assert refused["errors"][0]["message"].startswith("id: there is no local engine 'automatic'")
