"""fal.ai's other curated models through the app: an edit of your image, videos and speech, probed and served."""

from __future__ import annotations

import base64
import io
import os

import pytest
from PIL import Image

from tests.jobs.support import new_board, queue, wait_for
from tests.providers.support import ClockDriver, app_on_fal, fal_fake, png, upload_image

METADATA = "query($id: UUID!) { generation(id: $id) { status artifactType outputMetadata storageUrl thumbnailUrl } }"


def _sent_image(submission, field: str = "image_url") -> Image.Image:
    url = submission.arguments[field]
    header, _, payload = url.partition(",")
    assert header == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(payload)))


async def test_an_image_edited_with_kontext_goes_to_fal_inline_and_keeps_its_shape(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server),
    ):
        board = await new_board(client)
        image = await upload_image(client, board, png(400, 200))
        created = await queue(client, board, "fal-flux-kontext", {"prompt": "make it night", "image": image})
        done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        submission = fake.submissions[0]
        assert submission.endpoint_id == "fal-ai/flux-pro/kontext"
        assert _sent_image(submission).size == (400, 200)
        assert {key: submission.arguments[key] for key in ("safety_tolerance", "guidance_scale", "num_images")} == {
            "safety_tolerance": "2", "guidance_scale": 3.5, "num_images": 1,
        }  # fmt: skip
        assert "aspect_ratio" not in submission.arguments  # unset: fal keeps the image's shape
        assert [(a["role"], a["generationId"]) for a in done["inputArtifacts"]] == [("image", image)]
        result = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert result.width / result.height == pytest.approx(2, rel=0.05)


async def test_a_video_from_words_and_one_from_an_image_are_probed_and_served(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server, step=2.0),
    ):
        board = await new_board(client)
        words = await queue(
            client, board, "fal-kling-text-to-video", {"prompt": "a kite over the sea", "duration": "10"}, "VIDEO"
        )
        start, end = await upload_image(client, board, png(320, 180)), await upload_image(client, board, png(320, 180))
        animated = await queue(
            client, board, "fal-kling-image-to-video", {"prompt": "it flies", "image": start, "end_image": end}, "VIDEO"
        )
        for created, seconds in ((words, 10), (animated, 5)):
            done = await wait_for(client, created["id"], timeout=60)
            assert done["status"] == "COMPLETED", done
            facts = (await client.data(METADATA, {"id": created["id"]}))["generation"]
            assert facts["artifactType"] == "VIDEO"
            metadata = facts["outputMetadata"]
            assert metadata["duration"] == pytest.approx(seconds, abs=0.3) and metadata["width"] == 320
            assert metadata["format"] == "mp4" and metadata["fps"] == pytest.approx(8)
            served = await client.http.get(facts["storageUrl"], headers={"Range": "bytes=0-99"})
            assert served.status_code == 206 and served.headers["content-type"] == "video/mp4"
            assert (await client.http.get(facts["thumbnailUrl"])).headers["content-type"] == "image/webp"
        by_endpoint = {s.endpoint_id: s.arguments for s in fake.submissions}
        assert by_endpoint["fal-ai/kling-video/v2.5-turbo/pro/text-to-video"] == {
            "prompt": "a kite over the sea", "duration": "10", "negative_prompt": "blur, distort, and low quality",
            "cfg_scale": 0.5, "aspect_ratio": "16:9",
        }  # fmt: skip
        sent = by_endpoint["fal-ai/kling-video/v2.5-turbo/pro/image-to-video"]
        assert sent["image_url"].startswith("data:image/png;base64,") and sent["tail_image_url"].startswith("data:")


async def test_speech_is_probed_and_served(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
        ClockDriver(server),
    ):
        board = await new_board(client)
        words = "The future belongs to those who believe in the beauty of their dreams."  # 70 characters
        created = await queue(client, board, "fal-kokoro-speech", {"prompt": words, "voice": "am_adam"}, "AUDIO")
        done = await wait_for(client, created["id"], timeout=30)
        assert done["status"] == "COMPLETED", done
        facts = (await client.data(METADATA, {"id": created["id"]}))["generation"]
        metadata = facts["outputMetadata"]
        assert facts["artifactType"] == "AUDIO" and metadata["format"] == "wav"
        assert metadata["sample_rate"] == 24000 and metadata["channels"] == 1
        assert metadata["duration"] == pytest.approx(len(words) / 15, abs=0.2)
        served = await client.http.get(facts["storageUrl"])
        assert served.status_code == 200 and served.headers["content-type"].startswith("audio/")
        assert fake.submissions[0].arguments == {"prompt": words, "voice": "am_adam", "speed": 1.0}


async def test_an_input_too_large_to_send_inline_is_refused_before_it_is_paid_for(database_url, tmp_path):
    async with (
        fal_fake() as (fake, server),
        app_on_fal(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        board = await new_board(client)
        noise = Image.frombytes("RGB", (2000, 2000), os.urandom(2000 * 2000 * 3))  # PNG cannot shrink noise
        buffer = io.BytesIO()
        noise.save(buffer, "PNG", compress_level=0)
        big = await upload_image(client, board, buffer.getvalue())
        done = await wait_for(
            client, (await queue(client, board, "fal-flux-kontext", {"prompt": "x", "image": big}))["id"]
        )
        assert done["status"] == "FAILED"
        assert done["errorMessage"].startswith(
            "an input file is 11.4 MB; the app sends files to fal.ai inline, up to 10 MB"
        )
        assert "make it smaller first" in done["errorMessage"]
        assert fake.submissions == [] and server.requests_to("POST", "*") == []
