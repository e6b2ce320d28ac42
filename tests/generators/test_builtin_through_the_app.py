"""The built-in generators through the real app: queued over GraphQL, run by the job queue, their
results fetched over HTTP and opened as images, chained into one another with lineage recorded."""

from __future__ import annotations

import io

from PIL import Image

from tests.conftest import ENGINES_AND_BACKENDS
from tests.generators.support import count_pixels_near, nearest_frame_color, png_bytes, write_color_video
from tests.jobs.support import board_statuses, new_board, queue, try_queue, wait_for
from tests.uploads.support import upload


async def _completed_image(client, board: str, generator: str, params: dict) -> tuple[dict, Image.Image]:
    created = await queue(client, board, generator, params)
    done = await wait_for(client, created["id"])
    assert done["status"] == "COMPLETED", done
    response = await client.http.get(done["storageUrl"])
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return done, image


async def test_the_generators_query_lists_the_built_in_tools_with_their_forms(client):
    data = await client.data('{ generators(artifactType: "image") { name provider available inputSchema } }')
    listed = {item["name"]: item for item in data["generators"]}
    for name in (
        "local-title-card",
        "local-image-resize",
        "local-image-adjust",
        "local-contact-sheet",
        "local-video-frame",
    ):
        assert listed[name]["provider"] == "local" and listed[name]["available"], listed.get(name)
    assert listed["local-contact-sheet"]["inputSchema"]["properties"]["images"]["items"] == {
        "$ref": "#/$defs/ImageArtifact"
    }


@ENGINES_AND_BACKENDS
async def test_a_title_card_is_made_then_resized_with_its_lineage(client):
    board = await new_board(client)
    card, image = await _completed_image(
        client,
        board,
        "local-title-card",
        {
            "prompt": "Storyboard — Scene 4",
            "width": 640,
            "height": 360,
            "background_color": "#000000",
            "text_color": "#ffcc00",
        },
    )
    assert image.size == (640, 360)
    assert count_pixels_near(image, (255, 204, 0), tolerance=2) > 1000
    assert card["thumbnailUrl"] and card["inputArtifacts"] == []

    resized, smaller = await _completed_image(
        client, board, "local-image-resize", {"image": card["id"], "mode": "width", "size": 320}
    )
    assert smaller.size == (320, 180)
    assert resized["inputArtifacts"] == [{"generationId": card["id"], "role": "image", "artifactType": "IMAGE"}]
    # With media in a bucket the input was fetched for the job, and the copy went when the job ended.
    assert not list((client.services.media.root / ".tmp").glob("*"))


async def test_an_uploaded_image_is_adjusted_and_laid_out_on_a_contact_sheet(client):
    board = await new_board(client)
    source = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    source.paste((200, 100, 50, 255), (0, 0, 100, 100))
    uploaded = await upload(client, board, png_bytes(source), filename="half.png", mime="image/png")
    assert uploaded.status_code in (200, 201), uploaded.text
    upload_id = uploaded.json()["id"]

    adjusted, turned = await _completed_image(
        client, board, "local-image-adjust", {"image": upload_id, "rotate": 90, "grayscale": True}
    )
    assert turned.size == (100, 200) and turned.mode == "LA"
    assert turned.getpixel((50, 20))[1] == 255 and turned.getpixel((50, 180))[1] == 0  # alpha kept, turned clockwise

    sheet, grid = await _completed_image(
        client,
        board,
        "local-contact-sheet",
        {
            "images": [upload_id, adjusted["id"]],
            "columns": 2,
            "cell_width": 100,
            "cell_height": 100,
            "gap": 10,
            "background_color": "#0000ff",
        },
    )
    assert grid.size == (2 * 100 + 3 * 10, 100 + 2 * 10)
    assert grid.convert("RGB").getpixel((5, 5)) == (0, 0, 255)
    assert {(item["generationId"], item["role"]) for item in sheet["inputArtifacts"]} == {
        (upload_id, "images"),
        (adjusted["id"], "images"),
    }


async def test_a_frame_is_taken_from_an_uploaded_video(client, tmp_path):
    board = await new_board(client)
    video = write_color_video(tmp_path / "colors.mp4")  # 12 frames at 4 fps: 3.0 s
    uploaded = await upload(
        client, board, video.read_bytes(), filename="colors.mp4", artifact_type="video", mime="video/mp4"
    )
    assert uploaded.status_code in (200, 201), uploaded.text
    video_id = uploaded.json()["id"]

    frame, image = await _completed_image(client, board, "local-video-frame", {"video": video_id, "second": 1.3})
    assert image.size == (64, 48) and nearest_frame_color(image) == 5
    assert frame["inputArtifacts"] == [{"generationId": video_id, "role": "video", "artifactType": "VIDEO"}]

    # The upload's probed length lets a second past the end be refused before anything is queued.
    before = await board_statuses(client, board)
    late = await try_queue(client, board, "local-video-frame", {"video": video_id, "second": 7})
    assert "the video is 3.0 s long; pick a second between 0 and 3.0" in late["errors"][0]["message"]
    assert late["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(await board_statuses(client, board)) == len(before)


async def test_a_card_whose_text_cannot_fit_fails_with_a_message_the_artist_can_act_on(client):
    board = await new_board(client)
    created = await queue(
        client, board, "local-title-card", {"prompt": "word " * 400, "width": 64, "height": 64, "padding": 0}
    )
    failed = await wait_for(client, created["id"])
    assert failed["status"] == "FAILED" and failed["storageUrl"] is None
    assert failed["errorMessage"] == (
        "the text does not fit a 64x64 card even at 8 px; make the card larger, the padding smaller or the text shorter"
    )


async def test_text_the_font_cannot_draw_is_refused_before_anything_is_queued(client):
    board = await new_board(client)
    refused = await try_queue(client, board, "local-title-card", {"prompt": "夜 market"})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cannot draw '夜' (U+591C)" in refused["errors"][0]["message"]
    assert await board_statuses(client, board) == []
