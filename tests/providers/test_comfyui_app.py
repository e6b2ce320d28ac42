"""ComfyUI through the real app: GraphQL in, SSE out, media served, against the fake ComfyUI on 127.0.0.1."""

from __future__ import annotations

import io
import json

from PIL import Image

from boards_desktop.generators.providers.comfyui_catalog import SHIPPED_DIR
from boards_desktop.providers.comfyui_refusals import LOST
from tests.app_harness import running_app
from tests.fakes.harness import Fault, free_port
from tests.jobs.support import board_statuses, generation, new_board, queue, sse_events, try_queue, wait_for, wait_until
from tests.providers.comfyui_support import (
    IMAGE_TO_IMAGE,
    IMAGE_TO_IMAGE_MAPPING,
    QUICK_CLOSE,
    TEXT_TO_IMAGE,
    ProgressWatch,
    app_on_comfyui,
    comfyui_fake,
    external_id_saved,
    listed,
    write_workflow,
)
from tests.providers.support import png, upload_image

CANCEL = "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }"
WORKFLOWS = "{ comfyuiWorkflows { folder generators { name } problems { path reason } } }"
REFRESH = "mutation { refreshComfyuiWorkflows { folder generators { name } problems { path reason } } }"


async def test_an_image_with_its_progress_from_the_websocket_served_from_the_media_store(database_url, tmp_path):
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)
        params = {"prompt": "a red kite over the sea", "steps": 8, "width": 640, "height": 384, "seed": 42}
        created = await queue(client, board, TEXT_TO_IMAGE, params)
        events = await sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=30)
        done = await wait_for(client, created["id"])

        assert done["status"] == "COMPLETED", done
        messages = [event["message"] or "" for event in events]
        assert "KSampler: step 4 of 8" in messages and "running node 8 (VAEDecode)" in messages
        progress = [event["progress"] for event in events]
        assert progress == sorted(progress) and events[-1]["status"] == "completed"
        assert any(0.3 < value < 0.9 for value in progress)  # the steps move the bar, not only the ends

        # One prompt, under the id we chose (saved as the job's), with the artist's values in the graph.
        (sent,) = fake.prompts
        assert sent["prompt_id"] == done["externalJobId"] and sent["client_id"]
        graph = sent["prompt"]
        assert graph["6"]["inputs"]["text"] == "a red kite over the sea" and graph["3"]["inputs"]["seed"] == 42
        assert (graph["5"]["inputs"]["width"], graph["5"]["inputs"]["height"], graph["3"]["inputs"]["steps"]) == (
            640,
            384,
            8,
        )
        assert server.requests_to("GET", "/view")  # the result came from ComfyUI's /view
        media = await client.http.get(done["storageUrl"])
        assert media.status_code == 200 and media.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(media.content)).size == (640, 384)
        assert (await client.http.get(done["thumbnailUrl"])).status_code == 200

        # No seed: a new one each time, recorded in the graph sent.
        second = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "again"}))["id"])
        assert second["status"] == "COMPLETED"
        assert isinstance(fake.prompts[-1]["prompt"]["3"]["inputs"]["seed"], int)


async def test_an_image_to_image_workflow_added_by_file_uploads_its_input_and_uses_it(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, data_dir, server.url) as client,
    ):
        assert await listed(client, "comfyui/img2img") is None
        write_workflow(data_dir, "img2img", IMAGE_TO_IMAGE, IMAGE_TO_IMAGE_MAPPING)
        refreshed = (await client.data(REFRESH))["refreshComfyuiWorkflows"]
        assert refreshed["folder"] == str(data_dir / "comfyui-workflows") and refreshed["problems"] == []
        assert {g["name"] for g in refreshed["generators"]} == {TEXT_TO_IMAGE, "comfyui/img2img"}
        schema = (await listed(client, "comfyui/img2img"))["inputSchema"]
        assert schema["properties"]["image"]["$ref"].endswith("ImageArtifact")
        assert set(schema["required"]) == {"prompt", "image"}

        board = await new_board(client)
        picture = png(300, 200, (30, 90, 200))
        image = await upload_image(client, board, picture)
        params = {"prompt": "make it autumn", "image": image, "strength": 0.4}
        done = await wait_for(client, (await queue(client, board, "comfyui/img2img", params))["id"])

        assert done["status"] == "COMPLETED", done
        assert [(a["role"], a["generationId"]) for a in done["inputArtifacts"]] == [("image", image)]
        (uploaded,) = fake.uploads
        assert uploaded.startswith("boards-desktop/") and fake.input_file(uploaded) == picture
        graph = fake.prompts[-1]["prompt"]
        assert graph["10"]["inputs"]["image"] == uploaded and graph["12"]["inputs"]["denoise"] == 0.4
        result = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert result.size == (300, 200)  # made from the input image

        # The same image again is the same file at ComfyUI, not a second copy.
        again = await wait_for(client, (await queue(client, board, "comfyui/img2img", params))["id"])
        assert again["status"] == "COMPLETED" and fake.input_files() == [uploaded]

        # The file removed: the generator goes at the next refresh.
        (data_dir / "comfyui-workflows" / "img2img.json").unlink()
        (data_dir / "comfyui-workflows" / "img2img.mapping.json").unlink()
        await client.data(REFRESH)
        assert await listed(client, "comfyui/img2img") is None


