"""The board by keyboard: moving between tiles, opening, selecting, starring, and the help overlay."""

from __future__ import annotations

from tests.browser.test_board import close_viewer, listen_for_the_viewer, open_board, tile, upload
from tests.plugins.generators import png_bytes


def focused_id(page) -> str | None:
    return page.evaluate("document.activeElement.closest('.tile')?.dataset.generationId ?? null")


def test_arrows_enter_space_and_escape_on_the_grid(page, api, installation) -> None:
    board = api.create_board("Keys")
    ids = list(reversed([upload(api, board, f"k{i}.png", png_bytes()) for i in range(10)]))  # newest first
    open_board(page, installation, board)
    columns = page.evaluate("""() => { const tiles = [...document.querySelectorAll('.tile[data-generation-id]')];
                                    const top = tiles[0].getBoundingClientRect().top;
                                    return tiles.filter(t => t.getBoundingClientRect().top === top).length; }""")
    assert 1 < columns < 10
    listen_for_the_viewer(page)
    # Tab reaches the grid's first tile (one tab stop for the whole grid).
    page.locator("[data-testid=grid-search]").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused_id(page):
            break
    assert focused_id(page) == ids[0]
    page.keyboard.press("ArrowRight")
    assert focused_id(page) == ids[1]
    page.keyboard.press("ArrowDown")
    assert focused_id(page) == ids[1 + columns]
    page.keyboard.press("End")
    assert focused_id(page) == ids[-1]
    page.keyboard.press("Home")
    assert focused_id(page) == ids[0]
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__opened.length === 1")
    assert page.evaluate("window.__opened[0]") == ids[0]
    close_viewer(page)
    tile(page, ids[0]).focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    assert page.locator("[data-testid=selection-count]").inner_text() == "3 selected"
    assert tile(page, ids[2]).get_attribute("data-selected") == "true"
    page.keyboard.press("f")
    page.locator(f'.tile[data-generation-id="{ids[2]}"] [data-testid=favourite][aria-pressed=true]').wait_for()
    page.keyboard.press("Escape")
    page.locator("[data-testid=selection-bar]").wait_for(state="hidden")
    page.keyboard.press("?")
    overlay = page.locator("[data-testid=help-overlay]")
    overlay.wait_for()
    text = overlay.inner_text()
    shortcuts = (
        "Search the board",
        "Select every loaded generation",
        "Delete the selection",
        "Shift-click",
        "Drag on",
    )
    for words in shortcuts:
        assert words in text


def test_c_cancels_and_r_retries_the_focused_tile(page, api, installation) -> None:
    board = api.create_board("Keys for jobs")
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "held for the keyboard"})
    open_board(page, installation, board)
    tile(page, held).focus()
    page.keyboard.press("c")
    page.locator(f'.tile[data-generation-id="{held}"][data-status=cancelled]').wait_for()
    tile(page, held).focus()
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelectorAll('.tile[data-generation-id]:not([hidden])').length === 2")
    assert page.locator("[data-testid=grid-total]").inner_text() == "2 generations"
