"""The real OpenAI, opt-in: `BOARDS_LIVE_TESTS=1 OPENAI_API_KEY=... ./scripts/test -m live` (costs about a cent)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from tests.app_harness import running_app
from tests.jobs.support import new_board, queue, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        os.environ.get("BOARDS_LIVE_TESTS") != "1" or not os.environ.get("OPENAI_API_KEY"),
        reason="a live test: set BOARDS_LIVE_TESTS=1 and OPENAI_API_KEY",
    ),
]


async def test_the_real_openai_makes_a_small_cheap_image(tmp_path):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(database_url, tmp_path / "data", OPENAI_API_KEY=os.environ["OPENAI_API_KEY"]) as client:
        board = await new_board(client)
        params = {"prompt": "a small red square on white", "model": "gpt-image-1-mini", "quality": "low"}
        done = await wait_for(client, (await queue(client, board, "openai-image", params))["id"], timeout=300)
        assert done["status"] == "COMPLETED", done
        image = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert image.size == (1024, 1024)
