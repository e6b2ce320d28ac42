"""A real ComfyUI, opt-in: `BOARDS_LIVE_TESTS=1 BOARDS_COMFYUI_URL=http://127.0.0.1:8188 ./scripts/test -m live`.

Skipped unless that ComfyUI answers. It makes one small image with the first checkpoint ComfyUI has.
"""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image

from tests.app_harness import running_app
from tests.jobs.support import new_board, queue, wait_for

URL = os.environ.get("BOARDS_COMFYUI_URL", "")


def _answers() -> bool:
    if os.environ.get("BOARDS_LIVE_TESTS") != "1" or not URL:
        return False
    try:
        return httpx.get(f"{URL.rstrip('/')}/system_stats", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not _answers(), reason="a live test: set BOARDS_LIVE_TESTS=1 and a BOARDS_COMFYUI_URL that answers"
    ),
]


async def test_a_real_comfyui_makes_a_small_image(tmp_path):
    async with httpx.AsyncClient(timeout=30.0) as http:
        info = (await http.get(f"{URL.rstrip('/')}/object_info/CheckpointLoaderSimple")).json()
    choices = info.get("CheckpointLoaderSimple", {}).get("input", {}).get("required", {}).get("ckpt_name", [[]])[0]
    if isinstance(choices, str):  # the newer combo form: ["COMBO", {"options": [...]}]
        choices = info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][1].get("options", [])
    if not choices:
        pytest.skip("this ComfyUI has no checkpoint in models/checkpoints")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(database_url, tmp_path / "data", BOARDS_COMFYUI_URL=URL) as client:
        board = await new_board(client)
        params = {
            "prompt": "a small red square on white",
            "steps": 4,
            "width": 256,
            "height": 256,
            "checkpoint": choices[0],
        }
        done = await wait_for(client, (await queue(client, board, "comfyui/text-to-image", params))["id"], timeout=900)
        assert done["status"] == "COMPLETED", done
        image = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert image.size == (256, 256)
