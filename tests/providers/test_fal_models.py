"""Any fal endpoint by id, through the app, for endpoints the fake serves and the app's code does not know."""

from __future__ import annotations

import asyncio
import io
import json

import pytest
from PIL import Image

from tests.jobs.support import board_statuses, generation, new_board, queue, try_queue, wait_for, wait_until
from tests.media.samples import write_video
from tests.providers.support import ClockDriver, app_on_fal, fal_fake

INFO = "name description artifactType provider available unavailableReason inputSchema"
ADD = f"mutation($p: String!, $m: String!) {{ addModelGenerator(provider: $p, model: $m) {{ {INFO} }} }}"
SDXL = "fal/fal-ai/fast-sdxl"


async def _add(client, endpoint_id: str) -> dict:
    return (await client.data(ADD, {"p": "fal", "m": endpoint_id}))["addModelGenerator"]


async def test_an_endpoint_named_by_id_becomes_a_generator_with_fals_own_form_and_runs(database_url, tmp_path):
    data = tmp_path / "data"
    async with fal_fake() as (fake, server):
        async with app_on_fal(database_url, data, server, fake.api_key) as client, ClockDriver(server):
            added = await _add(client, "fal-ai/fast-sdxl")
            assert (added["name"], added["provider"], added["artifactType"]) == (SDXL, "fal", "IMAGE")
            assert added["description"] == "fal-ai/fast-sdxl on fal.ai (text-to-image)" and added["available"]
            properties = added["inputSchema"]["properties"]
            assert list(properties)[:4] == ["prompt", "negative_prompt", "image_size", "num_inference_steps"]
            assert properties["num_images"]["maximum"] == 8 and properties["guidance_scale"]["default"] == 7.5
            assert added["inputSchema"]["required"] == ["prompt"]
            assert fake.openapi_requests == ["fal-ai/fast-sdxl"]

            board = await new_board(client)
            refused = await try_queue(client, board, SDXL, {"prompt": "x", "num_images": 9})
            assert "inputParams.num_images" in refused["errors"][0]["message"]
            created = await queue(client, board, SDXL, {"prompt": "a lighthouse", "num_images": 2, "format": "png"})
            done = await wait_for(client, created["id"], timeout=30)
            assert done["status"] == "COMPLETED", done
            siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == SDXL]
            assert len(siblings) == 2 and {g["status"] for g in siblings} == {"COMPLETED"}
            served = await client.http.get(done["storageUrl"])
            assert served.headers["content-type"] == "image/png"
            assert Image.open(io.BytesIO(served.content)).size == (1024, 1024)  # the endpoint's default square_hd
            sent = fake.submissions[0]
            assert sent.endpoint_id == "fal-ai/fast-sdxl" and sent.arguments["prompt"] == "a lighthouse"
            assert "seed" not in sent.arguments  # unset and optional: left to fal

            # sync_mode: fal answers with the files inline, as data: URLs.
            inline = await queue(client, board, SDXL, {"prompt": "a boat", "sync_mode": True})
            assert (await wait_for(client, inline["id"], timeout=30))["status"] == "COMPLETED"

        # Offered again at the next start, without asking fal.
        async with app_on_fal(database_url, data, server, fake.api_key) as client:
            listed = await client.data("{ generators { name artifactType } }")
            assert {"name": SDXL, "artifactType": "IMAGE"} in listed["generators"]
        assert fake.openapi_requests == ["fal-ai/fast-sdxl"]
        cached = json.loads((data / "model-generators.json").read_text())
        assert [m["model_id"] for m in cached["models"]] == ["fal-ai/fast-sdxl"]


