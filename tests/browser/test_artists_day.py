"""An artist's day, end to end, in one browser session against the real app, with nothing set up
by a script: every step is done through the page, as an artist does it, and checked where the
artist would look (and on the server, where the result must be kept).

Every form control type is filled and submitted in
`test_composer.py::test_every_control_is_filled_and_sent_as_entered`, with the same app.
"""

from __future__ import annotations

import re

from tests.browser.test_board import drop_files
from tests.browser.test_composer import choose, field, wait_completed
from tests.plugins.generators import png_bytes

TILE = "[data-testid=grid] .tile[data-generation-id]"
# Every status each tile of the grid has shown, in order, kept by the page as it changes.
WATCH_STATUSES = """() => {
  window.__statuses = {};
  const note = (tile) => {
    const id = tile.dataset.generationId, status = tile.dataset.status;
    if (!id) return;
    const seen = (window.__statuses[id] ??= []);
    if (seen.at(-1) !== status) seen.push(status);
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      const nodes = change.type === 'attributes' ? [change.target] : [...change.addedNodes];
      for (const node of nodes) if (node instanceof HTMLElement && node.matches('.tile')) note(node);
    }
  }).observe(document.querySelector('[data-testid=grid]'),
             {subtree: true, childList: true, attributes: true, attributeFilter: ['data-status', 'data-generation-id']});
}"""


def tile(page, generation_id: str, status: str | None = None):
    selector = f'{TILE.split("[data-generation-id]")[0]}[data-generation-id="{generation_id}"]'
    return page.locator(selector + (f"[data-status={status}]" if status else ""))


def queued(page, previous: str | None = None) -> str:
    """The id of the generation the composer has just queued (another than `previous`)."""
    page.wait_for_function(
        "previous => { const id = document.querySelector('[data-testid=composer-form]')?.dataset.lastId;"
        " return id && id !== previous; }",
        arg=previous,
    )
    return page.locator("[data-testid=composer-form]").get_attribute("data-last-id")


def grid_total(page, text: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-testid=grid-total]')?.textContent === t", arg=text)


def toast(page, text: str) -> None:
    page.locator("[data-testid=toasts] .toast", has_text=text).first.wait_for()


def viewer_showing(page, generation_id: str):
    viewer = page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{generation_id}']")
    viewer.wait_for()
    return viewer


def close_viewer(page) -> None:
    page.keyboard.press("Escape")
    page.locator("[data-testid=viewer]").wait_for(state="detached")


