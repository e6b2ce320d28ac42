"""The queue panel (count in the top bar, pause, resume, cancel all) and a tile's quick actions
(rerun, rerun with a new seed, use as input), clicked and typed as an artist does.
Screenshots of the panel in both themes go to test-results/queue-panel-<theme>.png."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import RESULTS
from tests.browser.test_board import TILE, open_board, tile, wait_status

PANEL = "[data-testid=queue-panel]"


def provider(page, name: str):
    return page.locator(f"{PANEL} [data-testid=queue-provider][data-provider={name}]")


def test_the_queue_panel_pauses_resumes_and_cancels_all(page, api, installation) -> None:
    board = api.create_board("Queue: harbour")
    open_board(page, installation, board)
    badge = page.locator("[data-testid=queue-count]")
    expect(badge).to_be_hidden()
    page.locator("[data-testid=open-queue]").click()
    expect(page.locator(PANEL)).to_be_visible()
    test_provider = provider(page, "test")
    test_provider.locator("[data-action=pause]").click()
    expect(test_provider).to_have_attribute("data-paused", "true")
    expect(test_provider.locator("[data-testid=queue-paused]")).to_have_text("Paused")

    ids = [api.generate(board, "test-slow", "IMAGE", {"steps": 400, "delay": 0.05}) for _ in range(3)]
    # The count follows the queue's events: nothing is reloaded by hand.
    expect(badge).to_have_text("3")
    expect(test_provider.locator("[data-testid=queue-counts]")).to_have_text("3 waiting · 0 running")
    expect(test_provider.locator("[data-testid=queue-estimate]")).to_have_text("paused: nothing starts")
    expect(test_provider.locator(".queue-job")).to_have_count(3)
    expect(page.locator("[data-testid=open-queue]")).to_have_attribute("data-paused", "true")
    assert [api.generation(i)["status"] for i in ids] == ["PENDING"] * 3
    RESULTS.mkdir(exist_ok=True)
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(300)  # the colours' transitions end
        page.screenshot(path=str(RESULTS / f"queue-panel-{scheme}.png"))

    test_provider.locator("[data-action=resume]").click()
    expect(test_provider).to_have_attribute("data-paused", "false")
    expect(test_provider.locator("[data-testid=queue-counts]")).to_have_text(re.compile(r"· [1-9]\d* running"))
    wait_status(api, ids[0], "PROCESSING", page)

    test_provider.locator("[data-action=cancel-provider]").click()
    dialog = page.locator("[data-testid=confirm-dialog]")
    expect(dialog.locator("h2")).to_have_text("Stop 3 generations on Test?")
    dialog.get_by_role("button", name="Stop them").click()
    expect(badge).to_be_hidden()
    expect(test_provider.locator("[data-testid=queue-counts]")).to_have_text("idle")
    assert [api.generation(i)["status"] for i in ids] == ["CANCELLED"] * 3
    expect(tile(page, ids[0])).to_have_attribute("data-status", "cancelled")

    page.keyboard.press("Escape")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(page.locator("[data-testid=open-queue]")).to_be_focused()


def test_cancel_one_and_everything_from_the_panel(page, api, installation) -> None:
    board = api.create_board("Queue: one by one")
    ids = [api.generate(board, "test-generator", "IMAGE", {"prompt": f"boat {n}"}) for n in range(3)]
    open_board(page, installation, board)
    page.keyboard.press("q")
    held = provider(page, "held")
    expect(held.locator("[data-testid=queue-counts]")).to_have_text("3 waiting · 0 running")
    held.get_by_role("button", name="Cancel “boat 1”").click()
    expect(held.locator("[data-testid=queue-counts]")).to_have_text("2 waiting · 0 running")
    assert api.generation(ids[1])["status"] == "CANCELLED"
    page.locator("[data-testid=queue-cancel-everything]").click()
    page.locator("[data-testid=confirm-dialog]").get_by_role("button", name="Stop them").click()
    expect(page.locator("[data-testid=queue-summary]")).to_have_text("Nothing is waiting or running.")
    assert [api.generation(i)["status"] for i in ids] == ["CANCELLED"] * 3


def test_rerun_from_a_tile_and_with_a_new_seed(page, api, installation) -> None:
    board = api.create_board("Queue: dunes")
    first = api.generate(board, "test-seeded", "IMAGE", {"prompt": "Dunes at dusk", "seed": 5})
    wait_status(api, first, "COMPLETED", page)
    open_board(page, installation, board)
    original = tile(page, first)
    expect(original).to_have_attribute("data-status", "completed")

    # Rerun with the same settings, from the keyboard: Tab from the focused tile reaches its quick actions.
    original.focus()
    page.keyboard.press("Tab")
    expect(original.locator("[data-testid=rerun]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(TILE)).to_have_count(2)
    rerun = page.locator(TILE).first
    expect(rerun.locator("[data-testid=tile-info] .tile-info-name")).to_have_text("Dunes at dusk")
    expect(rerun).to_have_attribute("data-status", "completed")
    rerun_id = rerun.get_attribute("data-generation-id")
    assert api.generation(rerun_id)["inputParams"] == {"prompt": "Dunes at dusk", "seed": 5}

    # With a new seed, by pointer: the quick actions show on hover.
    original.hover()
    reseed = original.locator("[data-testid=rerun-new-seed]")
    expect(reseed).to_be_visible()
    page.wait_for_timeout(200)  # the quick actions fade in
    page.screenshot(path=str(RESULTS / "queue-tile-actions.png"))
    reseed.click()
    expect(page.locator(TILE)).to_have_count(3)
    newest = page.locator(TILE).first
    expect(newest).to_have_attribute("data-status", "completed")
    newest.click()
    seed = page.locator("[data-testid=viewer] [data-testid=viewer-params] dd[data-param=seed]")
    expect(seed).to_be_visible()
    assert seed.inner_text() != "5" and seed.inner_text().isdigit()
    page.keyboard.press("Escape")


def test_a_generator_without_a_seed_offers_no_new_seed_and_use_as_input_fills_the_composer(
    page, api, installation
) -> None:
    board = api.create_board("Queue: inputs")
    made = api.generate(board, "test-fast", "IMAGE", {"prompt": "A gull"})
    wait_status(api, made, "COMPLETED", page)
    open_board(page, installation, board)
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    made_tile = tile(page, made)
    made_tile.hover()
    expect(made_tile.locator("[data-testid=rerun]")).to_be_visible()
    expect(made_tile.locator("[data-testid=rerun-new-seed]")).to_be_hidden()
    made_tile.locator("[data-testid=use-as-input]").click()
    slot = page.locator(f"[data-testid=composer-form] [data-testid=slot] [data-generation-id='{made}']")
    dialog = page.locator("[data-testid=input-target-dialog]")
    # The composer's generator may take no image: then it asks which generator it goes into.
    expect(slot.or_(dialog)).to_be_visible()
    if dialog.is_visible():
        dialog.locator("button[type=submit].primary, button[value=ok]").first.click()
    expect(slot).to_be_visible()