async def test_a_dropped_websocket_is_opened_again_and_the_result_still_collected(database_url, tmp_path):
    async with (
        comfyui_fake(running=False) as (fake, server),
        app_on_comfyui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)
        created = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "a kite", "steps": 10})
        watch = await ProgressWatch.start(client, created["id"])
        await wait_until(lambda: _running_at(fake, client, created["id"]))
        fake.clock.advance(0.05)  # a few nodes and steps, heard over the socket
        await watch.shown("KSampler: step")

        server.faults.add("WEBSOCKET", "/ws", Fault.drop(), times=1)  # the first try to reconnect fails too
        assert server.drop_connections() >= 1
        fake.clock.advance(60)  # ComfyUI finishes while nobody listens: those messages are lost
        await watch.ended()
        done = await wait_for(client, created["id"])

        assert done["status"] == "COMPLETED", done
        assert "the connection to ComfyUI dropped; connecting again" in watch.messages
        assert len(server.requests_to("WEBSOCKET", "/ws")) >= 3  # the first, the refused one, the next
        assert len(fake.prompts) == 1
        assert (await client.http.get(done["storageUrl"])).status_code == 200


async def test_an_engine_that_does_not_answer_is_listed_with_the_reason_and_refused(database_url, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    async with app_on_comfyui(database_url, tmp_path / "data", url) as client:
        await wait_until(lambda: _checked(client))
        generator = await listed(client, TEXT_TO_IMAGE)
        reason = f"ComfyUI does not answer at {url}: start ComfyUI, or set its address in Settings"
        assert generator["available"] is False and generator["unavailableReason"] == reason
        board = await new_board(client)
        refused = await try_queue(client, board, TEXT_TO_IMAGE, {"prompt": "a kite"})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert refused["errors"][0]["message"].endswith(f"{TEXT_TO_IMAGE} cannot run: {reason}")


async def test_refusals_and_failures_name_the_node_and_what_to_do(database_url, tmp_path):
    data_dir = tmp_path / "data"
    custom = {**IMAGE_TO_IMAGE, "20": {"class_type": "IPAdapterAdvanced", "inputs": {"weight": 1.0}}}
    write_workflow(data_dir, "custom", custom, IMAGE_TO_IMAGE_MAPPING)
    bad_sampler = {**IMAGE_TO_IMAGE, "12": {**IMAGE_TO_IMAGE["12"]}}
    bad_sampler["12"]["inputs"] = {**IMAGE_TO_IMAGE["12"]["inputs"], "sampler_name": "euler_fast"}
    write_workflow(data_dir, "bad-sampler", bad_sampler, IMAGE_TO_IMAGE_MAPPING)
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, data_dir, server.url) as client,
    ):
        board = await new_board(client)
        image = await upload_image(client, board, png(64, 64))

        missing = await _failed(
            client, board, TEXT_TO_IMAGE, {"prompt": "x", "checkpoint": "dreamshaper_8.safetensors"}
        )
        assert missing == (
            "ComfyUI refused the workflow: node 4 (CheckpointLoaderSimple): the checkpoint 'dreamshaper_8.safetensors' "
            "is not in ComfyUI's models/checkpoints folder; put it there, or choose one ComfyUI has: "
            "['v1-5-pruned-emaonly-fp16.safetensors', 'sd_xl_base_1.0.safetensors']"
        )
        custom_node = await _failed(client, board, "comfyui/custom", {"prompt": "x", "image": image})
        assert custom_node.startswith(
            "this workflow needs the custom node IPAdapterAdvanced (node 20), which this ComfyUI does not have; "
            "install it in ComfyUI"
        )
        sampler = await _failed(client, board, "comfyui/bad-sampler", {"prompt": "x", "image": image})
        assert sampler.startswith(
            "ComfyUI refused the workflow: node 12 (KSampler): Value not in list: sampler_name: 'euler_fast' not in ["
        )
        assert fake.prompts == []  # refused before anything ran (the custom node before it was even sent)
        assert len(server.requests_to("POST", "/prompt")) == 2

        fake.failures["KSampler"] = ("torch.OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB")
        memory = await _failed(client, board, TEXT_TO_IMAGE, {"prompt": "x"})
        assert memory.startswith(
            "ComfyUI ran out of memory at node 3 (KSampler): CUDA out of memory. Tried to allocate 2.00 GiB; try a "
            "smaller size"
        )


