"""fal.ai through the real app: GraphQL in, SSE out, media served, against the fal fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from tests.fakes.harness import Fault
from tests.jobs.support import (
    board_statuses,
    generation,
    new_board,
    queue,
    sse_events,
    try_queue,
    wait_for,
    wait_until,
)
from tests.providers.support import ClockDriver, app_on_fal, fal_fake, places_holding

SUBMIT = "/fal-ai/flux/dev"


async def test_an_image_with_its_place_in_the_queue_and_its_progress_on_the_stream(database_url, tmp_path):
    async with (
        fal_fake(queue_ahead=11) as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        created = await queue(client, board, "fal-flux-dev", {"prompt": "a red kite", "num_images": 2})
        stream = asyncio.create_task(sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=60))
        async with ClockDriver(server):
            events = await stream
        done = await wait_for(client, created["id"])

        assert done["status"] == "COMPLETED", done
        messages = [event["message"] for event in events if event["status"] == "processing"]
        assert "12th in fal's queue" in messages and "1st in fal's queue" in messages
        assert messages.index("12th in fal's queue") < messages.index("11th in fal's queue")
        assert any("50%" in (message or "") for message in messages)
        progress = [event["progress"] for event in events]
        assert progress == sorted(progress) and events[-1]["status"] == "completed"
        working = [e["progress"] for e in events if e["phase"] == "processing"]
        assert 0.05 <= min(working) < max(working) < 0.9  # the log's percentages, not a jump from 0 to 1

        # One request, with the key, sent under the whole endpoint id; followed through fal's own URLs.
        assert len(fake.submissions) == 1 and fake.submissions[0].arguments["num_images"] == 2
        sent = server.requests_to("POST", SUBMIT)[0]
        assert sent.headers["authorization"] == f"Key {fake.api_key}"
        polls = server.requests_to("GET", "*/status")
        assert polls and all(p.path.startswith("/fal-ai/flux/requests/") and p.query == "logs=1" for p in polls)
        assert done["externalJobId"] and fake.submissions[0].request_id in done["externalJobId"]

        siblings = [g for g in await board_statuses(client, board) if g["generatorName"] == "fal-flux-dev"]
        assert len(siblings) == 2 and {g["status"] for g in siblings} == {"COMPLETED"}
        media = await client.http.get(done["storageUrl"])
        assert media.status_code == 200 and media.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(media.content)).size == (1024, 768)
        assert (await client.http.get(done["thumbnailUrl"])).status_code == 200


async def test_a_refused_key_fails_at_once_with_the_settings_message_and_is_never_written(database_url, tmp_path):
    wrong = "0badc0de-0000-4000-8000-000000000000:ffffffffffffffffffffffffffffffff"
    async with fal_fake() as (_fake, server), app_on_fal(database_url, tmp_path / "data", server, wrong) as client:
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == "fal.ai rejected the key: set it in Settings"
        assert len(server.requests_to("POST", SUBMIT)) == 1  # not retried
        assert await places_holding(client, tmp_path / "data", wrong) == []
        assert await places_holding(client, tmp_path / "data", wrong[-12:]) == []


async def test_without_a_key_the_generators_say_why_and_refuse_to_queue(database_url, tmp_path):
    async with fal_fake() as (_fake, server), app_on_fal(database_url, tmp_path / "data", server, None) as client:
        listed = await client.data("{ generators { name provider artifactType available unavailableReason } }")
        fal = {g["name"]: g for g in listed["generators"] if g["provider"] == "fal"}
        assert {name: g["artifactType"] for name, g in fal.items()} == {
            "fal-flux-dev": "IMAGE", "fal-flux-kontext": "IMAGE", "fal-kling-text-to-video": "VIDEO",
            "fal-kling-image-to-video": "VIDEO", "fal-kokoro-speech": "AUDIO",
        }  # fmt: skip
        assert {g["unavailableReason"] for g in fal.values()} == {
            "no fal.ai key: add it in Settings, or set FAL_KEY in the environment"
        }
        board = await new_board(client)
        refused = await try_queue(client, board, "fal-flux-dev", {"prompt": "a kite"})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "fal-flux-dev cannot run: no fal.ai key" in refused["errors"][0]["message"]
        assert server.requests == []


async def test_inputs_are_checked_before_anything_is_sent(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        for params, mention in (
            ({"prompt": "a kite", "image_size": "huge"}, "inputParams.image_size"),
            ({"prompt": "a kite", "num_images": 5}, "inputParams.num_images"),
            ({"prompt": "a kite", "guidance_scale": 25}, "inputParams.guidance_scale"),
            ({"prompt": "a kite", "image_size": {"width": 0, "height": 512}}, "inputParams.image_size"),
        ):
            refused = await try_queue(client, board, "fal-flux-dev", params)
            assert mention in refused["errors"][0]["message"], (params, refused)
        assert server.requests == []


async def test_a_429_waits_as_long_as_fal_asks_then_submits_once(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        server.faults.add(
            "POST", SUBMIT, Fault.status(429, {"detail": "Too many concurrent requests"}, {"Retry-After": "1"})
        )
        created = await queue(client, board, "fal-flux-dev", {"prompt": "a kite"})
        stream = asyncio.create_task(sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=30))
        async with ClockDriver(server):
            events = await stream
        assert events[-1]["status"] == "completed", events
        assert len(server.requests_to("POST", SUBMIT)) == 2 and len(fake.submissions) == 1


async def test_a_500_when_submitting_is_not_sent_again_since_fal_may_have_taken_it(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        server.faults.add("POST", SUBMIT, Fault.status(500, {"detail": "Internal Server Error"}))
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"].startswith("fal.ai had an error (500) while taking the job; it may be running")
        server.faults.add("POST", SUBMIT, Fault.drop())  # the answer lost: the same
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED" and "dropped the connection after the job was sent" in done["errorMessage"]
        assert len(server.requests_to("POST", SUBMIT)) == 2


async def test_failures_while_following_a_request_are_retried_and_never_submit_it_again(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        # A drop, then more 500s than one call's retries: the job's own retry follows the same request.
        server.faults.add("GET", "/fal-ai/flux/requests/*/status", Fault.drop())
        server.faults.add("GET", "/fal-ai/flux/requests/*/status", Fault.status(500, {"detail": "oops"}), times=3)
        server.faults.add("GET", "/fal-ai/flux/requests/*/status", Fault.slow(0.5))
        server.faults.add("GET", "/fal-ai/flux/requests/*", Fault.cut())  # the result cut off halfway
        created = await queue(client, board, "fal-flux-dev", {"prompt": "a kite"})
        stream = asyncio.create_task(sse_events(client, f"/api/sse/generations/{created['id']}/progress", timeout=60))
        async with ClockDriver(server):
            events = await stream
        assert events[-1]["status"] == "completed", events
        assert any("fal.ai had an error (500)" in (e["message"] or "") for e in events)  # shown while it waited
        assert len(fake.submissions) == 1 and len(server.requests_to("POST", SUBMIT)) == 1
        assert len(server.requests_to("GET", "/fal-ai/flux/requests/*/status")) > 5


async def test_fal_refusing_the_input_names_the_field(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server),
    ):
        board = await new_board(client)
        # fal's answer when it no longer takes a value the app's form still offers.
        detail = [{"loc": ["body", "image_size"], "type": "literal_error", "input": "square",
                   "msg": "Input should be 'square_hd', 'portrait_4_3' or 'landscape_4_3'"}]  # fmt: skip
        server.faults.add("GET", "/fal-ai/flux/requests/*", Fault.status(422, {"detail": detail}))
        done = await wait_for(
            client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite", "image_size": "square"}))["id"]
        )
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "fal.ai refused the input: image_size: Input should be 'square_hd', 'portrait_4_3' or 'landscape_4_3'"
        )
        # The fake's content checker, said as fal says it.
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "FORBIDDEN"}))["id"])
        assert done["errorMessage"] == (
            "fal.ai refused the input: prompt: fal.ai's content checker flagged it (violence); change it"
        )
        # A request that failed at fal itself, after fal's own retries: said, not retried.
        fake.fail_next(504, "Request timed out", "request_timeout")
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        assert done["errorMessage"] == (
            "fal.ai had an error (504): Request timed out (request_timeout); regenerate to try again"
        )
        assert len(fake.submissions) == 3


async def test_an_exhausted_balance_says_so(database_url, tmp_path):
    async with (
        fal_fake(exhausted_balance=True) as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"].startswith("fal.ai refused access: User is locked. Reason: Exhausted balance.")


async def test_cancelling_reaches_fal(database_url, tmp_path):
    async with (
        fal_fake(queue_ahead=30) as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        created = await queue(client, board, "fal-flux-dev", {"prompt": "a kite"})

        async def queued_at_fal() -> bool:
            return bool((await generation(client, created["id"]))["externalJobId"])

        await wait_until(queued_at_fal)
        cancelled = await client.data(
            "mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": created["id"]}
        )
        assert cancelled["cancelGeneration"]["status"] == "CANCELLED"
        request_id = fake.submissions[0].request_id

        async def reached() -> bool:
            return fake.cancels == [request_id]

        await wait_until(reached)
        assert server.requests_to("PUT", f"/fal-ai/flux/requests/{request_id}/cancel")
        assert (await generation(client, created["id"]))["status"] == "CANCELLED"


async def test_a_restart_in_the_middle_of_a_job_follows_the_same_request(database_url, tmp_path):
    data = tmp_path / "data"
    async with fal_fake() as (fake, server):
        async with app_on_fal(database_url, data, server, fake.api_key, BOARDS_SHUTDOWN_GRACE="0") as client:
            board = await new_board(client)
            created = await queue(client, board, "fal-flux-dev", {"prompt": "a kite"})
            async with ClockDriver(server):

                async def running_at_fal() -> bool:
                    return bool(fake.submissions) and fake.state_of(fake.submissions[0].request_id) == "IN_PROGRESS"

                await wait_until(running_at_fal)
        assert (await_status := fake.state_of(fake.submissions[0].request_id)) == "IN_PROGRESS", await_status
        polls_before = len(server.requests_to("GET", "*/status"))
        async with app_on_fal(database_url, data, server, fake.api_key) as client, ClockDriver(server):
            done = await wait_for(client, created["id"], timeout=30)
            assert done["status"] == "COMPLETED", done
            assert (await client.http.get(done["storageUrl"])).status_code == 200
        assert len(fake.submissions) == 1 and len(server.requests_to("POST", SUBMIT)) == 1
        assert len(server.requests_to("GET", "*/status")) > polls_before


async def test_a_result_that_expired_while_the_app_was_closed_fails_readably(database_url, tmp_path):
    data = tmp_path / "data"
    async with fal_fake() as (fake, server):
        async with app_on_fal(database_url, data, server, fake.api_key, BOARDS_SHUTDOWN_GRACE="0") as client:
            board = await new_board(client)
            created = await queue(client, board, "fal-flux-dev", {"prompt": "a kite"})

            async def at_fal() -> bool:
                return bool((await generation(client, created["id"]))["externalJobId"])

            await wait_until(at_fal)
        server.clock.advance(2 * 3600)  # closed for two hours: done at fal long ago, its file gone
        async with app_on_fal(database_url, data, server, fake.api_key) as client:
            done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "FAILED"
        assert "expired or is gone (404) before it was saved" in done["errorMessage"]
        assert len(fake.submissions) == 1


async def test_many_jobs_wait_their_turn_for_a_few_connections_to_fal(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key, BOARDS_CONCURRENCY_FAL="24") as client,
    ):
        board = await new_board(client)
        hold = server.faults.add("GET", "*/status", Fault.hold(), times=None)
        created = [await queue(client, board, "fal-flux-dev", {"prompt": f"kite {n}"}) for n in range(24)]

        async def sixteen_held() -> bool:
            return hold.hits >= 16

        await wait_until(sixteen_held)
        seen = len(server.requests)
        await asyncio.sleep(0.3)
        assert hold.hits == 16 and len(server.requests) == seen  # the others wait in the app, not at fal
        server.faults.clear()  # fal answers again
        async with ClockDriver(server):
            for job in created:
                assert (await wait_for(client, job["id"], timeout=60))["status"] == "COMPLETED"
        assert len(fake.submissions) == 24


async def test_cancelling_a_request_that_finished_or_that_fal_forgot_needs_nothing_more(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server),
    ):
        board = await new_board(client)
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", {"prompt": "a kite"}))["id"])
        generator = client.services.generators.get("fal-flux-dev")
        await generator.cancel(done["externalJobId"])  # fal answers 400 ALREADY_COMPLETED
        forgotten = done["externalJobId"].replace(fake.submissions[0].request_id, "0" * 36)
        await generator.cancel(forgotten)  # 404 NOT_FOUND
        assert fake.cancels == [fake.submissions[0].request_id, "0" * 36]
        assert [r.path.rsplit("/", 2)[1] for r in server.requests_to("PUT", "*/cancel")] == fake.cancels
