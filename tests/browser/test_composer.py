"""The composer: a generator picked, its form built from its schema, filled and submitted."""

from __future__ import annotations

import time

from tests.plugins.generators import png_bytes

SHOTS = "/tmp/shots"


def open_board(page, installation, board_id: str) -> None:
    page.goto(f"{installation.url}/#/boards/{board_id}")
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()


def choose(page, name: str) -> None:
    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-search]").fill(name)
    page.locator(f"[data-testid=generator-list] [data-generator='{name}']").click()
    page.locator(f"[data-testid=composer-form][data-generator='{name}']").wait_for()


def field(page, name: str):
    return page.locator(f"[data-testid=composer-form] .field[data-field='{name}']")


def wait_completed(api, generation_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = api.generation(generation_id)
        if found["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{generation_id} did not finish")


def submitted_id(page) -> str:
    form = page.locator("[data-testid=composer-form][data-last-id]")
    form.wait_for()
    return form.get_attribute("data-last-id")


def test_a_title_card_is_queued_with_ctrl_enter(page, api, installation) -> None:
    board = api.create_board("Composer: title cards")
    open_board(page, installation, board)
    choose(page, "local-title-card")
    prompt = field(page, "prompt").locator("textarea")
    prompt.fill("Harbour lights")
    field(page, "width").locator("input[type=number]").fill("320")
    field(page, "height").locator("input[type=number]").fill("200")
    prompt.press("Control+Enter")
    generation_id = submitted_id(page)
    page.locator("[data-testid=toasts] .toast", has_text="Queued local-title-card").wait_for()
    done = wait_completed(api, generation_id)
    assert done["status"] == "COMPLETED"
    assert done["boardId"] == board
    params = done["inputParams"]
    assert params["prompt"] == "Harbour lights" and params["width"] == 320 and params["height"] == 200
    assert "font_size" not in params and "gradient_end_color" not in params  # left empty: left out
    assert params["align"] == "center" and params["background_color"] == "#16181d"  # defaults as shown
    # The values stay for the next try.
    assert prompt.input_value() == "Harbour lights"