async def test_cancel_reaches_comfyui_a_waiting_job_leaves_its_queue_a_running_one_is_interrupted(
    database_url, tmp_path
):
    async with (
        comfyui_fake(running=False) as (fake, server),
        app_on_comfyui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)
        jobs = [await queue(client, board, TEXT_TO_IMAGE, {"prompt": prompt}) for prompt in ("one", "two")]
        watches = {job["id"]: await ProgressWatch.start(client, job["id"]) for job in jobs}
        await wait_until(lambda: _one_runs_one_waits(fake, client, jobs))
        by_prompt = {(await generation(client, job["id"]))["externalJobId"]: job for job in jobs}
        running, waiting = fake.running_id, fake.pending_ids[0]
        first, second = by_prompt[running], by_prompt[waiting]  # ComfyUI runs whichever reached it first
        watch = watches[second["id"]]
        await watch.shown("waiting in ComfyUI's queue (position 2)")

        assert (await client.data(CANCEL, {"id": second["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
        await wait_until(lambda: _true(fake.deleted == [waiting]))
        assert fake.pending_ids == [] and fake.interrupts == []
        assert (await watch.ended())[-1]["status"] == "cancelled"

        assert (await client.data(CANCEL, {"id": first["id"]}))["cancelGeneration"]["status"] == "CANCELLED"
        await wait_until(lambda: _true(fake.interrupts == [running]))
        await wait_until(lambda: _true(fake.running_id is None))
        assert (await generation(client, first["id"]))["status"] == "CANCELLED"
        assert (await watches[first["id"]].ended())[-1]["status"] == "cancelled"
        assert len(fake.prompts) == 2


async def test_a_restart_of_the_app_mid_job_follows_the_same_prompt_without_sending_it_again(database_url, tmp_path):
    data_dir = tmp_path / "data"
    async with comfyui_fake(running=False) as (fake, server):
        async with app_on_comfyui(database_url, data_dir, server.url, **QUICK_CLOSE) as first:
            board = await new_board(first)
            created = await queue(first, board, TEXT_TO_IMAGE, {"prompt": "a lighthouse", "steps": 10})
            await wait_until(lambda: external_id_saved(first, created["id"]))
            await wait_until(lambda: _running_at(fake, first, created["id"]))
            fake.clock.advance(0.05)
        # The app is closed; ComfyUI carries on with the job (part of it here, the rest below).
        fake.clock.advance(0.03)
        # The next start resumes the job before its first look at ComfyUI has answered: the job waits for it.
        server.faults.add("GET", "/system_stats", Fault.slow(1.0))
        async with app_on_comfyui(database_url, data_dir, server.url) as second:
            # The resumed job listens again (its socket open) before ComfyUI goes on with it.
            await wait_until(
                lambda: _true(len(fake.listening) == 1 and len(server.requests_to("WEBSOCKET", "/ws")) >= 2)
            )
            watch = await ProgressWatch.start(second, created["id"])
            fake.clock.advance(60)
            await watch.ended()
            done = await wait_for(second, created["id"])
            assert done["status"] == "COMPLETED", done
            assert len(fake.prompts) == 1 and len(server.requests_to("POST", "/prompt")) == 1
            assert done["externalJobId"] == fake.prompts[0]["prompt_id"]
            # The app came back under the same client id, so ComfyUI's messages reached it again.
            client_ids = {r.query for r in server.requests_to("WEBSOCKET", "/ws")}
            assert len(client_ids) == 1
            assert any("KSampler: step" in message for message in watch.messages)
            assert (await second.http.get(done["storageUrl"])).status_code == 200


async def test_a_comfyui_restart_while_the_app_waits_fails_the_job_as_lost_never_as_done(database_url, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with app_on_comfyui(database_url, tmp_path / "data", url) as client:
        async with comfyui_fake(running=False, port=port) as (fake, _server):
            # The app's first check may have come before the fake listened: wait for one that found it.
            await wait_until(lambda: _available(client))
            board = await new_board(client)
            created = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "a kite"})
            await wait_until(lambda: _running_at(fake, client, created["id"]))
        # ComfyUI went away mid-job and comes back where it was, with an empty queue and history.
        async with comfyui_fake(port=port) as (again, _server):
            done = await wait_for(client, created["id"], timeout=30)
            assert done["status"] == "FAILED", done
            assert done["errorMessage"] == LOST
            assert again.prompts == []  # not sent again behind the artist's back
            # The engine is back: a new job runs.
            fresh = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "again"}))["id"])
            assert fresh["status"] == "COMPLETED"


