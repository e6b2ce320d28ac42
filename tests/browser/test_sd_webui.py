"""The Stable Diffusion WebUI as an artist meets it: tested from Settings, its live preview on the running tile.

The fake WebUI runs in a thread of its own (its own event loop), on 127.0.0.1, with its clock
stopped: the test moves the job's steps on.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.browser.conftest import Installation, started_installation
from tests.fakes.harness import FakeServer
from tests.fakes.sd_webui import FakeSDWebUI
from tests.providers.sd_webui_support import webui_fake

SETTINGS = "[data-testid=settings][data-state=ready]"
WEBUI_ROW = ".engine-row[data-engine=sdwebui]"


@contextmanager
def webui_in_a_thread(**options: Any) -> Iterator[tuple[FakeSDWebUI, FakeServer]]:
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def serve() -> None:
        found["stop"] = asyncio.Event()
        async with webui_fake(running=False, **options) as (fake, server):
            found.update(fake=fake, server=server)
            ready.set()
            await found["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(15), "the fake WebUI did not start"
    try:
        yield found["fake"], found["server"]
    finally:
        loop.call_soon_threadsafe(found["stop"].set)
        thread.join(15)
        loop.close()


@pytest.fixture(scope="module")
def webui() -> Iterator[tuple[FakeSDWebUI, FakeServer]]:
    with webui_in_a_thread() as running:
        yield running


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory, webui) -> Iterator[Installation]:
    _, server = webui
    with started_installation(tmp_path_factory.mktemp("webui-app"), BOARDS_SD_WEBUI_URL=server.url) as started:
        yield started


def test_test_connection_says_what_the_webui_offers_or_why_not(page, webui) -> None:
    fake, server = webui
    page.goto(page.url.split("#")[0] + "#/settings")
    page.locator(SETTINGS).wait_for()
    assert page.locator("[data-testid=sdwebui-url]").input_value() == server.url
    result = page.locator(f"{WEBUI_ROW} [data-testid=engine-test-result]")
    page.locator(f"{WEBUI_ROW} [data-testid=engine-test]").click()
    page.locator(f"{WEBUI_ROW} [data-testid=engine-test-result][data-state=ok]").wait_for()
    assert (
        result.inner_text()
        == f"Stable Diffusion WebUI answers at {server.url}. It offers 2 checkpoints and 4 samplers."
    )

    fake.api_enabled = False  # started again without --api
    try:
        page.locator(f"{WEBUI_ROW} [data-testid=engine-test]").click()
        page.locator(f"{WEBUI_ROW} [data-testid=engine-test-result][data-state=failed]").wait_for()
        assert result.inner_text().startswith(
            f"The WebUI at {server.url} answers, but its API is off: start it with --api"
        )
    finally:
        fake.api_enabled = True
        page.locator(f"{WEBUI_ROW} [data-testid=engine-test]").click()
        page.locator(f"{WEBUI_ROW} [data-testid=engine-test-result][data-state=ok]").wait_for()


def test_the_running_tile_shows_the_webuis_live_preview_then_the_image(page, api, installation, webui) -> None:
    fake, _ = webui
    board = api.create_board("WebUI")
    api.gql('mutation { testEngineConnection(provider: "sdwebui") { ok } }')
    job = api.generate(board, "sdwebui/text-to-image", "IMAGE", {"prompt": "a red kite", "steps": 10})
    page.goto(f"{installation.url}/#/boards/{board}")
    tile = f'[data-testid=grid] .tile[data-generation-id="{job}"]'
    page.locator(f"{tile}[data-status=processing]").wait_for()
    for _ in range(400):  # the job reaches the WebUI (its clock stands still until then)
        if fake.running_id is not None:
            break
        page.wait_for_timeout(25)
    fake.clock.advance(0.045)  # 4 of 10 steps
    page.locator(f"{tile}[data-live-preview=true][data-loaded=true]").wait_for()
    assert page.locator(f"{tile} img").get_attribute("src").startswith("data:image/jpeg;base64,")
    page.wait_for_function(
        "sel => /step \\d+ of 10/.test(document.querySelector(sel + ' [data-testid=tile-message]').textContent)",
        arg=tile,
    )
    fake.clock.advance(60)
    page.locator(f"{tile}[data-status=completed][data-loaded=true]").wait_for()
    assert page.locator(f"{tile}[data-live-preview]").count() == 0
    assert not page.locator(f"{tile} img").get_attribute("src").startswith("data:")
