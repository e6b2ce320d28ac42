"""OpenAI-compatible servers through the real app: discovery, streamed text, cancel, restart, faults, images.

Against the fake server on 127.0.0.1 (tests/fakes/openai_compatible.py), which holds its tokens
until the test lets them out, so every step is seen without timing.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys

from PIL import Image

from tests.app_harness import running_app
from tests.fakes.harness import free_port, serve_fake
from tests.fakes.openai_compatible import FakeOpenAICompatible
from tests.jobs.support import generation, new_board, queue, sse_events, try_queue, wait_for, wait_until
from tests.providers.openai_compatible_support import (
    ENDPOINTS,
    NO_OLLAMA,
    SAVE,
    LiveText,
    _true,
    app_with_ollama,
    compatible_fake,
    generators,
    offered,
)
from tests.providers.support import png, upload_image
from tests.providers.test_keys import _in_keyring, file_keyring

CANCEL = "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }"
QUICK_CLOSE = {"BOARDS_SHUTDOWN_GRACE": "0.1"}
LLAMA = "chat/ollama/llama3.2:3b"


async def test_ollama_is_offered_when_it_answers_with_a_text_generator_per_model(database_url, tmp_path):
    async with (
        compatible_fake() as (fake, server),
        app_with_ollama(database_url, tmp_path / "d", f"{server.url}/v1") as client,
    ):
        llama = await offered(client, LLAMA)
        llava = await offered(client, "chat/ollama/llava:7b")
        assert llama["artifactType"] == "TEXT" and llama["displayName"] == "llama3.2:3b (Ollama)"
        assert "image" not in llama["inputSchema"]["properties"]  # not a vision model
        assert llava["inputSchema"]["properties"]["image"]  # a vision model takes an image
        (ollama,) = (await client.data(ENDPOINTS))["openaiEndpoints"]
        assert ollama["auto"] and ollama["url"] == f"{server.url}/v1" and ollama["unavailableReason"] is None
        assert ollama["models"] == ["llama3.2:3b", "llava:7b"] and not ollama["offersImages"]
        assert server.requests_to("GET", "/v1/models")

        # A model pulled later comes with the next check; one removed goes.
        fake.models.append("qwen2.5:7b")
        fake.remove_model("llava:7b")
        await client.data('mutation { testOpenaiEndpoint(name: "Ollama") { name } }')
        names = set(await generators(client))
        assert "chat/ollama/qwen2.5:7b" in names and "chat/ollama/llava:7b" not in names


async def test_ollama_not_running_offers_nothing(database_url, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    async with app_with_ollama(database_url, tmp_path / "d", url) as client:
        await client.data('mutation { testOpenaiEndpoint(name: "Ollama") { name } }')
        assert not [name for name in await generators(client) if name.startswith("chat/")]
        assert (await client.data(ENDPOINTS))["openaiEndpoints"] == []  # not listed until it answers


async def test_a_named_endpoint_with_a_key_and_the_images_api(database_url, tmp_path):
    keyring = file_keyring(tmp_path / "keyring")
    secret = "lm-secret-key-0123456789"
    async with (
        compatible_fake(api_key=secret, images=True, models=["sd-1.5", "mistral-7b"]) as (fake, server),
        running_app(database_url, tmp_path / "d", **NO_OLLAMA, **keyring) as client,
    ):
        saved = await client.data(SAVE, {"i": {"name": "LocalAI", "url": f"{server.url}/v1/", "key": secret}})
        endpoint = saved["saveOpenaiEndpoint"]
        assert endpoint["keySet"] and endpoint["keyLastFour"] == "6789" and secret not in str(endpoint)
        assert endpoint["url"] == f"{server.url}/v1" and endpoint["unavailableReason"] is None
        assert endpoint["offersImages"] and "images/localai" in endpoint["generators"]
        assert all(r.headers.get("authorization") == f"Bearer {secret}" for r in server.requests)

        board = await new_board(client)
        params = {"prompt": "a lighthouse", "model": "sd-1.5", "size": "256x256", "n": 2}
        done = await wait_for(client, (await queue(client, board, "images/localai", params))["id"])
        assert done["status"] == "COMPLETED", done
        assert Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content)).size == (256, 256)
        assert fake.image_calls[0]["response_format"] == "b64_json"

        # The wrong key: the endpoint says so, and so does a job that was already waiting.
        fake.api_key = "another-key-entirely"
        tested = await client.data('mutation { testOpenaiEndpoint(name: "LocalAI") { unavailableReason } }')
        reason = tested["testOpenaiEndpoint"]["unavailableReason"]
        assert reason.startswith("LocalAI refused the key: set this endpoint's key in Settings")

        # Bad input is refused with the field named, and changes nothing.
        refused = await client.graphql(SAVE, {"i": {"name": "Other", "url": "ftp://x"}})
        assert "url: 'ftp://x' is not an http(s) address" in refused["errors"][0]["message"]
        refused = await client.graphql(SAVE, {"i": {"name": "localai", "url": "http://127.0.0.1:9/v1"}})
        assert "name: there is already an endpoint named 'localai'" in refused["errors"][0]["message"]
        assert [e["name"] for e in (await client.data(ENDPOINTS))["openaiEndpoints"]] == ["LocalAI"]

        removed = await client.data('mutation { removeOpenaiEndpoint(name: "LocalAI") { name } }')
        assert removed["removeOpenaiEndpoint"] == []
        assert not [name for name in await generators(client) if name.endswith("localai") or "/localai/" in name]


async def test_a_text_streams_into_the_progress_and_is_kept_whole(database_url, tmp_path):
    async with compatible_fake(reply="A misty harbour at dawn, boats asleep") as (fake, server):
        fake.hold_tokens()
        async with app_with_ollama(database_url, tmp_path / "d", f"{server.url}/v1") as client:
            await offered(client, LLAMA)
            board = await new_board(client)
            created = await queue(client, board, LLAMA, {"prompt": "a harbour", "temperature": 0.3}, "TEXT")
            live = await LiveText.start(client, created["id"])
            await wait_until(lambda: _true(len(fake.streams) == 1))
            fake.release_tokens(1)
            await live.shows("A")
            fake.release_tokens(2)
            await live.shows("A misty harbour")
            fake.release_tokens()
            await live.ended()
            done = await wait_for(client, created["id"])

            assert done["status"] == "COMPLETED", done
            assert (await client.http.get(done["storageUrl"])).text == "A misty harbour at dawn, boats asleep"
            grown = [t for t in live.texts]
            assert grown[0] == "A" and grown == sorted(grown, key=len)  # the text only grows
            (stream,) = fake.streams
            assert stream.body["stream"] is True and stream.body["temperature"] == 0.3
            assert stream.messages == [{"role": "user", "content": "a harbour"}]
            # A client of the SSE stream sees the text too (here, after the end: the last state).
            events = await sse_events(client, f"/api/sse/generations/{created['id']}/progress")
            assert events[-1]["status"] == "completed"


async def test_cancel_closes_the_stream_at_the_server(database_url, tmp_path):
    async with compatible_fake(reply="one two three four five six") as (fake, server):
        fake.hold_tokens()
        async with app_with_ollama(database_url, tmp_path / "d", f"{server.url}/v1") as client:
            await offered(client, LLAMA)
            board = await new_board(client)
            created = await queue(client, board, LLAMA, {"prompt": "count"}, "TEXT")
            live = await LiveText.start(client, created["id"])
            await wait_until(lambda: _true(len(fake.streams) == 1))
            fake.release_tokens(2)
            await live.shows("one two")

            assert (await client.data(CANCEL, {"id": created["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
            (stream,) = fake.streams
            await fake.wait_closed(stream)
            assert stream.closed_by_client and not stream.finished
            assert len(stream.tokens_sent) < 6
            assert (await generation(client, created["id"]))["status"] == "CANCELLED"


async def test_a_restart_mid_stream_writes_the_text_again_from_the_start(database_url, tmp_path):
    data_dir = tmp_path / "d"
    async with compatible_fake(reply="the whole answer") as (fake, server):
        fake.hold_tokens()
        url = f"{server.url}/v1"
        async with app_with_ollama(database_url, data_dir, url, **QUICK_CLOSE) as first:
            await offered(first, LLAMA)
            board = await new_board(first)
            created = await queue(first, board, LLAMA, {"prompt": "answer"}, "TEXT")
            await wait_until(lambda: _true(len(fake.streams) == 1))
            fake.release_tokens(1)
            await wait_until(lambda: _true(len(fake.streams[0].tokens_sent) == 1))
        # The app closed mid-stream: the server heard the connection go.
        await fake.wait_closed(fake.streams[0])
        assert fake.streams[0].closed_by_client
        fake.release_tokens()  # the next stream runs straight through
        # Ollama is not asked before the job runs again: its generator comes from the last run's list.
        async with app_with_ollama(database_url, data_dir, url) as second:
            done = await wait_for(second, created["id"])
            assert done["status"] == "COMPLETED", done
            assert (await second.http.get(done["storageUrl"])).text == "the whole answer"
            assert len(fake.streams) == 2 and fake.streams[1].finished


async def test_each_fault_is_told_in_words_the_artist_can_act_on(database_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    fake = FakeOpenAICompatible(reply="one two three four")
    async with serve_fake(fake, port=port) as server:
        fake.bind(server)
        async with app_with_ollama(database_url, tmp_path / "d", url) as client:
            await offered(client, LLAMA)
            board = await new_board(client)

            # The model is gone from the server (removed since it was listed).
            fake.remove_model("llama3.2:3b")
            failed = await wait_for(client, (await queue(client, board, LLAMA, {"prompt": "x"}, "TEXT"))["id"])
            assert failed["status"] == "FAILED"
            assert failed["errorMessage"].startswith(
                "Ollama has no model 'llama3.2:3b': pull or load it there (e.g. `ollama pull llama3.2:3b`)"
            )
            fake.models.append("llama3.2:3b")

            # The stream is cut midway.
            fake.cut_after = 2
            failed = await wait_for(client, (await queue(client, board, LLAMA, {"prompt": "x"}, "TEXT"))["id"])
            assert failed["status"] == "FAILED"
            assert failed["errorMessage"] == (
                "Ollama stopped sending midway (after 2 pieces of text); the text is incomplete, so it was not "
                "kept: generate again"
            )
            fake.cut_after = None

            # The key is refused (a server that now wants one).
            fake.api_key = "needs-a-key-now"
            failed = await wait_for(client, (await queue(client, board, LLAMA, {"prompt": "x"}, "TEXT"))["id"])
            assert failed["status"] == "FAILED"
            assert failed["errorMessage"].startswith("Ollama refused the key: set this server's key in Settings")
            fake.api_key = None

    # The server is down: the generator (known from the last run) says so, and nothing is queued.
    async with app_with_ollama(database_url, tmp_path / "d", url) as client:
        await client.data('mutation { testOpenaiEndpoint(name: "Ollama") { name } }')
        down = await offered(client, LLAMA, available=False)
        assert down["unavailableReason"] == (
            f"Ollama does not answer at {url}: start it, or check its address in Settings › Local engines"
        )
        board = await new_board(client)
        refused = await try_queue(client, board, LLAMA, {"prompt": "x"}, "TEXT")
        assert "Ollama does not answer" in refused["errors"][0]["message"]


async def test_the_prompt_a_text_proposed_is_traced_back_to_it(database_url, tmp_path):
    async with (
        compatible_fake(images=True, models=["llama3.2:3b", "sd-1.5"], reply="a kite, golden hour") as (_, server),
        app_with_ollama(database_url, tmp_path / "d", f"{server.url}/v1") as client,
    ):
        await offered(client, "images/ollama")
        board = await new_board(client)
        words = await wait_for(client, (await queue(client, board, LLAMA, {"prompt": "kite"}, "TEXT"))["id"])
        assert words["status"] == "COMPLETED"
        mutation = "mutation($i: CreateGenerationInput!) { createGeneration(input: $i) { id } }"
        request = {
            "boardId": board,
            "generatorName": "images/ollama",
            "artifactType": "IMAGE",
            "inputParams": {"prompt": "a kite, golden hour", "model": "sd-1.5"},
            "promptFrom": words["id"],
        }
        created = (await client.data(mutation, {"i": request}))["createGeneration"]
        done = await wait_for(client, created["id"])
        assert done["status"] == "COMPLETED", done
        assert [(a["role"], a["generationId"]) for a in done["inputArtifacts"]] == [("prompt", words["id"])]

        # Only a completed text can be where a prompt came from.
        refused = await client.graphql(mutation, {"i": {**request, "promptFrom": done["id"]}})
        assert "promptFrom: generation" in refused["errors"][0]["message"]
        assert "the prompt can only come from a completed text" in refused["errors"][0]["message"]


async def test_a_vision_model_describes_an_image_sent_inline(database_url, tmp_path):
    async with (
        compatible_fake() as (fake, server),
        app_with_ollama(database_url, tmp_path / "d", f"{server.url}/v1") as client,
    ):
        await offered(client, "chat/ollama/llava:7b")
        board = await new_board(client)
        image = await upload_image(client, board, png(64, 48))
        params = {"prompt": "Describe this image", "image": image, "instructions": "Answer as a prompt."}
        created = await queue(client, board, "chat/ollama/llava:7b", params, "TEXT")
        done = await wait_for(client, created["id"])
        assert done["status"] == "COMPLETED", done
        assert (await client.http.get(done["storageUrl"])).text == "I see 1 image(s). Describe this image"
        assert [(a["role"], a["generationId"]) for a in done["inputArtifacts"]] == [("image", image)]
        system, user = fake.streams[0].messages
        assert system == {"role": "system", "content": "Answer as a prompt."}
        text, picture = user["content"]
        assert text == {"type": "text", "text": "Describe this image"}
        assert picture["image_url"]["url"].startswith("data:image/png;base64,")
        # A model that is not a vision model takes no image: refused before anything is queued.
        refused = await try_queue(client, board, LLAMA, params, "TEXT")
        assert "image" in refused["errors"][0]["message"]


async def test_openai_text_streams_from_openai_with_its_key(database_url, tmp_path):
    key = "sk-test-0123456789abcdefWXYZ"
    async with (
        compatible_fake(api_key=key, models=["gpt-4.1-mini"], reply="Crisp, golden light") as (fake, server),
        running_app(
            database_url, tmp_path / "d", BOARDS_OPENAI_BASE_URL=f"{server.url}/v1", OPENAI_API_KEY=key, **NO_OLLAMA
        ) as client,
    ):
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, "openai-text", {"prompt": "light"}, "TEXT"))["id"])
        assert done["status"] == "COMPLETED", done
        assert (await client.http.get(done["storageUrl"])).text == "Crisp, golden light"
        assert fake.streams[0].model == "gpt-4.1-mini" and fake.streams[0].finished
        # Ollama not named and not asked for: no server is listed.
        assert (await client.data(ENDPOINTS))["openaiEndpoints"] == []


async def test_the_generators_command_lists_the_models_of_a_running_ollama(tmp_path):
    async with compatible_fake() as (_, server):
        env = {**os.environ, "BOARDS_DATA_DIR": str(tmp_path / "data"), "BOARDS_OLLAMA_URL": f"{server.url}/v1"}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "boards_desktop", "generators", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    listed = {line.split()[0]: line for line in out.decode().splitlines()}
    assert listed[LLAMA].split()[1:4] == ["text", "openai-compatible", "ready"]
    assert "chat/ollama/llava:7b" in listed


async def test_a_renamed_endpoint_keeps_its_key_and_its_generators_follow_the_name(database_url, tmp_path):
    keyring = file_keyring(tmp_path / "keyring")
    secret = "vllm-secret-key-0123456789"
    async with (
        compatible_fake(api_key=secret, models=["mistral-7b"]) as (_, server),
        running_app(database_url, tmp_path / "d", **NO_OLLAMA, **keyring) as client,
    ):
        await client.data(SAVE, {"i": {"name": "Lab vLLM", "url": f"{server.url}/v1", "key": secret}})
        await offered(client, "chat/lab-vllm/mistral-7b")
        renamed = await client.data(
            SAVE, {"i": {"name": "GPU box", "url": f"{server.url}/v1", "previousName": "Lab vLLM"}}
        )
        endpoint = renamed["saveOpenaiEndpoint"]
        assert (
            endpoint["name"] == "GPU box"
            and endpoint["keyLastFour"] == "6789"
            and endpoint["unavailableReason"] is None
        )
        await offered(client, "chat/gpu-box/mistral-7b")
        assert "chat/lab-vllm/mistral-7b" not in await generators(client)
        assert _in_keyring(tmp_path / "keyring", "openai-compatible/Lab vLLM") is None
        assert _in_keyring(tmp_path / "keyring", "openai-compatible/GPU box") == secret
