"""Replicate through the real app: GraphQL in, SSE out, media served, against the Replicate fake on 127.0.0.1.

The fake's predictions move on its clock only (`fake.clock.advance`): a test says when a model has
booted, how far it has run and when it is done, and watches the app follow.
"""

from __future__ import annotations

import io

import av
from PIL import Image

from tests.fakes.harness import Fault, serve_fake
from tests.jobs.support import board_statuses, generation, new_board, queue, try_queue, wait_for, wait_until
from tests.providers.replicate_support import (
    FLUX,
    FLUX_CREATE,
    KLING,
    KLING_CREATE,
    POLLS,
    QUICK_CLOSE,
    Watch,
    app_on_replicate,
    created,
    messages,
    noisy_png,
    replicate_fake,
)
from tests.providers.support import places_holding, png, upload_image

NSFW = "NSFW content detected. Try running it again, or try a different prompt."


async def test_flux_images_with_progress_from_the_logs_as_siblings(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        job = await queue(client, board, FLUX, {"prompt": "a red kite", "num_outputs": 2, "aspect_ratio": "16:9"})
        watch = Watch(client, job["id"])
        await watch.started()
        await created(fake)  # the create is held (`Prefer: wait=5`) while the model runs
        fake.clock.advance(6)  # booted after 2 s, halfway through its 4 steps: the wait is over
        await watch.saying("running on Replicate: 2 of 4 (50%)")
        fake.clock.advance(10)
        events = await watch.finished()
        done = await wait_for(client, job["id"])

        assert done["status"] == "COMPLETED", done
        assert done["externalJobId"] == fake.created[0].id
        progress = [event["progress"] for event in events]
        assert progress == sorted(progress) and events[-1]["status"] == "completed"
        assert any(0.4 < event["progress"] < 0.6 for event in events if "2 of 4" in (event["message"] or ""))
        assert any("Replicate made it in 8.0 s; saving result 2 of 2" in text for text in messages(events))

        sent = server.requests_to("POST", FLUX_CREATE)
        assert len(sent) == 1 and len(fake.created) == 1
        assert sent[0].headers["authorization"] == f"Bearer {fake.token}"
        assert sent[0].headers["prefer"] == "wait=5"
        assert fake.created[0].input == {
            "prompt": "a red kite", "aspect_ratio": "16:9", "num_outputs": 2, "num_inference_steps": 4,
            "output_format": "webp", "output_quality": 80, "disable_safety_checker": False, "go_fast": True,
            "megapixels": "1",
        }  # fmt: skip
        siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == FLUX]
        assert len(siblings) == 2 and {g["status"] for g in siblings} == {"COMPLETED"}
        assert sorted(g["outputMetadata"]["batch_index"] for g in siblings) == [0, 1]
        media = await client.http.get(done["storageUrl"])
        assert media.status_code == 200 and media.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(media.content)).size == (1360, 768)
        assert (await client.http.get(done["thumbnailUrl"])).status_code == 200
        # The files were fetched with the token: Replicate's file URLs take the same header.
        assert all(r.headers.get("authorization") for r in server.requests_to("GET", "/delivery/*"))