async def test_a_new_address_from_the_settings_page_is_used_without_a_restart(database_url, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    dead = f"http://127.0.0.1:{free_port()}"
    (data_dir / "none.toml").write_text(f'comfyui_url = "{dead}"\n')  # the harness's config file
    async with comfyui_fake() as (fake, server), running_app(database_url, data_dir) as client:
        await wait_until(lambda: _checked(client))
        assert (await listed(client, TEXT_TO_IMAGE))["unavailableReason"].startswith(
            f"ComfyUI does not answer at {dead}"
        )
        update = "mutation($u: String!) { updateAppSettings(input: {comfyuiUrl: $u}) { comfyuiUrl comfyuiUrlSource } }"
        changed = (await client.data(update, {"u": server.url}))["updateAppSettings"]
        assert changed == {"comfyuiUrl": server.url, "comfyuiUrlSource": "settings"}
        await wait_until(lambda: _available(client))
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "a kite"}))["id"])
        assert done["status"] == "COMPLETED" and len(fake.prompts) == 1


async def test_a_lost_answer_to_the_submission_is_looked_up_not_sent_twice(database_url, tmp_path):
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, tmp_path / "data", server.url) as client,
    ):
        board = await new_board(client)
        # ComfyUI took it, but the answer was cut off: found in its queue or history, not sent again.
        server.faults.add("POST", "/prompt", Fault.cut())
        done = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "one"}))["id"])
        assert done["status"] == "COMPLETED", done
        assert len(server.requests_to("POST", "/prompt")) == 1 and len(fake.prompts) == 1
        # The connection dropped before ComfyUI saw it: not in ComfyUI, so it is sent again, once.
        server.faults.add("POST", "/prompt", Fault.drop())
        done = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "two"}))["id"])
        assert done["status"] == "COMPLETED", done
        assert len(server.requests_to("POST", "/prompt")) == 3 and len(fake.prompts) == 2


async def test_a_slow_engine_is_waited_for(database_url, tmp_path):
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, tmp_path / "data", server.url) as client,
    ):
        fake.step_seconds = 0.1  # a slow sampler: seconds of work, in real time
        server.faults.add("POST", "/prompt", Fault.slow(1.0))
        server.faults.add("GET", "/object_info", Fault.slow(1.0))
        board = await new_board(client)
        done = await wait_for(
            client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "slowly", "steps": 12}))["id"], timeout=60
        )
        assert done["status"] == "COMPLETED", done


# -- helpers ---------------------------------------------------------------------------------------------


async def _failed(client, board: str, name: str, params: dict) -> str:
    done = await wait_for(client, (await queue(client, board, name, params))["id"])
    assert done["status"] == "FAILED", done
    return done["errorMessage"]


