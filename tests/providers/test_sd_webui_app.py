"""The Stable Diffusion WebUI through the real app: GraphQL in, SSE out, media served, against the fake WebUI on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io

from PIL import Image

from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.providers.sd_webui import API_OFF, INTERRUPTED, NOT_ANSWERING
from tests.app_harness import AppClient, running_app
from tests.fakes.harness import free_port
from tests.jobs.support import board_statuses, generation, new_board, queue, sse_events, try_queue, wait_for, wait_until
from tests.providers.sd_webui_support import (
    IMAGE_TO_IMAGE,
    QUICK_CLOSE,
    TEST_ENGINE,
    TEXT_TO_IMAGE,
    app_on_webui,
    external_id_saved,
    listed,
    true,
    webui_fake,
)
from tests.providers.support import png, upload_image

CANCEL = "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }"
SD15 = "v1-5-pruned-emaonly.safetensors [6ce0161689]"


class Heard:
    """Every event the app publishes about one generation, as it happens."""

    def __init__(self, client: AppClient, generation_id: str) -> None:
        self.events: list[GenerationEvent] = []
        self._subscription = client.services.events.subscribe(generation_id=generation_id)
        self._task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async with self._subscription as events:
            async for event in events:
                assert isinstance(event, GenerationEvent)
                self.events.append(event)
                if event.is_terminal:
                    return

    async def said(self, text: str) -> None:
        await wait_until(lambda: true(any(text in (e.message or "") for e in self.events)))

    async def previewed(self) -> None:
        await wait_until(lambda: true(any(e.preview_url for e in self.events)))

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def _running(fake, client: AppClient, generation_id: str) -> bool:
    external = (await generation(client, generation_id))["externalJobId"]
    return bool(external) and fake.running_id == external


async def test_a_batch_with_live_progress_and_preview_becomes_siblings_with_their_seeds(database_url, tmp_path):
    async with (
        webui_fake(running=False, extra_images=1) as (fake, server),
        app_on_webui(database_url, tmp_path / "data", server.url) as client,
    ):
        schema = (await listed(client, TEXT_TO_IMAGE))["inputSchema"]["properties"]
        assert schema["checkpoint"]["enum"] == list(fake.checkpoints)  # the engine's own, by its names
        assert schema["checkpoint"]["x-enum-labels"][SD15] == "v1-5-pruned-emaonly"
        assert (
            schema["sampler"]["enum"] == list(fake.samplers)
            and "Karras" in schema["scheduler"]["x-enum-labels"].values()
        )
        assert "R-ESRGAN 4x+" in schema["upscaler"]["enum"] and "None" not in schema["upscaler"]["enum"]

        board = await new_board(client)
        params = {
            "prompt": "a red kite",
            "checkpoint": SD15,
            "sampler": "Euler a",
            "steps": 8,
            "width": 320,
            "height": 256,
            "batch_size": 2,
        }
        created = await queue(client, board, TEXT_TO_IMAGE, params)
        heard = Heard(client, created["id"])
        stream = asyncio.create_task(sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=30))
        await wait_until(lambda: _running(fake, client, created["id"]))
        fake.clock.advance(0.035)  # 3 of 8 steps
        await heard.said("step 3 of 8")
        await heard.previewed()
        fake.clock.advance(60)
        events = await stream
        done = await wait_for(client, created["id"])
        await heard.close()

        assert done["status"] == "COMPLETED", done
        previews = [e["preview_url"] for e in events if e.get("preview_url")]
        assert previews and all(p.startswith("data:image/jpeg;base64,") for p in previews)
        shown = Image.open(io.BytesIO(base64.b64decode(previews[-1].split(",", 1)[1])))
        assert shown.format == "JPEG" and max(shown.size) <= 320
        assert all(not e.get("preview_url") for e in events if e["status"] != "processing")
        progress = [e["progress"] for e in events]
        assert progress == sorted(progress) and any(0.2 < value < 0.9 for value in progress)

        (sent,) = fake.requests
        assert sent["override_settings"] == {"sd_model_checkpoint": SD15} and sent["sampler_name"] == "Euler a"
        assert sent["force_task_id"] == done["externalJobId"] and sent["seed"] == -1 and sent["batch_size"] == 2

        siblings = [g for g in await board_statuses(client, board) if g["status"] == "COMPLETED"]
        assert len(siblings) == 2  # neither the grid the WebUI sends first nor an extension's picture after
        seeds = set()
        for sibling in siblings:
            meta = sibling["outputMetadata"]
            parameters = meta["parameters"]
            assert (meta["width"], meta["height"]) == (320, 256)
            assert parameters["sd_model_name"] == "v1-5-pruned-emaonly" and parameters["steps"] == 8
            assert f"Seed: {parameters['seed']}," in parameters["infotext"]
            seeds.add(parameters["seed"])
        assert len(seeds) == 2 and all(isinstance(seed, int) and seed >= 0 for seed in seeds)
        media = await client.http.get(done["storageUrl"])
        assert Image.open(io.BytesIO(media.content)).size == (320, 256)


async def test_image_to_image_sends_the_image_and_mask_and_keeps_their_size(database_url, tmp_path):
    async with (
        webui_fake(step_seconds=0.0) as (fake, server),
        app_on_webui(database_url, tmp_path / "data", server.url) as client,
    ):
        schema = (await listed(client, IMAGE_TO_IMAGE))["inputSchema"]
        assert set(schema["required"]) == {"prompt", "image"} and "upscaler" not in schema["properties"]
        board = await new_board(client)
        picture, mask = png(320, 200, (30, 90, 200)), png(320, 200, (255, 255, 255))
        image_id = await upload_image(client, board, picture)
        mask_id = await upload_image(client, board, mask, name="mask.png")
        params = {"prompt": "make it autumn", "image": image_id, "mask": mask_id, "denoising_strength": 0.4, "seed": 77}
        done = await wait_for(client, (await queue(client, board, IMAGE_TO_IMAGE, params))["id"])

        assert done["status"] == "COMPLETED", done
        (sent,) = fake.requests
        assert base64.b64decode(sent["init_images"][0]) == picture and base64.b64decode(sent["mask"]) == mask
        assert (sent["width"], sent["height"], sent["denoising_strength"], sent["seed"]) == (320, 200, 0.4, 77)
        assert done["outputMetadata"]["parameters"]["seed"] == 77
        assert {a["role"] for a in done["inputArtifacts"]} == {"image", "mask"}


async def test_cancel_interrupts_our_job_and_never_the_artists_own_work_in_the_webui(database_url, tmp_path):
    async with (
        webui_fake(running=False) as (fake, server),
        app_on_webui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)
        first = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "one", "steps": 10})
        await wait_until(lambda: _running(fake, client, first["id"]))
        task = fake.running_id
        assert (await client.data(CANCEL, {"id": first["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
        await wait_until(lambda: true(fake.interrupts == [task] and fake.running_id is None))

        # The WebUI's own page is busy: a job of ours waits behind it, and its cancel leaves that work alone.
        page_job = fake.occupy(steps=5)
        second = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "two", "steps": 10})
        heard = Heard(client, second["id"])
        await heard.said("the WebUI is busy with other work; this job waits its turn (1/1)")
        assert (await client.data(CANCEL, {"id": second["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
        await asyncio.sleep(0.2)
        assert fake.interrupts == [task] and fake.running_id == page_job
        fake.clock.advance(1)  # the page's job ends; ours starts, and is stopped at once
        await wait_until(lambda: true(len(fake.interrupts) == 2 and fake.running_id is None))
        assert fake.interrupts[1] == (await generation(client, second["id"]))["externalJobId"]
        await heard.close()


async def test_a_restart_of_the_app_mid_job_ends_it_cleanly_and_frees_the_engine(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with webui_fake(running=False) as (fake, server):
        async with app_on_webui(database_url, data_dir, server.url, **QUICK_CLOSE) as first:
            board = await new_board(first)
            created = await queue(first, board, TEXT_TO_IMAGE, {"prompt": "a lighthouse", "steps": 10})
            await wait_until(lambda: external_id_saved(first, created["id"]))
            await wait_until(lambda: _running(fake, first, created["id"]))
            task = fake.running_id
        # The app is closed; the WebUI goes on with the job, whose answer nobody will read.
        assert fake.running_id == task
        async with app_on_webui(database_url, data_dir, server.url) as second:
            done = await wait_for(second, created["id"])
            assert done["status"] == "FAILED"
            assert done["errorMessage"] == (
                "the app closed while the WebUI made this image, and the WebUI gives a result only to the request "
                "that asked for it; it was stopped at the WebUI; generate it again"
            )
            assert fake.interrupts == [task] and len(fake.requests) == 1
            # The engine is free for the next job.
            again = await queue(second, board, TEXT_TO_IMAGE, {"prompt": "a lighthouse", "steps": 2})
            await wait_until(lambda: _running(fake, second, again["id"]))
            fake.clock.advance(60)
            assert (await wait_for(second, again["id"]))["status"] == "COMPLETED"


async def test_faults_say_what_happened_and_what_to_do(database_url, tmp_path):
    async with (
        webui_fake(running=False) as (fake, server),
        app_on_webui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)

        # Interrupted in the WebUI's own page.
        created = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "one", "steps": 10})
        await wait_until(lambda: _running(fake, client, created["id"]))
        await client.services.http.post(f"{server.url}/sdapi/v1/interrupt")
        failed = await wait_for(client, created["id"])
        assert (failed["status"], failed["errorMessage"]) == ("FAILED", INTERRUPTED)

        # The connection dropped mid-job: the job is stopped at the WebUI, the artist told why.
        created = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "two", "steps": 10})
        await wait_until(lambda: _running(fake, client, created["id"]))
        task = fake.running_id
        assert server.drop_connections() >= 1
        failed = await wait_for(client, created["id"])
        assert failed["status"] == "FAILED"
        assert failed["errorMessage"] == (
            "the connection to the WebUI dropped while it made this image, and the WebUI gives a result only to "
            "the request that asked for it; it was stopped at the WebUI; generate it again"
        )
        assert fake.interrupts[-1] == task

        # A checkpoint removed from the WebUI after the app read its list.
        del fake.checkpoints[SD15]
        created = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "three", "checkpoint": SD15})
        failed = await wait_for(client, created["id"])
        assert failed["status"] == "FAILED" and len(fake.requests) == 2  # never sent
        assert failed["errorMessage"] == (
            f"the checkpoint {SD15!r} is not in the WebUI's models folder (any more); put it back and refresh the "
            "WebUI's checkpoints, or choose one it has: sd_xl_base_1.0"
        )
        # The list offered follows at once.
        assert (await listed(client, TEXT_TO_IMAGE))["inputSchema"]["properties"]["checkpoint"]["enum"] == [
            "sd_xl_base_1.0.safetensors [31e35c80fc]"
        ]
        # A checkpoint put in the WebUI's folder: Test connection has the WebUI look again, and offers it.
        fake.new_files["dreamshaper_8.safetensors [879db523c3]"] = "dreamshaper_8"
        assert (await client.data(TEST_ENGINE, {"p": "sdwebui"}))["testEngineConnection"]["checkpoints"] == [
            "sd_xl_base_1.0",
            "dreamshaper_8",
        ]
        schema = (await listed(client, TEXT_TO_IMAGE))["inputSchema"]["properties"]["checkpoint"]
        assert schema["x-enum-labels"]["dreamshaper_8.safetensors [879db523c3]"] == "dreamshaper_8"


async def test_an_engine_without_its_api_or_not_running_is_listed_with_the_reason(database_url, tmp_path):
    async with (
        webui_fake(api_enabled=False) as (fake, server),
        running_app(database_url, tmp_path / "data", BOARDS_SD_WEBUI_URL=server.url) as client,
    ):
        answer = (await client.data(TEST_ENGINE, {"p": "sdwebui"}))["testEngineConnection"]
        reason = API_OFF.format(url=server.url)
        assert answer == {"ok": False, "reason": reason, "url": server.url, "checkpoints": [], "samplers": []}
        generator = await listed(client, TEXT_TO_IMAGE)
        assert generator["available"] is False and generator["unavailableReason"] == reason
        refused = await try_queue(client, await new_board(client), TEXT_TO_IMAGE, {"prompt": "a kite"})
        assert refused["errors"][0]["message"].endswith(f"{TEXT_TO_IMAGE} cannot run: {reason}")

        # Started again with --api: the test says so, with what it offers.
        fake.api_enabled = True
        answer = (await client.data(TEST_ENGINE, {"p": "sdwebui"}))["testEngineConnection"]
        assert answer["ok"] is True and answer["samplers"] == list(fake.samplers)

    url = f"http://127.0.0.1:{free_port()}"
    async with running_app(database_url, tmp_path / "other", BOARDS_SD_WEBUI_URL=url) as client:
        answer = (await client.data(TEST_ENGINE, {"p": "sdwebui"}))["testEngineConnection"]
        assert answer["reason"] == NOT_ANSWERING.format(url=url)
        bad = await client.graphql(TEST_ENGINE, {"p": "openai"})
        assert bad["errors"][0]["message"] == "provider: 'openai' is not a local engine; use comfyui or sdwebui"


async def test_the_address_set_in_settings_is_used_without_a_restart(database_url, tmp_path):
    update = "mutation($u: String!) { updateAppSettings(input: {sdWebuiUrl: $u}) { sdWebuiUrl sdWebuiUrlSource } }"
    async with webui_fake(step_seconds=0.0) as (fake, server), running_app(database_url, tmp_path / "data") as client:
        settings = (await client.data("{ appSettings { sdWebuiUrl sdWebuiUrlSource } }"))["appSettings"]
        assert settings == {"sdWebuiUrl": "http://127.0.0.1:7860", "sdWebuiUrlSource": "default"}
        bad = await client.graphql(update, {"u": "webui.local"})
        assert (
            bad["errors"][0]["message"]
            == "sdWebuiUrl: 'webui.local' is not an http(s) address; e.g. http://127.0.0.1:7860"
        )
        saved = (await client.data(update, {"u": server.url + "/"}))["updateAppSettings"]
        assert saved == {"sdWebuiUrl": server.url, "sdWebuiUrlSource": "settings"}
        assert (await client.data(TEST_ENGINE, {"p": "sdwebui"}))["testEngineConnection"]["ok"] is True
        done = await wait_for(
            client, (await queue(client, await new_board(client), TEXT_TO_IMAGE, {"prompt": "x"}))["id"]
        )
        assert done["status"] == "COMPLETED" and len(fake.requests) == 1
