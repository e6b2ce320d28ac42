"""Helpers of the Stable Diffusion WebUI tests: the fake engine on a port, the app pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.app_harness import AppClient, running_app
from tests.fakes.harness import FakeClock, FakeServer, serve_fake
from tests.fakes.sd_webui import FakeSDWebUI
from tests.jobs.support import generation

TEXT_TO_IMAGE = "sdwebui/text-to-image"
IMAGE_TO_IMAGE = "sdwebui/image-to-image"
QUICK_CLOSE = {"BOARDS_SHUTDOWN_GRACE": "0.1"}
TEST_ENGINE = "mutation($p: String!) { testEngineConnection(provider: $p) { ok reason url checkpoints samplers } }"


@asynccontextmanager
async def webui_fake(
    fake: FakeSDWebUI | None = None, *, port: int = 0, running: bool = True, **options: Any
) -> AsyncIterator[tuple[FakeSDWebUI, FakeServer]]:
    """A fake WebUI on 127.0.0.1; its clock runs on its own unless `running=False` (then `clock.advance`)."""
    fake = fake or FakeSDWebUI(clock=FakeClock(running=running), **options)
    try:
        async with serve_fake(fake.app, clock=fake.clock, port=port) as server:
            yield fake, server
    finally:
        await fake.close()


@asynccontextmanager
async def app_on_webui(database_url: str, data_dir: Path, url: str, **environment: str) -> AsyncIterator[AppClient]:
    async with running_app(database_url, data_dir, BOARDS_SD_WEBUI_URL=url, **environment) as client:
        await client.data(TEST_ENGINE, {"p": "sdwebui"})  # its choices read, as the Settings page's test does
        yield client


async def listed(client: AppClient, name: str) -> dict[str, Any] | None:
    generators = (await client.data("{ generators { name displayName available unavailableReason inputSchema } }"))[
        "generators"
    ]
    return next((g for g in generators if g["name"] == name), None)


async def external_id_saved(client: AppClient, generation_id: str) -> bool:
    return bool((await generation(client, generation_id))["externalJobId"])


async def true(value: bool) -> bool:
    return value