async def _running_at(fake, client, generation_id: str) -> bool:
    external = (await generation(client, generation_id))["externalJobId"]
    return external is not None and fake.running_id == external


async def _one_runs_one_waits(fake, client, jobs: list[dict]) -> bool:
    ids = {(await generation(client, job["id"]))["externalJobId"] for job in jobs}
    return None not in ids and fake.running_id in ids and len(fake.pending_ids) == 1 and fake.pending_ids[0] in ids


async def _checked(client) -> bool:
    return client.services.providers["comfyui"].status.checked


async def _available(client) -> bool:
    return (await listed(client, TEXT_TO_IMAGE))["available"]


async def _true(value: bool) -> bool:
    return value


async def test_workflow_files_that_cannot_be_used_are_listed_with_why_and_the_app_starts_anyway(tmp_path):
    data_dir = tmp_path / "data"
    write_workflow(data_dir, "broken", '{"3": {"class_type": ')
    write_workflow(data_dir, "ui-format", {"nodes": [], "links": [], "version": 0.4})
    write_workflow(data_dir, "no-mapping", IMAGE_TO_IMAGE)
    # The artist's own text-to-image replaces the shipped one (here: another default checkpoint).
    shipped = json.loads((SHIPPED_DIR / "text-to-image.json").read_text())
    shipped["workflow"]["4"]["inputs"]["ckpt_name"] = "sd_xl_base_1.0.safetensors"
    write_workflow(data_dir, "text-to-image", shipped)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with comfyui_fake() as (fake, server), app_on_comfyui(database_url, data_dir, server.url) as client:
        listing = (await client.data(WORKFLOWS))["comfyuiWorkflows"]
        assert [g["name"] for g in listing["generators"]] == [TEXT_TO_IMAGE]
        problems = {problem["path"]: problem["reason"] for problem in listing["problems"]}
        folder = data_dir / "comfyui-workflows"
        assert set(problems) == {str(folder / name) for name in ("broken.json", "ui-format.json", "no-mapping.json")}
        assert problems[str(folder / "ui-format.json")].startswith("this is ComfyUI's own workflow format")
        log = (data_dir / "logs" / "boards.log").read_text()
        assert f"ComfyUI workflow {folder / 'broken.json'} left out: broken.json is not valid JSON" in log

        schema = (await listed(client, TEXT_TO_IMAGE))["inputSchema"]
        assert schema["properties"]["checkpoint"]["default"] == "sd_xl_base_1.0.safetensors"
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, TEXT_TO_IMAGE, {"prompt": "a kite"}))["id"])
        assert done["status"] == "COMPLETED"
        assert fake.prompts[-1]["prompt"]["4"]["inputs"]["ckpt_name"] == "sd_xl_base_1.0.safetensors"

        # Fixed on disk: offered at the refresh, and no longer a problem.
        write_workflow(data_dir, "no-mapping", IMAGE_TO_IMAGE, IMAGE_TO_IMAGE_MAPPING)
        refreshed = (await client.data(REFRESH))["refreshComfyuiWorkflows"]
        assert "comfyui/no-mapping" in {g["name"] for g in refreshed["generators"]}
        assert str(folder / "no-mapping.json") not in {problem["path"] for problem in refreshed["problems"]}


async def test_several_images_of_one_workflow_are_sibling_generations(database_url, tmp_path):
    data_dir = tmp_path / "data"
    document = json.loads((SHIPPED_DIR / "text-to-image.json").read_text())
    document["inputs"]["count"] = {"to": "5.batch_size", "minimum": 1, "maximum": 4, "description": "How many."}
    write_workflow(data_dir, "batch", document)
    async with (
        comfyui_fake() as (fake, server),
        app_on_comfyui(database_url, data_dir, server.url) as client,
    ):
        board = await new_board(client)
        done = await wait_for(
            client, (await queue(client, board, "comfyui/batch", {"prompt": "kites", "count": 3}))["id"]
        )
        assert done["status"] == "COMPLETED", done
        siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == "comfyui/batch"]
        assert sorted(g["outputMetadata"]["batch_index"] for g in siblings) == [0, 1, 2]
        assert {g["status"] for g in siblings} == {"COMPLETED"} and len(fake.prompts) == 1
        assert len(server.requests_to("GET", "/view")) == 3
