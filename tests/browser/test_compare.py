"""Compare (side by side and swipe, zoom locked, in the URL), the board's filters in the URL, and the
notice of an upload that is already on the board: each as an artist meets it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import RESULTS
from tests.browser.test_artist_findings import VIEWER
from tests.browser.test_board import TILE, open_board, tile, upload
from tests.browser.test_composer import wait_completed
from tests.plugins.generators import png_bytes

COMPARE = "[data-testid=compare]"
PANE = "[data-testid=compare-pane]"


@pytest.fixture(scope="module")
def scene(installation):
    """A board with a title card, a resize made from it and a second card: (board, card, resized, other)."""
    api = installation.api
    board = api.create_board("Compare: harbour")
    card = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Harbour at six", "width": 480, "height": 320})
    assert wait_completed(api, card)["status"] == "COMPLETED"
    resized = api.generate(board, "local-image-resize", "IMAGE", {"image": card, "mode": "width", "size": 240})
    other = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Boats at rest", "width": 480, "height": 320})
    assert wait_completed(api, resized)["status"] == "COMPLETED"
    assert wait_completed(api, other)["status"] == "COMPLETED"
    return board, card, resized, other


def shot(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)  # the entrance animations end
    page.screenshot(path=str(RESULTS / f"{name}.png"))


def transforms(page) -> list[str]:
    return page.locator(f"{COMPARE} .compare-layer").evaluate_all("layers => layers.map((l) => l.style.transform)")


def compare_ready(page, *ids: str):
    overlay = page.locator(COMPARE)
    overlay.wait_for()
    for generation_id in ids:
        page.locator(f"{PANE}[data-state=ready][data-generation-id='{generation_id}'] img").wait_for()
    return overlay


def test_compare_from_the_selection_swipe_zoom_locked_reload_and_back(page, installation, scene) -> None:
    board, card, _resized, other = scene
    open_board(page, installation, board)
    tile(page, card).click(modifiers=["Control"])
    compare_button = page.locator("[data-action=bulk-compare]")
    assert compare_button.is_hidden()  # one is not a comparison
    tile(page, other).click(modifiers=["Control"])
    compare_button.click()
    overlay = compare_ready(page, card, other)
    assert overlay.get_attribute("data-mode") == "side"
    assert f"compare={card},{other}" in page.url
    assert page.locator(PANE).evaluate_all("ps => ps.map((p) => p.dataset.generationId)") == [card, other]

    # Zoom and pan are the same in both panes.
    page.keyboard.press("+")
    assert overlay.get_attribute("data-zoom") == "150"
    first, second = transforms(page)
    assert first == second and "scale(1.5" in first
    box = page.locator(PANE).first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    page.mouse.wheel(0, -200)
    page.wait_for_function("() => document.querySelector('[data-testid=compare]').dataset.zoom === '188'")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=4)
    page.mouse.up()
    first, second = transforms(page)
    assert first == second and "translate(0.0px, 0.0px)" not in first  # moved, and alike
    page.keyboard.press("0")
    assert overlay.get_attribute("data-zoom") == "100"

    # Swipe: one over the other; the divider follows the slider and the pointer.
    page.locator("[data-mode=swipe]", has_text="Swipe").click()
    assert overlay.get_attribute("data-mode") == "swipe"
    assert "mode=swipe" in page.url
    slider = page.locator("[data-testid=compare-swipe]")
    assert slider.is_visible() and overlay.get_attribute("data-swipe") == "50"
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert overlay.get_attribute("data-swipe") == "60"
    clip = page.locator(PANE).nth(1).evaluate("p => getComputedStyle(p).clipPath")
    assert "60%" in clip, clip
    stage = page.locator("[data-testid=compare-stage]").bounding_box()
    page.mouse.move(stage["x"] + stage["width"] * 0.6, stage["y"] + stage["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * 0.25, stage["y"] + stage["height"] / 2, steps=5)
    page.mouse.up()
    assert 22 <= int(overlay.get_attribute("data-swipe")) <= 28

    # A reload opens the same comparison; Back closes it and leaves the artist on the board.
    page.reload()
    overlay = compare_ready(page, card, other)
    assert overlay.get_attribute("data-mode") == "swipe"
    page.go_back()
    overlay.wait_for(state="detached")
    assert "compare=" not in page.url and f"#/boards/{board}" in page.url
    page.locator("[data-testid=grid][data-state=ready]").wait_for()


def test_c_in_the_viewer_compares_with_the_parent_and_esc_returns(page, installation, scene) -> None:
    board, card, resized, _other = scene
    open_board(page, installation, board)
    tile(page, resized).click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{resized}']").wait_for()
    page.keyboard.press("?")
    help_text = page.locator("[data-testid=help-overlay]").inner_text()
    assert "Compare with its parent" in help_text
    page.keyboard.press("Escape")
    page.locator("[data-testid=help-overlay]").wait_for(state="detached")
    page.keyboard.press("c")
    compare_ready(page, card, resized)
    assert page.locator(PANE).evaluate_all("ps => ps.map((p) => p.dataset.generationId)") == [card, resized]
    assert re.search(rf"view={resized}.*compare={card},{resized}", page.url)
    page.keyboard.press("Escape")
    page.locator(COMPARE).wait_for(state="detached")
    # The viewer is still there, on the same result.
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{resized}']").wait_for()
    assert "compare=" not in page.url and f"view={resized}" in page.url


def test_a_card_without_a_parent_offers_no_comparison(page, installation, scene) -> None:
    board, card, _resized, _other = scene
    open_board(page, installation, board)
    tile(page, card).click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{card}']").wait_for()
    assert page.locator("[data-testid=viewer-compare]").is_hidden()
    page.keyboard.press("c")
    page.locator(".toast", has_text="no parent to compare with").wait_for()


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_look_at_compare(page, installation, scene, scheme) -> None:
    board, card, resized, other = scene
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{installation.url}/#/boards/{board}?compare={card},{other},{resized}")
    compare_ready(page, card, other, resized)
    captions = page.locator(".compare-caption").all_inner_texts()
    assert captions[2].split() == ["C", "Resize", "image", "240", "×", "160"], captions  # its name, said once
    shot(page, f"compare-side-three-{scheme}")
    page.goto(f"{installation.url}/#/boards/{board}?compare={card},{other}")
    overlay = compare_ready(page, card, other)
    page.keyboard.press("+")
    shot(page, f"compare-side-{scheme}")
    page.keyboard.press("0")
    page.keyboard.press("w")
    assert overlay.get_attribute("data-mode") == "swipe"
    shot(page, f"compare-swipe-{scheme}")


def test_filters_live_in_the_url_and_survive_a_reload(page, api, installation) -> None:
    board = api.create_board("Filters in the URL")
    upload(api, board, "quay.png", png_bytes("#224466", 24))
    starred = upload(api, board, "Été au port.png", png_bytes("#664422", 24))
    upload(api, board, "notes.txt", b"gulls at six", "text", "text/plain")
    api.gql(
        "mutation($ids: [UUID!]!) { setFavourite(generationIds: $ids, favourite: true) { id } }", {"ids": [starred]}
    )
    open_board(page, installation, board)
    page.locator(f"{TILE}").nth(2).wait_for()
    page.locator("[data-testid=grid-search]").fill("ete")
    page.keyboard.press("Enter")
    page.locator("[data-filter*=ete]").wait_for()
    page.locator("[data-filter-type=IMAGE]").click()
    page.locator("[data-testid=filter-favourites]").click()
    page.wait_for_function("() => location.hash.includes('fav=1')")
    assert "q=ete" in page.url and "type=IMAGE" in page.url

    page.reload()
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    assert page.locator("[data-testid=grid-search]").input_value() == "ete"
    assert page.locator("[data-filter-type=IMAGE]").get_attribute("aria-pressed") == "true"
    assert page.locator("[data-testid=filter-favourites]").get_attribute("aria-pressed") == "true"
    page.locator(f"{TILE}[data-loaded=true]").first.wait_for()
    assert page.locator(TILE).evaluate_all("ts => ts.map((t) => t.dataset.generationId)") == [starred]
    assert page.locator("[data-testid=grid-total]").inner_text().startswith("1 of 3")

    # Clear filters empties the URL's query too: a reload then shows the whole board.
    page.locator("[data-testid=clear-filters]").click()
    page.wait_for_function("() => !location.hash.includes('?')")
    page.reload()
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    page.locator(TILE).nth(2).wait_for()


def test_an_upload_already_on_the_board_says_so_and_links_to_the_first(page, api, installation) -> None:
    board = api.create_board("Duplicates")
    picture = png_bytes("#883355", 48)
    first = upload(api, board, "gull.png", picture)
    page.on(
        "filechooser",
        lambda chooser: chooser.set_files([{"name": "gull again.png", "mimeType": "image/png", "buffer": picture}]),
    )
    open_board(page, installation, board)
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    page.locator("[data-testid=upload-button]").click()
    notice = page.locator(".toast", has_text="Already on this board")
    notice.wait_for()
    assert "gull again.png" in notice.inner_text() and "gull.png" in notice.inner_text()
    page.locator(TILE).nth(1).wait_for()  # kept all the same
    notice.get_by_role("button", name="Show the earlier one").click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{first}']").wait_for()
