"""fal.ai through the real app: GraphQL in, SSE out, media served, against the fal fake on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io

from PIL import Image

from tests.jobs.support import board_statuses, new_board, queue, sse_events, wait_for
from tests.providers.support import ClockDriver, app_on_fal, fal_fake

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
