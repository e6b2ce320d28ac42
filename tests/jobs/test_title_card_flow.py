"""The engine's whole path with a real built-in generator: queued, watched live, stored, served, built on."""

from __future__ import annotations

import io

from PIL import Image

from tests.app_harness import running_app
from tests.jobs.support import generation, new_board, queue, sse_events, wait_for

ORDER = ["pending", "processing", "completed"]


async def test_a_title_card_is_watched_to_completion_served_and_resized_with_its_lineage(database_url, tmp_path):
    # One local slot, taken by a big card first: the card we watch is still pending when its stream opens.
    async with running_app(database_url, tmp_path / "data", BOARDS_CONCURRENCY_LOCAL="1") as client:
        board = await new_board(client, "Titles")
        await queue(client, board, "local-title-card", {"prompt": "First", "width": 4096, "height": 4096})
        card = await queue(client, board, "local-title-card", {"prompt": "Hello", "width": 800, "height": 400})
        assert card["status"] == "PENDING"
        events = await sse_events(client, f"/api/sse/generations/{card['id']}/progress", timeout=60)

        statuses = [event["status"] for event in events]
        assert statuses[0] == "pending" and statuses[-1] == "completed"
        assert statuses == sorted(statuses, key=ORDER.index)  # never backwards
        assert "processing" in statuses
        progress = [event["progress"] for event in events]
        assert progress == sorted(progress) and progress[-1] == 1.0
        assert [e["phase"] for e in events if e["status"] == "pending"] == ["queued"]
        stamps = [event["timestamp"] for event in events]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # each event stamped when it happened

        done = await generation(client, card["id"])
        assert done["progress"] == 100 and done["outputMetadata"]["width"] == 800
        image = await client.http.get(done["storageUrl"])
        assert image.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(image.content)).size == (800, 400)
        thumbnail = await client.http.get(done["thumbnailUrl"])
        assert thumbnail.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(thumbnail.content)).size == (512, 256)

        resized = await queue(
            client, board, "local-image-resize", {"image": card["id"], "mode": "longest_side", "size": 200}
        )
        resized = await wait_for(client, resized["id"], timeout=60)
        assert resized["status"] == "COMPLETED", resized
        assert resized["inputArtifacts"] == [{"generationId": card["id"], "role": "image", "artifactType": "IMAGE"}]
        small = await client.http.get(resized["storageUrl"])
        assert Image.open(io.BytesIO(small.content)).size == (200, 100)

        lineage = await client.data(
            """query($child: UUID!, $parent: UUID!) {
                 child: generation(id: $child) { ancestry { parents { depth role generation { id generatorName } } } }
                 parent: generation(id: $parent) { descendants { children { depth role generation { id } } } } }""",
            {"child": resized["id"], "parent": card["id"]},
        )
        assert lineage["child"]["ancestry"]["parents"] == [
            {"depth": 1, "role": "image", "generation": {"id": card["id"], "generatorName": "local-title-card"}}
        ]
        assert lineage["parent"]["descendants"]["children"] == [
            {"depth": 1, "role": "image", "generation": {"id": resized["id"]}}
        ]
