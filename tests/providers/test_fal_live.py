"""The real fal.ai, opt-in: `BOARDS_LIVE_TESTS=1 FAL_KEY=... ./scripts/test -m live` (costs about three cents)."""

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
        os.environ.get("BOARDS_LIVE_TESTS") != "1" or not os.environ.get("FAL_KEY"),
        reason="a live test: set BOARDS_LIVE_TESTS=1 and FAL_KEY",
    ),
]
ADD = 'mutation($m: String!) { addModelGenerator(provider: "fal", model: $m) { name artifactType inputSchema } }'


async def test_the_real_fal_makes_a_small_image_and_describes_an_endpoint_by_id(tmp_path):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(database_url, tmp_path / "data", FAL_KEY=os.environ["FAL_KEY"]) as client:
        board = await new_board(client)
        params = {"prompt": "a small red square on white", "image_size": "square", "num_inference_steps": 8}
        done = await wait_for(client, (await queue(client, board, "fal-flux-dev", params))["id"], timeout=300)
        assert done["status"] == "COMPLETED", done
        image = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert image.size == (512, 512)
        assert done["externalJobId"]  # the request id and its URLs, kept for a restart

        # Reading an endpoint's OpenAPI document costs nothing: fal's own description of FLUX.1 [schnell].
        added = (await client.data(ADD, {"m": "fal-ai/flux/schnell"}))["addModelGenerator"]
        assert added["name"] == "fal/fal-ai/flux/schnell" and added["artifactType"] == "IMAGE"
        assert "prompt" in added["inputSchema"]["properties"]
