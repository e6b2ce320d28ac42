"""OpenAI through the real app: GraphQL in, SSE out, media served, against the OpenAI fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from tests.fakes.harness import Fault
from tests.jobs.support import board_statuses, new_board, queue, sse_events, try_queue, wait_for, wait_until
from tests.providers.support import app_on_openai, openai_fake, places_holding, png, upload_image

GENERATIONS = "/v1/images/generations"
EDITS = "/v1/images/edits"


def _openai_error(message: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


async def test_an_image_with_its_progress_on_the_stream_and_its_siblings_served(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        # Held at the fake until the stream has shown OpenAI at work: the artist sees time pass.
        hold = server.faults.add("POST", GENERATIONS, Fault.hold())
        created = await queue(client, board, "openai-image", {"prompt": "a red kite", "size": "1536x1024", "n": 2})
        stream = asyncio.create_task(sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=60))

        async def working() -> bool:
            return (
                hold.hits == 1
                and (
                    await client.data("query($id: UUID!) { generation(id: $id) { progress } }", {"id": created["id"]})
                )["generation"]["progress"]
                > 2
            )

        await wait_until(working, timeout=30)
        hold.release()
        events = await stream
        done = await wait_for(client, created["id"])

        assert done["status"] == "COMPLETED", done
        phases = [event["phase"] for event in events if event["status"] == "processing"]
        assert phases.index("initializing") < phases.index("processing") < phases.index("finalizing")
        assert any("OpenAI is making 2 images" in (event["message"] or "") for event in events)
        progress = [event["progress"] for event in events]
        assert progress == sorted(progress) and events[-1]["status"] == "completed"

        assert len(fake.calls) == 1 and fake.calls[0]["n"] == 2  # one paid call for both images
        assert server.requests_to("POST", GENERATIONS)[0].headers["authorization"] == f"Bearer {fake.api_key}"
        siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == "openai-image"]
        assert len(siblings) == 2 and {g["status"] for g in siblings} == {"COMPLETED"}
        assert sorted(g["outputMetadata"]["batch_index"] for g in siblings) == [0, 1]
        media = await client.http.get(done["storageUrl"])
        assert media.status_code == 200 and media.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(media.content)).size == (1536, 1024)
        assert (await client.http.get(done["thumbnailUrl"])).status_code == 200


async def test_jpeg_and_webp_results_keep_their_format(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        for fmt, mime in (("jpeg", "image/jpeg"), ("webp", "image/webp")):
            created = await queue(
                client, board, "openai-image", {"prompt": "a boat", "output_format": fmt, "output_compression": 60}
            )
            done = await wait_for(client, created["id"])
            assert done["status"] == "COMPLETED", done
            assert (await client.http.get(done["storageUrl"])).headers["content-type"] == mime


async def test_a_429_waits_as_long_as_openai_asks_then_succeeds(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        server.faults.add(
            "POST", GENERATIONS, Fault.status(429, _openai_error("Rate limit reached for images"), {"Retry-After": "1"})
        )
        created = await queue(client, board, "openai-image", {"prompt": "a kite"})
        events = await sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=30)
        assert events[-1]["status"] == "completed", events
        assert any(
            "OpenAI asked to slow down (429)" in (e["message"] or "") and "trying again in 1 s" in e["message"]
            for e in events
        )
        assert len(server.requests_to("POST", GENERATIONS)) == 2


async def test_a_500_is_sent_again_since_nothing_was_made(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        server.faults.add(
            "POST", GENERATIONS, Fault.status(500, _openai_error("The server had an error", code="server_error"))
        )
        created = await queue(client, board, "openai-image", {"prompt": "a kite"})
        done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        assert len(server.requests_to("POST", GENERATIONS)) == 2 and len(fake.calls) == 1


async def test_a_refused_key_fails_at_once_with_the_settings_message_and_is_never_written(database_url, tmp_path):
    wrong = "sk-proj-this-is-not-the-key-0000XYZW"
    async with (
        openai_fake() as (_fake, server),
        app_on_openai(database_url, tmp_path / "data", server, wrong) as client,
    ):
        board = await new_board(client)
        created = await queue(client, board, "openai-image", {"prompt": "a kite"})
        done = await wait_for(client, created["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == "OpenAI rejected the key: set it in Settings"
        assert len(server.requests_to("POST", GENERATIONS)) == 1  # not retried
        assert await places_holding(client, tmp_path / "data", wrong) == []
        assert await places_holding(client, tmp_path / "data", wrong[-12:]) == []


async def test_a_refusal_names_the_field(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        # What OpenAI says when a size it once took is no longer offered for a model.
        refusal = _openai_error(
            "Invalid value: '1536x1024'. Supported values are: '1024x1024' and 'auto'.", "size", "invalid_value"
        )
        server.faults.add("POST", GENERATIONS, Fault.status(400, refusal))
        created = await queue(client, board, "openai-image", {"prompt": "a kite", "size": "1536x1024"})
        done = await wait_for(client, created["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "OpenAI refused the input: size: Invalid value: '1536x1024'. Supported values are: '1024x1024' and 'auto'."
        )
        # The fake's own safety system: a 400 without a field, said as OpenAI says it.
        created = await queue(client, board, "openai-image", {"prompt": "FORBIDDEN things"})
        done = await wait_for(client, created["id"])
        assert done["errorMessage"].startswith("OpenAI refused the input: OpenAI's safety system refused the request")
        assert len(server.requests_to("POST", GENERATIONS)) == 2


async def test_an_exhausted_quota_is_not_waited_on(database_url, tmp_path):
    async with (
        openai_fake(out_of_quota=True) as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, "openai-image", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert "You exceeded your current quota" in done["errorMessage"] and "billing" in done["errorMessage"]
        assert len(server.requests_to("POST", GENERATIONS)) == 1


async def test_a_connection_dropped_after_sending_is_not_paid_for_twice(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        server.faults.add("POST", GENERATIONS, Fault.drop())
        done = await wait_for(client, (await queue(client, board, "openai-image", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert "dropped the connection after the request was sent" in done["errorMessage"]
        assert "regenerate" in done["errorMessage"]
        server.faults.add("POST", GENERATIONS, Fault.cut())  # the answer cut off halfway: the same
        done = await wait_for(client, (await queue(client, board, "openai-image", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED" and "dropped the connection" in done["errorMessage"]
        assert len(server.requests_to("POST", GENERATIONS)) == 2


async def test_openai_not_answering_at_all_is_retried_then_reported(database_url, tmp_path):
    async with openai_fake() as (fake, server):
        closed = server.url  # nothing listens here once the fake has stopped
    async with app_on_openai(database_url, tmp_path / "data", server, fake.api_key, BOARDS_JOB_RETRIES="0") as client:
        assert server.url == closed
        board = await new_board(client)
        done = await wait_for(
            client, (await queue(client, board, "openai-image", {"prompt": "a kite"}))["id"], timeout=30
        )
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == "could not connect to OpenAI (gave up after 1 attempts)"


async def test_without_a_key_the_generators_say_why_and_refuse_to_queue(database_url, tmp_path):
    async with openai_fake() as (_fake, server), app_on_openai(database_url, tmp_path / "data", server, None) as client:
        listed = await client.data("{ generators { name provider available unavailableReason } }")
        openai = {g["name"]: g for g in listed["generators"] if g["provider"] == "openai"}
        assert set(openai) == {"openai-image", "openai-image-edit", "openai-text"}
        for generator in openai.values():
            assert generator["available"] is False
            assert generator["unavailableReason"] == (
                "no OpenAI key: add it in Settings, or set OPENAI_API_KEY in the environment"
            )
        board = await new_board(client)
        refused = await try_queue(client, board, "openai-image", {"prompt": "a kite"})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "openai-image cannot run: no OpenAI key" in refused["errors"][0]["message"]
        assert server.requests == []


async def test_inputs_are_checked_before_anything_is_sent(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        for params, mention in (
            ({"prompt": "a kite", "size": "512x512"}, "inputParams.size"),
            ({"prompt": "a kite", "n": 11}, "inputParams.n"),
            ({"prompt": "a kite", "background": "transparent", "output_format": "jpeg"}, "background"),
            ({"prompt": ""}, "inputParams.prompt"),
        ):
            refused = await try_queue(client, board, "openai-image", params)
            assert mention in refused["errors"][0]["message"], (params, refused)
        assert server.requests == []


async def test_an_edit_sends_every_image_and_the_mask_and_records_them_as_inputs(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        first = await upload_image(client, board, png(300, 200))
        second = await upload_image(client, board, png(64, 64, (20, 200, 20)))
        mask = await upload_image(client, board, png(300, 200, (0, 0, 0, 0), mode="RGBA"))
        created = await queue(
            client, board, "openai-image-edit", {"prompt": "make it night", "images": [first, second], "mask": mask}
        )
        done = await wait_for(client, created["id"])
        assert done["status"] == "COMPLETED", done
        assert fake.calls[-1]["images"] == 2 and fake.calls[-1]["mask"] is True
        sent = server.requests_to("POST", EDITS)[0]
        assert sent.headers["content-type"].startswith("multipart/form-data") and b'name="image[]"' in sent.body
        roles = sorted((item["role"], item["generationId"]) for item in done["inputArtifacts"])
        assert roles == sorted([("images", first), ("images", second), ("mask", mask)])
        # Landscape input, size auto: OpenAI answers in landscape.
        created = await queue(
            client, board, "openai-image-edit", {"prompt": "again", "images": [first], "size": "auto"}
        )
        done = await wait_for(client, created["id"])
        assert Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content)).size == (1536, 1024)
        assert b'name="image"' in server.requests_to("POST", EDITS)[1].body


async def test_an_edit_mask_that_cannot_work_is_refused_before_it_is_paid_for(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        image = await upload_image(client, board, png(128, 128))
        small_mask = await upload_image(client, board, png(64, 64, (0, 0, 0, 0), mode="RGBA"))
        opaque_mask = await upload_image(client, board, png(128, 128, (0, 0, 0)))
        done = await wait_for(
            client,
            (await queue(client, board, "openai-image-edit", {"prompt": "x", "images": [image], "mask": small_mask}))[
                "id"
            ],
        )
        assert done["errorMessage"] == (
            "mask: the mask is 64x64 but the first image is 128x128; give a mask of the same size"
        )
        done = await wait_for(
            client,
            (await queue(client, board, "openai-image-edit", {"prompt": "x", "images": [image], "mask": opaque_mask}))[
                "id"
            ],
        )
        assert done["errorMessage"].startswith("mask: the mask has no transparency")
        assert server.requests_to("POST", EDITS) == []
