"""Screenshots of the board as an artist meets it, to be looked at (not compared): the board in both
themes with a selection, the viewer on a transparent picture and on an upload, the bulk Tag and Move
dialogs, the "Use as input in…" choice and a refusal under its field. Written to test-results/look-*.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESULTS
from tests.browser.test_artist_findings import VIEWER, pick_generator, transparent_png
from tests.browser.test_board import TILE, open_board, tile, upload
from tests.browser.test_composer import field
from tests.plugins.generators import png_bytes


def shot(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # let the entrance animations end
    page.screenshot(path=str(RESULTS / f"look-{name}.png"))


@pytest.fixture(scope="module")
def studio(installation):
    """A board of harbour studies: pictures, one see-through, a text note, a failure; and a second board."""
    api = installation.api
    board = api.create_board("Harbour studies", "Spring show: the light at six, the boats at rest.")
    api.create_board("Keepers")
    for colour in ["#1f6f8b", "#99a8b2", "#e6d5b8", "#b5838d", "#6d6875"]:
        upload(api, board, f"harbour-{colour[1:]}.png", png_bytes(colour, 256))
    clear = upload(api, board, "cut-out-boat.png", transparent_png(256))
    upload(api, board, "notes.txt", b"The light at six; the boats at rest; gulls.", "text", "text/plain")
    api.generate(board, "test-broken", "IMAGE", {"prompt": "an impossible boat"})
    return board, clear


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_look_at_the_board_and_the_viewer(page, installation, studio, scheme) -> None:
    board, clear = studio
    page.emulate_media(color_scheme=scheme)
    open_board(page, installation, board)
    page.locator(".tile[data-status=failed]").wait_for(timeout=15_000)
    page.locator(f"{TILE}[data-loaded=true]").nth(4).wait_for()
    shot(page, f"board-{scheme}")
    page.locator(TILE).nth(1).click(modifiers=["Control"])
    page.locator(TILE).nth(2).click(modifiers=["Control"])
    page.mouse.move(5, 5)
    shot(page, f"board-selection-{scheme}")
    page.keyboard.press("Escape")
    tile(page, clear).click()
    page.locator(f"{VIEWER}[data-state=ready] [data-testid=zoom-stage][data-state=loaded]").wait_for()
    shot(page, f"viewer-transparent-{scheme}")


def test_look_at_the_dialogs(page, installation, studio) -> None:
    board, _clear = studio
    page.emulate_media(color_scheme="dark")
    open_board(page, installation, board)
    page.locator(TILE).nth(1).click(modifiers=["Control"])
    page.locator(TILE).nth(2).click(modifiers=["Control"])
    page.locator("[data-action=bulk-tag]").click()
    page.locator("[data-testid=tag-dialog] input[name=tag]").press_sequentially("dusk")
    shot(page, "dialog-tag")
    page.keyboard.press("Escape")
    page.locator("[data-action=bulk-move]").click()
    page.locator("[data-testid=move-dialog]").wait_for()
    shot(page, "dialog-move")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    pick_generator(page, "local-title-card")
    page.locator(f"{TILE}[data-artifact-type=image][data-status=completed]").first.click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.keyboard.press("i")
    page.locator("[data-testid=input-target-dialog]").wait_for()
    shot(page, "dialog-input-target")


def test_look_at_a_refusal_and_the_queued_toast(page, installation) -> None:
    from tests.uploads.samples import mp4_bytes

    api = installation.api
    board = api.create_board("A short clip")
    clip = api.upload(board, "clip.mp4", mp4_bytes(), "video/mp4")["id"]
    page.emulate_media(color_scheme="light")
    open_board(page, installation, board)
    pick_generator(page, "local-video-frame")
    tile(page, clip).click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.keyboard.press("i")
    page.locator(f"[data-testid=slot][data-slot=video] [data-generation-id='{clip}']").wait_for()
    field(page, "second").locator("input[type=number]").fill("5")
    page.locator("[data-testid=composer-submit]").click()
    field(page, "second").locator("[data-testid=field-error]").wait_for()
    shot(page, "composer-refusal")
    pick_generator(page, "local-title-card")
    field(page, "prompt").locator("textarea").fill("Gulls")
    for count in range(1, 4):
        page.keyboard.press("Control+Enter")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=grid] .tile[data-generation-id]').length === n + 1",
            arg=count,
        )
        page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    shot(page, "queued-toast")
