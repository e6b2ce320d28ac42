"""The real Replicate, opt-in: `BOARDS_LIVE_TESTS=1 REPLICATE_API_TOKEN=... ./scripts/test -m live` (about a cent).

One FLUX schnell image at 0.25 megapixels ($0.003), and the input schema of a public model read by
name (free).
"""

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
        os.environ.get("BOARDS_LIVE_TESTS") != "1" or not os.environ.get("REPLICATE_API_TOKEN"),
        reason="a live test: set BOARDS_LIVE_TESTS=1 and REPLICATE_API_TOKEN",
    ),
]


async def test_the_real_replicate_makes_a_small_flux_image_and_describes_a_model(tmp_path):
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    token = os.environ["REPLICATE_API_TOKEN"]
    async with running_app(database_url, tmp_path / "data", REPLICATE_API_TOKEN=token) as client:
        board = await new_board(client)
        params = {"prompt": "a small red square on white", "megapixels": "0.25", "output_format": "png"}
        done = await wait_for(client, (await queue(client, board, "replicate-flux-schnell", params))["id"], timeout=300)
        assert done["status"] == "COMPLETED", done
        assert done["externalJobId"]
        image = Image.open(io.BytesIO((await client.http.get(done["storageUrl"])).content))
        assert image.format == "PNG" and 400 <= image.width <= 600

        added = await client.data(
            'mutation { addModelGenerator(provider: "replicate", model: "black-forest-labs/flux-schnell") '
            "{ name artifactType inputSchema } }"
        )
        generator = added["addModelGenerator"]
        assert (generator["name"], generator["artifactType"]) == ("replicate/black-forest-labs/flux-schnell", "IMAGE")
        assert "prompt" in generator["inputSchema"]["properties"]
