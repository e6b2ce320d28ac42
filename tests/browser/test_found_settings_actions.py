"""What an uploaded picture's own metadata offers in the viewer: a ComfyUI picture's workflow added as a generator in
one click, and a WebUI picture's settings put into the WebUI's form, with what this WebUI lacks said.

The fake ComfyUI and the fake WebUI run in threads of their own (their own event loops), on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Any

import pytest

from tests.browser.conftest import Installation, started_installation
from tests.browser.test_composer import choose, field, shot
from tests.browser.test_viewer import open_viewer
from tests.metadata import tool_files
from tests.metadata.test_comfy_workflow_from_upload import GRAPH
from tests.providers.comfyui_support import comfyui_fake
from tests.providers.sd_webui_support import webui_fake


@contextmanager
def in_a_thread(serving: Callable[[], AbstractAsyncContextManager[Any]]) -> Iterator[Any]:
    """Run a fake's `async with` in a thread with its own loop; yields what it yields."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    found: dict[str, Any] = {}

    async def serve() -> None:
        found["stop"] = asyncio.Event()
        async with serving() as running:
            found["running"] = running
            ready.set()
            await found["stop"].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(15), "the fake did not start"
    try:
        yield found["running"]
    finally:
        loop.call_soon_threadsafe(found["stop"].set)
        thread.join(15)
        loop.close()


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    with in_a_thread(comfyui_fake) as (_, comfyui), in_a_thread(webui_fake) as (_, webui):
        folder = tmp_path_factory.mktemp("found-settings-app")
        environment = {"BOARDS_COMFYUI_URL": comfyui.url, "BOARDS_SD_WEBUI_URL": webui.url}
        with started_installation(folder, **environment) as started:
            started.api.gql('mutation { testEngineConnection(provider: "sdwebui") { ok } }')  # its choices read
            yield started


def test_a_comfyui_picture_is_added_as_a_workflow_and_opened_in_the_composer(page, installation) -> None:
    api = installation.api
    board = api.create_board("Found: ComfyUI")
    boat = api.upload(board, "paper-boat.png", tool_files.png_with_texts({"prompt": json.dumps(GRAPH)}), "image/png")
    editor_only = api.upload(
        board,
        "sketch.png",
        tool_files.png_with_texts({"workflow": json.dumps(tool_files.COMFYUI_WORKFLOW)}),
        "image/png",
    )
    viewer = open_viewer(page, installation, board, [boat["id"], editor_only["id"]])
    shot(page, "viewer-comfyui-upload")
    viewer.locator("[data-testid=viewer-add-comfy-workflow]").click()
    dialog = page.locator("[data-testid=form-dialog]")
    name = dialog.locator("input[name=name]")
    assert name.input_value() == "paper boat"  # from the file's name
    name.fill("Paper boat")
    name.press("Enter")
    toast = page.locator("[data-testid=toasts] .toast", has_text="Added “Paper boat” as a ComfyUI workflow")
    toast.wait_for()
    assert "(comfyui/paper-boat)" in toast.inner_text()

    toast.get_by_role("button", name="Open in composer").click()
    page.locator("[data-testid=composer-form][data-generator='comfyui/paper-boat']").wait_for()
    assert field(page, "prompt").locator("textarea").input_value() == "a paper boat on a pond"
    assert field(page, "steps").locator("input[type=number]").input_value() == "6"
    # And it is in the picker, under its name.
    choose(page, "local-title-card")
    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-search]").fill("paper boat")
    picked = page.locator("[data-testid=generator-list] [data-generator='comfyui/paper-boat']")
    assert "Paper boat" in picked.inner_text()
    page.keyboard.press("Escape")

    # The same name again is refused, and so is a picture with only the editor's workflow.
    open_viewer(page, installation, board, [boat["id"], editor_only["id"]])
    page.locator("[data-testid=viewer-add-comfy-workflow]").click()
    page.locator("[data-testid=form-dialog] input[name=name]").fill("Paper boat")
    page.locator("[data-testid=form-dialog] input[name=name]").press("Enter")
    page.locator("[data-testid=toasts] .toast", has_text="exists already (comfyui/paper-boat)").wait_for()
    page.keyboard.press("ArrowRight")
    page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{editor_only['id']}']").wait_for()
    page.locator("[data-testid=viewer-add-comfy-workflow]").click()
    page.locator("[data-testid=form-dialog] input[name=name]").press("Enter")
    page.locator("[data-testid=toasts] .toast", has_text="only ComfyUI's editor workflow").wait_for()


def test_webui_settings_fill_the_webui_form_and_an_unknown_sampler_is_named(page, installation) -> None:
    api = installation.api
    board = api.create_board("Found: WebUI")
    parameters = tool_files.WEBUI_PARAMETERS.replace("DPM++ 2M", "Restart").replace("Size: 64x48", "Size: 640x448")
    found = api.upload(board, "lighthouse.png", tool_files.png_with_texts({"parameters": parameters}), "image/png")
    viewer = open_viewer(page, installation, board, [found["id"]])
    viewer.locator("[data-testid=viewer-use-settings]").click()
    page.locator("[data-testid=composer-form][data-generator='sdwebui/text-to-image']").wait_for()
    assert field(page, "prompt").locator("textarea").input_value() == "a lighthouse at dusk, (oil painting:1.2)"
    assert field(page, "negative_prompt").locator("textarea").input_value() == "blurry, lowres"
    assert field(page, "steps").locator("input[type=number]").input_value() == "28"
    assert field(page, "cfg_scale").locator("input[type=number]").input_value() == "6.5"
    assert field(page, "width").locator("input[type=number]").input_value() == "640"
    assert field(page, "height").locator("input[type=number]").input_value() == "448"
    assert field(page, "seed").locator("input[type=number]").input_value() == "1234567890"
    shown = "s => s.selectedOptions[0]?.textContent ?? ''"
    assert field(page, "checkpoint").locator("select").evaluate(shown) == "sd_xl_base_1.0"
    assert field(page, "scheduler").locator("select").evaluate(shown) == "Karras"
    assert field(page, "sampler").locator("select").evaluate(shown) == "—"  # left at the WebUI's default
    note = page.locator("[data-testid=composer-settings-note]")
    assert note.inner_text() == "Not available on this WebUI: sampler “Restart”"
    shot(page, "composer-webui-settings-note")
    # Another generator chosen: the note was about those settings, and goes.
    choose(page, "local-title-card")
    assert note.is_hidden()
