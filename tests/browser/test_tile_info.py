"""What a tile tells without a click: on hover or focus a finished one shows its name, generator, size
and tags, laid over the picture (nothing moves); a waiting one says its place in its provider's line."""

from __future__ import annotations

from tests.browser.test_board import TILE, open_board, tile, upload
from tests.plugins.generators import png_bytes

TAG = "mutation($ids: [UUID!]!, $tag: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $tag) { id } }"
RESUME = 'mutation { resumeProvider(name: "held") { waiting } }'


def test_hover_and_focus_show_name_generator_size_and_tags_without_moving_anything(page, installation, api) -> None:
    board = api.create_board("Tile info")
    picture = upload(api, board, "harbour-at-six.png", png_bytes("#1f6f8b", 120))
    for name in ("dusk", "boats", "for print", "east wall"):
        tag = api.gql("mutation($n: String!) { createTag(input: {name: $n}) { id } }", {"n": name})["createTag"]["id"]
        api.gql(TAG, {"ids": [picture], "tag": tag})
    open_board(page, installation, board)
    shown = tile(page, picture)
    info = shown.locator("[data-testid=tile-info]")
    shown.locator("xpath=.").and_(page.locator("[data-loaded=true]")).wait_for()
    assert info.count() == 0  # built at the first hover or focus, so that a big board's tiles stay light
    before = [shown.bounding_box(), page.locator("[data-testid=grid]").bounding_box()]

    shown.hover()
    page.wait_for_function("node => getComputedStyle(node).opacity === '1'", arg=info.element_handle())
    assert info.locator(".tile-info-name").inner_text() == "harbour-at-six.png"
    assert info.locator(".tile-info-facts").inner_text() == "Uploaded image · 120 × 120"
    chips = info.locator(".tile-info-tag").all_inner_texts()
    assert len(chips) == 4 and chips[-1] == "+1" and set(chips[:3]) <= {"dusk", "boats", "for print", "east wall"}
    assert [shown.bounding_box(), page.locator("[data-testid=grid]").bounding_box()] == before

    page.mouse.move(2, 2)
    page.wait_for_function("node => getComputedStyle(node).opacity === '0'", arg=info.element_handle())
    shown.focus()  # the keyboard's way to the same facts
    page.wait_for_function("node => getComputedStyle(node).opacity === '1'", arg=info.element_handle())


def test_a_waiting_tile_says_its_place_in_line_and_when_its_provider_is_paused(page, installation, api) -> None:
    board = api.create_board("Waiting in line")
    # The `held` provider runs nothing in tests: these wait, in the order they were queued.
    first = api.generate(board, "test-generator", "IMAGE", {"prompt": "first in"})
    second = api.generate(board, "test-generator", "IMAGE", {"prompt": "second in"})
    open_board(page, installation, board)
    phase = "[data-testid=tile-phase]"
    tile(page, first).locator(phase, has_text="Queued · next in line").wait_for()
    tile(page, second).locator(phase, has_text="Queued · 2nd in line").wait_for()
    assert "second in" in tile(page, second).locator("[data-testid=tile-message]").inner_text()

    page.locator("[data-testid=open-queue]").click()  # paused as an artist pauses it
    page.locator("[data-testid=queue-provider][data-provider=held] [data-action=pause]").click()
    try:
        tile(page, first).locator(phase, has_text="next in line, paused").wait_for()
        api.gql("mutation($id: UUID!) { cancelGeneration(id: $id) { id } }", {"id": first})
        tile(page, second).locator(phase, has_text="Queued · next in line, paused").wait_for()
    finally:
        api.gql(RESUME)
    assert page.locator(f"{TILE}[data-status=pending]").count() == 1


def test_whole_pictures_show_each_in_its_proportions_and_the_choice_is_kept(page, installation, api) -> None:
    board = api.create_board("Whole pictures")
    wide = api.upload(board, "wide.png", _picture(240, 80), "image/png")["id"]
    open_board(page, installation, board)
    picture = tile(page, wide).locator("img")
    assert picture.evaluate("node => getComputedStyle(node).objectFit") == "cover"
    whole = page.locator("[data-testid=tile-layout] [data-layout=whole]")
    whole.click()
    assert whole.get_attribute("aria-checked") == "true"
    assert picture.evaluate("node => getComputedStyle(node).objectFit") == "contain"
    page.reload()
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    assert tile(page, wide).locator("img").evaluate("node => getComputedStyle(node).objectFit") == "contain"
    page.locator("[data-testid=tile-layout] [data-layout=crop]").click()  # back to square crops for the other tests
    assert tile(page, wide).locator("img").evaluate("node => getComputedStyle(node).objectFit") == "cover"


def _picture(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#1f6f8b").save(buffer, "PNG")
    return buffer.getvalue()
