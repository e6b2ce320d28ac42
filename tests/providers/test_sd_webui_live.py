"""A real Stable Diffusion WebUI, opt-in: `BOARDS_LIVE_TESTS=1 BOARDS_SD_WEBUI_URL=http://127.0.0.1:7860 ./scripts/test -m live`.

Skipped unless that WebUI answers with its API on (`--api`). It makes one small image with the
WebUI's first checkpoint, and checks the seed it used is kept.
"""

from __future__ import annotations

import io
import os

import httpx
import pytest
from PIL import Image

from tests.app_harness import running_app
from tests.jobs.support import new_board, queue, wait_for

URL = os.environ.get("BOARDS_SD_WEBUI_URL", "")


def _answers() -> bool:
    if os.environ.get("BOARDS_LIVE_TESTS") != "1" or not URL:
        return False
    try:
        return httpx.get(f"{URL.rstrip('/')}/sdapi/v1/sd-models", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not _answers(), reason="a live test: set BOARDS_LIVE_TESTS=1 and a BOARDS_SD_WEBUI_URL that answers (--api)"
    ),
]


async def test_a_real_webui_makes_a_small_image_and_its_seed_is_kept(tmp_path):
    async with httpx.AsyncClient(timeout=30.0) as http:
        models = (await http.get(f"{URL.rstrip('/')}/sdapi/v1/sd-models")).json()
    if not models:
        pytest.skip("this WebUI has no checkpoint")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(database_url, tmp_path / "data", BOARDS_SD_WEBUI_URL=URL) as client:
        await client.data('mutation { testEngineConnection(provider: "sdwebui") { ok } }')
        board = await new_board(client)
        params = {"prompt": "a small red square on white", "steps": 4, "width": 256, "height": 256}
        params["checkpoint"] = models[0]["title"]
        done = await wait_for(client, (await queue(client, board, "sdwebui/text-to-image", params))["id"], timeout=900)
        assert done["status"] == "COMPLETED", done
        image = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert image.size == (256, 256)
        assert isinstance(done["outputMetadata"]["parameters"]["seed"], int)
