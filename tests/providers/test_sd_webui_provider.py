"""The WebUI provider on its own against the fake WebUI: what each answer of the engine becomes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.providers.sd_webui import SDWebUIProvider
from tests.fakes.harness import Fault
from tests.providers.sd_webui_support import webui_fake


async def _statuses(provider: SDWebUIProvider, payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [status async for status in provider.run("txt2img", payload)]


async def test_an_engine_without_task_routes_is_followed_by_its_progress_alone():
    async with (
        webui_fake(task_routes=False, step_seconds=0.1, running=True) as (_fake, server),
        httpx.AsyncClient() as http,
    ):
        provider = SDWebUIProvider(http=http, base_url=server.url)
        assert await provider.refresh_choices() is None
        statuses = await _statuses(provider, {"prompt": "a kite", "steps": 8, "seed": 5, "batch_size": 1})
        messages = [status.get("message") or "" for status in statuses]
        assert any(message.startswith("step ") and message.endswith(" of 8") for message in messages)
        assert any(status.get("preview") for status in statuses)
        done = statuses[-1]
        assert done["status"] == "completed" and len(done["output"]["images"]) == 1
        assert done["output"]["info"]["all_seeds"] == [5]
        assert (await provider.task_state("task(anything)")).known is None


async def test_what_the_webui_refuses_or_fails_on_is_said_in_the_artists_words():
    async with webui_fake(step_seconds=0.0) as (fake, server), httpx.AsyncClient() as http:
        provider = SDWebUIProvider(http=http, base_url=server.url)
        await provider.refresh_choices()
        with pytest.raises(GeneratorError) as refused:
            await _statuses(provider, {"prompt": "x", "sampler_name": "Heun++ 9"})
        assert str(refused.value) == "the WebUI refused the request: Sampler not found"

        fake.failure = ("OutOfMemoryError", "CUDA out of memory. Tried to allocate 2.00 GiB")
        with pytest.raises(GeneratorError) as failed:
            await _statuses(provider, {"prompt": "x", "width": 2048, "height": 2048})
        assert str(failed.value) == (
            "the WebUI ran out of memory: CUDA out of memory. Tried to allocate 2.00 GiB; try a smaller size or "
            "fewer images, or close other programs that use the graphics card"
        )

        with pytest.raises(GeneratorError) as wrong:
            await _statuses(provider, {"prompt": "x", "steps": "many"})
        assert str(wrong.value) == "the WebUI refused the request: steps: value is not a valid integer"

        fake.api_enabled = False
        with pytest.raises(GeneratorError) as off:
            await _statuses(provider, {"prompt": "x"})
        assert str(off.value).startswith(f"the WebUI at {server.url} answers, but its API is off: start it with --api")


async def test_something_else_at_the_address_is_not_taken_for_the_webui():
    async with webui_fake() as (_fake, server), httpx.AsyncClient() as http:
        server.faults.add("GET", "/sdapi/v1/sd-models", _not_found(), times=None)
        server.faults.add("GET", "/", _not_found(), times=None)
        provider = SDWebUIProvider(http=http, base_url=server.url)
        assert await provider.refresh_choices() == (
            f"something answers at {server.url}, but it is not the Stable Diffusion WebUI: check its address in Settings"
        )


def _not_found() -> Fault:
    return Fault.status(404, {"detail": "Not Found"})
