"""Uploads read what other tools wrote into the file: the prompt, model, seed and settings become the
upload's own, searchable and shown in its details. Fixtures are written by tool_files.py in each
tool's format, on the spot."""

from __future__ import annotations

import pytest

from boards_desktop.media.perceptual_hash import distance
from tests.app_harness import AppClient
from tests.graphql.helpers import create_board
from tests.metadata import tool_files
from tests.uploads.support import upload

GENERATION = """query($id: UUID!) { generation(id: $id) { id prompt inputParams outputMetadata inputArtifacts { generationId } } }"""
SEARCH = "query($q: String!) { searchGenerations(query: $q) { id } }"

WEBUI = {
    "prompt": "a lighthouse at dusk, (oil painting:1.2)",
    "negative_prompt": "blurry, lowres",
    "steps": 28,
    "sampler": "DPM++ 2M",
    "scheduler": "Karras",
    "cfg_scale": 6.5,
    "seed": 1234567890,
    "width": 64,
    "height": 48,
    "model": "sd_xl_base_1.0",
    "model_hash": "31e35c80fc",
    "settings": {"Lora hashes": "harbour: 0123abcd, fog: 4567ef01", "Version": "v1.10.1"},
}
CASES = {
    "webui-png": (tool_files.webui_png, "Stable Diffusion WebUI", WEBUI, "lighthouse oil"),
    "webui-jpeg": (tool_files.webui_jpeg, "Stable Diffusion WebUI", WEBUI, "lighthouse sd_xl"),
    "comfyui": (
        tool_files.comfyui_png,
        "ComfyUI",
        {
            "prompt": "an ink drawing of a heron",
            "negative_prompt": "colour, photo",
            "model": "dreamshaper_8.safetensors",  # through the LoRA loader to the checkpoint
            "seed": 8566257,
            "steps": 20,
            "cfg_scale": 8.0,
            "sampler": "euler",
            "scheduler": "normal",
            "denoise": 1.0,
            "width": 512,
            "height": 768,
        },
        "heron dreamshaper",
    ),
    "invokeai": (
        tool_files.invokeai_png,
        "InvokeAI",
        {
            "prompt": "a glass greenhouse full of ferns",
            "negative_prompt": "people",
            "model": "Juggernaut XL v9",
            "seed": 3141592,
            "steps": 30,
            "cfg_scale": 7.5,
            "scheduler": "dpmpp_2m_k",
            "width": 64,
            "height": 48,
            "generation_mode": "txt2img",
        },
        "greenhouse juggernaut",
    ),
    "fooocus-png": (
        tool_files.fooocus_png,
        "Fooocus",
        {
            "prompt": "a red fox in snow",
            "model": "juggernautXL_v8Rundiffusion",
            "seed": 271828,
            "steps": 30,
            "cfg_scale": 4.0,
            "sampler": "dpmpp_2m_sde_gpu",
            "scheduler": "karras",
            "performance": "Speed",
            "styles": "['Fooocus V2', 'Fooocus Enhance']",
            "width": 1152,
            "height": 896,
        },
        "fox snow",
    ),
}
CASES["fooocus-jpeg"] = (tool_files.fooocus_jpeg, *CASES["fooocus-png"][1:])


@pytest.mark.parametrize("case", list(CASES))
async def test_an_uploads_prompt_and_settings_come_from_the_tool_that_made_it(client: AppClient, case: str) -> None:
    make, tool, expected, words = CASES[case]
    board = await create_board(client, "Imports")
    response = await upload(client, board, make(), filename=f"{case}.img", mime="application/octet-stream")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metadataFrom"] == tool and body["linkedTo"] == []

    generation = (await client.data(GENERATION, {"id": body["id"]}))["generation"]
    assert generation["inputParams"] == {"source": "upload", **expected}
    assert generation["prompt"] == expected["prompt"]  # what the grid and the viewer show
    assert generation["outputMetadata"]["metadata_from"] == tool
    assert generation["outputMetadata"].get("comfyui_workflow", False) == (tool == "ComfyUI")
    found = (await client.data(SEARCH, {"q": words}))["searchGenerations"]
    assert [row["id"] for row in found] == [body["id"]]


async def test_a_file_with_nothing_readable_is_an_upload_like_any_other(client: AppClient) -> None:
    board = await create_board(client, "Plain")
    broken = tool_files.png_with_texts(
        {"parameters": "just a caption", "invokeai_metadata": "{not json", "prompt": "[1,"}
    )
    body = (await upload(client, board, broken, filename="odd.png")).json()
    generation = (await client.data(GENERATION, {"id": body["id"]}))["generation"]
    # A caption with no settings line is the WebUI's prompt alone; broken JSON is ignored.
    assert generation["inputParams"] == {"source": "upload", "prompt": "just a caption"}


def _drawing(size: tuple[int, int], fmt: str, flip: bool = False) -> bytes:
    import io

    from PIL import Image, ImageDraw

    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.1, height * 0.2, width * 0.5, height * 0.8), fill="#d62828")
    draw.rectangle((width * 0.6, height * 0.1, width * 0.9, height * 0.5), fill="#003049")
    if flip:
        image = image.transpose(Image.Transpose.ROTATE_180)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


async def test_the_perceptual_hash_is_close_for_the_same_picture_and_far_for_another(client: AppClient) -> None:
    board = await create_board(client, "Hashes")
    hashes = []
    for data in (_drawing((300, 200), "PNG"), _drawing((600, 400), "JPEG"), _drawing((300, 200), "PNG", flip=True)):
        body = (await upload(client, board, data, filename="picture")).json()
        generation = (await client.data(GENERATION, {"id": body["id"]}))["generation"]
        hashes.append(generation["outputMetadata"]["dhash"])
    same, resized_jpeg, other = hashes
    assert distance(same, resized_jpeg) <= 6  # re-encoded and twice the size: nearly every bit agrees
    assert distance(same, other) >= 10  # the picture turned over: many bits differ