async def test_endpoints_that_make_audio_and_video_from_a_video(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server),
    ):
        audio = await _add(client, "fal-ai/stable-audio")
        assert audio["artifactType"] == "AUDIO"
        board = await new_board(client)
        done = await wait_for(
            client,
            (await queue(client, board, audio["name"], {"prompt": "rain on a tin roof", "seconds_total": 2}, "AUDIO"))[
                "id"
            ],
            timeout=30,
        )
        assert done["status"] == "COMPLETED", done
        assert done["outputMetadata"]["duration"] == pytest.approx(2, abs=0.1)  # fal's `audio_file`
        assert done["outputMetadata"]["channels"] == 2

        upscaler = await _add(client, "fal-ai/video-upscaler")
        assert upscaler["artifactType"] == "VIDEO"
        assert upscaler["inputSchema"]["properties"]["video_url"]["$ref"] == "#/$defs/VideoArtifact"
        clip = write_video(tmp_path / "clip.mp4")
        uploaded = await client.http.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": "video"},
            files={"file": ("clip.mp4", clip.read_bytes(), "video/mp4")},
        )
        video_id = uploaded.json()["id"]
        created = await queue(client, board, upscaler["name"], {"video_url": video_id, "scale": 2}, "VIDEO")
        done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        assert done["outputMetadata"]["duration"] == pytest.approx(2, abs=0.3)
        assert done["outputMetadata"]["width"] == 192
        assert [(a["role"], a["generationId"]) for a in done["inputArtifacts"]] == [("video_url", video_id)]
        sent = next(s for s in fake.submissions if s.endpoint_id == "fal-ai/video-upscaler").arguments
        assert sent["video_url"].startswith("data:video/mp4;base64,")

        # An endpoint whose schema allows a URL of 2083 characters at most: said before anything is sent.
        mmaudio = await _add(client, "fal-ai/mmaudio-v2")
        created = await queue(client, board, mmaudio["name"], {"video_url": video_id, "prompt": "waves"}, "VIDEO")
        done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "video_url: fal-ai/mmaudio-v2 takes only a link of at most 2083 characters there, and the app sends your "
            "files to fal.ai inline, so this endpoint cannot take a file from your board"
        )
        assert not any(s.endpoint_id == "fal-ai/mmaudio-v2" for s in fake.submissions)


async def test_an_endpoint_fal_does_not_have_is_refused_in_words(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        for endpoint_id, words in (
            ("fal-ai/no-such-model", "fal.ai has no endpoint 'fal-ai/no-such-model'"),
            ("flux", "'flux' is not an fal.ai endpoint id"),
        ):
            refused = await client.graphql(ADD, {"p": "fal", "m": endpoint_id})
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            assert refused["errors"][0]["message"].startswith(f"model: {words}"), refused
        assert fake.openapi_requests == ["fal-ai/no-such-model"]


async def test_a_job_of_an_added_endpoint_is_cancelled_at_fal(database_url, tmp_path):
    async with (
        fal_fake(queue_ahead=30) as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        await _add(client, "fal-ai/fast-sdxl")
        board = await new_board(client)
        created = await queue(client, board, SDXL, {"prompt": "a lighthouse"})

        async def at_fal() -> bool:
            return bool((await generation(client, created["id"]))["externalJobId"])

        await wait_until(at_fal)
        await client.data("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": created["id"]})

        async def reached() -> bool:
            return len(fake.cancels) == 1

        await wait_until(reached)
        await asyncio.sleep(0.1)
        assert fake.cancels == [fake.submissions[0].request_id]
        assert (await generation(client, created["id"]))["status"] == "CANCELLED"


async def test_a_job_of_an_added_endpoint_resumes_after_a_restart_without_asking_fal_again(database_url, tmp_path):
    data = tmp_path / "data"
    async with fal_fake() as (fake, server):
        async with app_on_fal(database_url, data, server, fake.api_key, BOARDS_SHUTDOWN_GRACE="0") as client:
            await _add(client, "fal-ai/fast-sdxl")
            board = await new_board(client)
            created = await queue(client, board, SDXL, {"prompt": "a lighthouse", "num_images": 2})

            async def at_fal() -> bool:
                return bool((await generation(client, created["id"]))["externalJobId"])

            await wait_until(at_fal)
        async with app_on_fal(database_url, data, server, fake.api_key) as client, ClockDriver(server):
            done = await wait_for(client, created["id"], timeout=30)
            assert done["status"] == "COMPLETED", done
            siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == SDXL]
            assert len(siblings) == 2 and {g["status"] for g in siblings} == {"COMPLETED"}
        assert len(fake.submissions) == 1 and fake.openapi_requests == ["fal-ai/fast-sdxl"]