async def test_a_quick_prediction_comes_back_finished_in_the_held_create(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        job = await queue(client, board, FLUX, {"prompt": "a fox", "output_format": "png"})
        await created(fake)
        fake.clock.advance(12)  # done before the 5 s wait is over: the held answer has the output
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        assert server.requests_to("GET", POLLS) == []  # never polled
        assert (await client.http.get(done["storageUrl"])).headers["content-type"] == "image/png"


async def test_a_video_from_an_uploaded_image_boots_runs_and_is_probed(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        start = await upload_image(client, board, noisy_png(400, 300))  # beyond 256 KB: uploaded to Replicate
        server.faults.add("GET", POLLS, Fault.slow(1.0))  # a slow answer is waited for, not retried
        job = await queue(client, board, KLING, {"prompt": "the kite flies off", "start_image": start}, "VIDEO")
        watch = Watch(client, job["id"])
        await watch.saying("the model is booting on Replicate")
        fake.clock.advance(4)
        await watch.saying("running on Replicate: 1 of 4 (25%)")
        fake.clock.advance(10)
        done = await wait_for(client, job["id"], timeout=30)

        assert done["status"] == "COMPLETED", done
        assert [(item["role"], item["generationId"]) for item in done["inputArtifacts"]] == [("start_image", start)]
        sent = fake.created[0].input
        assert sent["start_image"].startswith(f"{server.url}/v1/files/") and len(fake.uploads) == 1
        assert sent == {"prompt": "the kite flies off", "negative_prompt": "", "mode": "standard", "duration": 5,
                        "start_image": sent["start_image"]}  # fmt: skip
        assert server.requests_to("POST", KLING_CREATE)[0].headers.get("prefer") is None  # no wait for a video
        assert done["outputMetadata"]["duration"] == 5.0 and done["outputMetadata"]["height"] == 96
        media = await client.http.get(done["storageUrl"])
        assert media.headers["content-type"] == "video/mp4"
        with av.open(io.BytesIO(media.content)) as container:
            assert container.streams.video[0].average_rate == 24
        assert (await client.http.get(done["thumbnailUrl"])).status_code == 200


async def test_a_restart_mid_prediction_resumes_it_without_a_second_submission(database_url, tmp_path):
    data = tmp_path / "data"
    async with replicate_fake() as (fake, server):
        async with app_on_replicate(database_url, data, server, fake.token, **QUICK_CLOSE) as first:
            board = await new_board(first)
            start = await upload_image(first, board, png(64, 48))
            job = await queue(first, board, KLING, {"prompt": "waves", "start_image": start}, "VIDEO")
            watch = Watch(first, job["id"])
            await watch.started()
            await created(fake)
            fake.clock.advance(4)
            await watch.saying("1 of 4 (25%)")
        # Closed while the model runs; it goes on at Replicate meanwhile.
        fake.clock.advance(3)
        async with app_on_replicate(database_url, data, server, fake.token) as second:
            watch = Watch(second, job["id"])
            await watch.started()
            fake.clock.advance(1)
            await watch.saying("3 of 4 (75%)")  # the same prediction, followed again
            fake.clock.advance(10)
            done = await wait_for(second, job["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        assert len(fake.created) == 1 and len(server.requests_to("POST", KLING_CREATE)) == 1
        assert done["externalJobId"] == fake.created[0].id


async def test_a_result_deleted_by_replicate_while_the_app_was_closed_is_a_readable_failure(database_url, tmp_path):
    data = tmp_path / "data"
    async with replicate_fake() as (fake, server):
        async with app_on_replicate(database_url, data, server, fake.token, **QUICK_CLOSE) as first:
            board = await new_board(first)
            start = await upload_image(first, board, png(64, 48))
            job = await queue(first, board, KLING, {"prompt": "waves", "start_image": start}, "VIDEO")
            await wait_until(lambda: _has_external_id(first, job["id"]))
        fake.clock.advance(2 * 3600)  # finished, then kept for an hour, then deleted
        async with app_on_replicate(database_url, data, server, fake.token) as second:
            done = await wait_for(second, job["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "Replicate made the result but deleted it before the app could save it (it keeps outputs for an hour); "
            "regenerate it"
        )
        assert len(fake.created) == 1


async def test_failed_polls_are_retried_and_never_resubmit(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        start = await upload_image(client, board, png(64, 48))
        server.faults.add("GET", POLLS, Fault.drop())  # lost once: polled again at once
        server.faults.add("GET", POLLS, Fault.status(500, {"title": "Internal Server Error", "status": 500}), times=3)
        job = await queue(client, board, KLING, {"prompt": "waves", "start_image": start}, "VIDEO")
        watch = Watch(client, job["id"])
        # Three 500s in a row exhaust one attempt; the job is tried again and follows the same prediction.
        await watch.saying("Replicate had an error (500); trying again in", timeout=30)
        await wait_until(lambda: _polls_succeeded(server))
        fake.clock.advance(20)
        done = await wait_for(client, job["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        assert len(fake.created) == 1 and len(server.requests_to("POST", KLING_CREATE)) == 1


async def test_a_429_on_create_waits_as_long_as_replicate_asks(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        throttled = {"title": "Request was throttled.", "status": 429,
                     "detail": "Request was throttled. Expected available in 1 second."}  # fmt: skip
        server.faults.add("POST", FLUX_CREATE, Fault.status(429, throttled, {"Retry-After": "1"}))
        job = await queue(client, board, FLUX, {"prompt": "a kite"})
        watch = Watch(client, job["id"])
        await created(fake)
        fake.clock.advance(12)
        events = await watch.finished()
        assert events[-1]["status"] == "completed", events
        assert any(
            text.startswith("Replicate asked to slow down (429): Request was throttled.")
            and "trying again in 1 s" in text
            for text in messages(events)
        )
        assert len(server.requests_to("POST", FLUX_CREATE)) == 2 and len(fake.created) == 1


async def test_a_create_whose_answer_is_lost_is_not_sent_twice(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        server.faults.add("POST", FLUX_CREATE, Fault.status(500, {"title": "Internal Server Error", "status": 500}))
        done = await wait_for(client, (await queue(client, board, FLUX, {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "Replicate had an error (500) while taking the job; it may be running (and charged) anyway, so it was not "
            "sent again; check your Replicate account before you regenerate"
        )
        server.faults.add("POST", FLUX_CREATE, Fault.drop())
        done = await wait_for(client, (await queue(client, board, FLUX, {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"].startswith("Replicate dropped the connection after the job was sent")
        assert len(server.requests_to("POST", FLUX_CREATE)) == 2


async def test_a_refused_token_fails_at_once_with_the_settings_message_and_is_never_written(database_url, tmp_path):
    wrong = "r8_this-is-not-the-token-0000QRST"
    async with (
        replicate_fake() as (_fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, wrong) as client,
    ):
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, FLUX, {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == "Replicate rejected the token: set it in Settings"
        assert len(server.requests_to("POST", FLUX_CREATE)) == 1  # not retried
        assert await places_holding(client, tmp_path / "data", wrong) == []
        assert await places_holding(client, tmp_path / "data", wrong[-12:]) == []


async def test_refused_input_names_the_field(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        # The model changed at Replicate since this app was written: it now takes at most 2 outputs.
        fake.models["black-forest-labs/flux-schnell"].input_schema["properties"]["num_outputs"]["maximum"] = 2
        done = await wait_for(client, (await queue(client, board, FLUX, {"prompt": "a kite", "num_outputs": 3}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == "Replicate refused the input: num_outputs: Must be less than or equal to 2"
        assert fake.created == []
        # What the app itself can check is refused before anything is sent.
        refused = await try_queue(client, board, FLUX, {"prompt": "a kite", "num_outputs": 5})
        assert "inputParams.num_outputs" in refused["errors"][0]["message"]
        refused = await try_queue(client, board, KLING, {"prompt": "x", "start_image": None}, "VIDEO")
        assert "start_image" in refused["errors"][0]["message"]


async def test_a_failed_prediction_shows_the_models_error(database_url, tmp_path):
    async with (
        replicate_fake(fail_with=NSFW) as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        job = await queue(client, board, FLUX, {"prompt": "a kite"})
        await created(fake)
        fake.clock.advance(12)
        done = await wait_for(client, job["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == f"the model failed on Replicate: {NSFW}"


async def test_cancel_reaches_replicate(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        start = await upload_image(client, board, png(64, 48))
        job = await queue(client, board, KLING, {"prompt": "waves", "start_image": start}, "VIDEO")
        watch = Watch(client, job["id"])
        await watch.started()
        await created(fake)
        fake.clock.advance(4)
        await watch.saying("1 of 4")
        answer = await client.data("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": job["id"]})
        assert answer["cancelGeneration"]["status"] == "CANCELLED"
        prediction = fake.created[0]

        async def cancelled_at_replicate() -> bool:
            return fake.cancels == [prediction.id] and prediction.status(fake.clock.now()) == "canceled"

        await wait_until(cancelled_at_replicate)
        fake.clock.advance(20)
        assert (await generation(client, job["id"]))["status"] == "CANCELLED"
        assert (await wait_for(client, job["id"]))["storageUrl"] is None


async def test_an_output_that_expired_before_it_was_fetched_is_a_readable_failure(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        hold = server.faults.add("GET", "/delivery/*", Fault.hold())
        job = await queue(client, board, FLUX, {"prompt": "a kite"})
        await created(fake)
        fake.clock.advance(12)

        async def fetching() -> bool:
            return hold.hits == 1

        await wait_until(fetching)
        fake.expire_outputs()
        hold.release()
        done = await wait_for(client, job["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "Replicate no longer has the result (it deletes outputs an hour after a prediction); regenerate it"
        )


async def test_data_url_outputs_are_taken_as_they_are(database_url, tmp_path):
    async with (
        replicate_fake(data_url_outputs=True) as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        board = await new_board(client)
        job = await queue(client, board, FLUX, {"prompt": "a kite", "output_format": "jpg"})
        await created(fake)
        fake.clock.advance(12)
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        assert (await client.http.get(done["storageUrl"])).headers["content-type"] == "image/jpeg"
        assert server.requests_to("GET", "/delivery/*") == []


async def test_the_token_goes_to_replicate_only_never_to_another_host(database_url, tmp_path):
    async with (
        replicate_fake(outputs_need_token=False) as (fake, server),
        serve_fake(fake.app, clock=fake.clock) as cdn,  # another host, serving the same files
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        fake.delivery_url = cdn.url
        board = await new_board(client)
        job = await queue(client, board, FLUX, {"prompt": "a kite"})
        await created(fake)
        fake.clock.advance(12)
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        fetched = cdn.requests_to("GET", "/delivery/*")
        assert len(fetched) == 1 and "authorization" not in fetched[0].headers


async def test_without_a_token_the_generators_say_why_and_refuse_to_queue(database_url, tmp_path):
    async with (
        replicate_fake() as (_fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, None) as client,
    ):
        listed = await client.data("{ generators { name provider artifactType available unavailableReason } }")
        mine = {g["name"]: g for g in listed["generators"] if g["provider"] == "replicate"}
        assert {name: g["artifactType"] for name, g in mine.items()} == {FLUX: "IMAGE", KLING: "VIDEO"}
        for generator in mine.values():
            assert generator["available"] is False
            assert generator["unavailableReason"] == (
                "no Replicate key: add it in Settings, or set REPLICATE_API_TOKEN in the environment"
            )
        board = await new_board(client)
        refused = await try_queue(client, board, FLUX, {"prompt": "a kite"})
        assert "replicate-flux-schnell cannot run: no Replicate key" in refused["errors"][0]["message"]
        assert server.requests == []


async def _has_external_id(client, generation_id: str) -> bool:
    return bool((await generation(client, generation_id))["externalJobId"])


async def _polls_succeeded(server) -> bool:
    return len(server.requests_to("GET", POLLS)) >= 5
