"""The composer and the viewer with the board's grid: a queued generation shows as a tile at once,
a tile dragged into an artifact slot fills it, a tile clicked opens the viewer.

These need the grid (`js/grid/grid.js`); without it the module is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_composer import choose, field, open_board, submitted_id, wait_completed

if not (Path(__file__).parents[2] / "boards_desktop" / "ui" / "js" / "grid" / "grid.js").exists():
    pytest.skip("the board's grid is not here yet", allow_module_level=True)


def tile(page, generation_id: str):
    return page.locator(f'[data-testid=grid] .tile[data-generation-id="{generation_id}"]')


def test_a_queued_title_card_appears_in_the_grid_at_once(page, api, installation) -> None:
    board = api.create_board("Composer and grid")
    open_board(page, installation, board)
    choose(page, "local-title-card")
    field(page, "prompt").locator("textarea").fill("Breakwater")
    field(page, "width").locator("input[type=number]").fill("256")
    field(page, "height").locator("input[type=number]").fill("256")
    page.keyboard.press("Control+Enter")
    generation_id = submitted_id(page)
    tile(page, generation_id).wait_for()
    page.locator(f'.tile[data-generation-id="{generation_id}"][data-status=completed]').wait_for(timeout=30_000)


def test_a_tile_dragged_into_a_slot_and_a_tile_opening_the_viewer(page, api, installation) -> None:
    board = api.create_board("Drag a tile")
    card = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Jetty", "width": 256, "height": 256})
    wait_completed(api, card)
    open_board(page, installation, board)
    choose(page, "local-image-resize")
    page.locator(f'.tile[data-generation-id="{card}"][data-status=completed]').wait_for()
    tile(page, card).drag_to(page.locator("[data-testid=slot][data-slot=image]"))
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{card}'] img").wait_for()
    field(page, "size").locator("input[type=number]").fill("64")
    page.locator("[data-testid=composer-submit]").click()
    resized = submitted_id(page)
    tile(page, resized).wait_for()
    assert wait_completed(api, resized)["inputParams"]["image"] == card

    page.locator(f'.tile[data-generation-id="{resized}"][data-status=completed]').wait_for()
    tile(page, resized).click()
    viewer = page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{resized}']")
    viewer.wait_for()
    page.keyboard.press("ArrowRight")  # the grid's order: newest first, so the card comes next
    page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{card}']").wait_for()
    page.keyboard.press("s")
    page.locator("[data-testid=viewer-star][aria-pressed=true]").wait_for()
    page.keyboard.press("Escape")
    viewer.wait_for(state="detached")