def test_an_artists_day(page, api, installation) -> None:
    # Morning: a new board, made from the home page.
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    page.locator("[data-testid=new-board]").click()
    page.locator("[data-testid=form-dialog] input[name=title]").fill("Harbour at dusk")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/boards/[0-9a-f-]{36}$"))
    board = page.url.rsplit("/", 1)[1]
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    page.evaluate(WATCH_STATUSES)

    # A title card, queued with Ctrl+Enter; its tile shows at once and runs live.
    choose(page, "local-title-card")
    field(page, "prompt").locator("textarea").fill("Breakwater lights")
    # Large enough to take a moment, so that the tile is seen running.
    field(page, "width").locator("input[type=number]").fill("4096")
    field(page, "height").locator("input[type=number]").fill("4096")
    page.keyboard.press("Control+Enter")
    card = queued(page)
    tile(page, card).wait_for()
    tile(page, card, "completed").wait_for(timeout=60_000)
    statuses = page.evaluate("id => window.__statuses[id]", card)
    assert "processing" in statuses and statuses[-1] == "completed", statuses
    assert page.evaluate("id => document.querySelector(`.tile[data-generation-id='${id}'] img`)?.src ?? ''", card)
    grid_total(page, "1 generation")

    # The result, opened in the viewer, becomes the input of a resize.
    choose(page, "local-image-resize")
    tile(page, card).click()
    viewer = viewer_showing(page, card)
    assert viewer.locator("[data-testid=viewer-prompt]").inner_text() == "Breakwater lights"
    viewer.locator("[data-testid=viewer-use-input]").click()
    page.locator("[data-testid=viewer]").wait_for(state="detached")
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{card}']").wait_for()
    field(page, "size").locator("input[type=number]").fill("512")
    page.locator("[data-testid=composer-submit]").click()
    resized = queued(page, card)
    tile(page, resized, "completed").wait_for(timeout=30_000)
    assert wait_completed(api, resized)["inputParams"]["image"] == card

    # The lineage: the resize was made from the card, and the card shows what was made from it.
    tile(page, resized).click()
    viewer = viewer_showing(page, resized)
    viewer.locator(f"[data-testid=viewer-inputs] [data-generation-id='{card}']").click()
    viewer = viewer_showing(page, card)
    viewer.locator(f"[data-testid=viewer-results] [data-generation-id='{resized}']").wait_for()
    viewer.locator("[data-testid=viewer-tab-lineage]").click()
    graph = viewer.locator("[data-testid=lineage-graph][data-state=ready]")
    graph.wait_for()
    assert graph.get_attribute("data-edges") == "1"
    assert graph.locator(f".lineage-column[data-depth='1'] button[data-generation-id='{resized}']").count() == 1

    # Star the card, then reuse its settings: the composer is the title card's again, filled in.
    page.keyboard.press("s")
    viewer.locator("[data-testid=viewer-star][aria-pressed=true]").wait_for()
    page.keyboard.press("u")
    page.locator("[data-testid=viewer]").wait_for(state="detached")
    page.locator("[data-testid=composer-form][data-generator=local-title-card]").wait_for()
    assert field(page, "prompt").locator("textarea").input_value() == "Breakwater lights"
    assert field(page, "width").locator("input[type=number]").input_value() == "4096"

    # Finding: the favourites filter keeps the card; a search by its prompt finds it alone.
    page.locator("[data-testid=filter-favourites]").click()
    grid_total(page, "1 of 2 generations")
    assert [t.get_attribute("data-generation-id") for t in page.locator(TILE).all()] == [card]
    page.locator("[data-testid=clear-filters]").click()
    grid_total(page, "2 generations")
    page.locator("[data-testid=grid-search]").fill("breakwater")
    grid_total(page, "1 of 2 generations")
    assert [t.get_attribute("data-generation-id") for t in page.locator(TILE).all()] == [card]
    page.locator("[data-testid=clear-filters]").click()
    grid_total(page, "2 generations")

    # A photo from the desktop, dropped on the board, uploads with its progress and lands as a tile.
    drop_files(page, "[data-testid=grid-scroll]", [("harbour-photo.png", "image/png", list(png_bytes("#335577", 96)))])
    row = page.locator('[data-testid=upload-panel] .upload-row[data-name="harbour-photo.png"][data-state=done]')
    row.wait_for()
    photo = row.get_attribute("data-generation-id")
    tile(page, photo, "completed").wait_for()
    grid_total(page, "3 generations")

    # A job that waits (its engine is paused) is cancelled from its tile.
    choose(page, "test-generator")
    field(page, "prompt").locator("textarea, input").first.fill("never mind")
    page.keyboard.press("Control+Enter")
    held = queued(page, resized)
    waiting = tile(page, held, "pending")
    waiting.wait_for()
    waiting.hover()
    waiting.locator("[data-testid=cancel]").click()
    tile(page, held, "cancelled").wait_for()
    assert api.generation(held)["status"] == "CANCELLED"
    grid_total(page, "4 generations")

    # Tidying: the photo and the resize move to another board; the cancelled one is deleted.
    keep = api.create_board("Harbour: picks")
    tile(page, photo).click(modifiers=["Control"])
    tile(page, resized).click(modifiers=["Control"])
    assert page.locator("[data-testid=selection-count]").inner_text() == "2 selected"
    page.locator("[data-action=bulk-move]").click()
    dialog = page.locator("[data-testid=move-dialog]")
    dialog.locator(f'[data-board-id="{keep}"]').click()
    dialog.get_by_role("button", name="Move").click()
    toast(page, "Moved")
    tile(page, photo).wait_for(state="detached")
    tile(page, resized).wait_for(state="detached")
    assert {api.generation(g)["boardId"] for g in (photo, resized)} == {keep}
    grid_total(page, "2 generations")
    tile(page, held).click(modifiers=["Control"])
    page.locator("[data-action=bulk-delete]").click()
    page.locator("[data-testid=confirm-dialog]").get_by_role("button", name="Delete").click()
    tile(page, held).wait_for(state="detached")
    grid_total(page, "1 generation")
    assert api.gql("query($id: UUID!) { generation(id: $id) { id } }", {"id": held})["generation"] is None

    # Evening: a key set in Settings shows only its last four characters, then is cleared.
    secret = "sk-artist-evening-key-7Hq3"
    page.locator("[data-testid=open-settings]").click()
    row = page.locator("[data-testid=provider-key][data-provider=openai]")
    row.wait_for()
    row.locator("[data-testid=key-input]").fill(secret)
    row.locator("[data-testid=key-save]").click()
    page.locator("[data-testid=provider-key][data-provider=openai][data-set=true]").wait_for()
    assert "••••7Hq3" in row.locator("[data-testid=key-status]").inner_text()
    assert secret not in page.content()
    row.locator("[data-testid=key-clear]").click()
    page.locator("[data-testid=confirm-dialog]").get_by_role("button", name="Clear key").click()
    page.locator("[data-testid=provider-key][data-provider=openai][data-set=false]").wait_for()

    # Back home, the board's card shows its cover and what is left on it.
    page.locator("a.brand").click()
    card_on_home = page.locator(f"[data-testid=boards][data-state=ready] li[data-board-id='{board}']")
    card_on_home.wait_for()
    assert "1 generation" in card_on_home.inner_text()
    card_on_home.locator("[data-testid=cover] img").first.wait_for()
