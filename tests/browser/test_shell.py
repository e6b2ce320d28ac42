"""The app's page loads in a real browser, signed in, and lists the boards."""

from __future__ import annotations


def test_the_home_lists_the_boards_made_by_a_script(page, api) -> None:
    api.create_board("Lighthouses at dusk")
    page.reload()
    boards = page.locator("[data-testid=boards][data-state=ready]")
    boards.wait_for()
    assert "Lighthouses at dusk" in boards.locator("li[data-board-id] strong").all_inner_texts()


def test_the_help_overlay_lists_the_shortcuts(page) -> None:
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    page.keyboard.press("?")
    overlay = page.locator("[data-testid=help-overlay]")
    overlay.wait_for()
    assert "Show the keyboard shortcuts" in overlay.inner_text()
    page.keyboard.press("Escape")
    overlay.wait_for(state="detached")
