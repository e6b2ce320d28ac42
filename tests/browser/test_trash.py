"""Forgiving: a delete goes to the Trash and its toast has Undo (a button, or Ctrl+Z); moves, tags and
stars are undone the same way; the Trash page restores, deletes forever and empties (after asking).
Screenshots of the Trash page and of the undo toast, in both themes, go to test-results/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESULTS
from tests.browser.test_board import open_board, tile, total, upload
from tests.plugins.generators import png_bytes

TRASH_ITEM = "[data-testid=trash-list] .trash-item"


def select(page, *ids: str) -> None:
    for generation_id in ids:
        tile(page, generation_id).click(modifiers=["Control"])


def delete_selection(page) -> None:
    page.locator("[data-action=bulk-delete]").click()
    confirm = page.locator("[data-testid=confirm-dialog]")
    assert "Trash" in confirm.inner_text()
    confirm.get_by_role("button", name="Delete").click()


def open_trash(page, installation, board_id: str | None = None) -> None:
    page.goto(f"{installation.url}/#/trash{'/' + board_id if board_id else ''}")
    page.locator("[data-testid=trash-list][data-state=ready]").wait_for()


def test_delete_then_undo_in_the_toast_brings_the_tiles_back(page, api, installation) -> None:
    board = api.create_board("Undo a delete")
    kept = upload(api, board, "kept.png", png_bytes("#22aa44"))
    doomed = [upload(api, board, f"doomed-{i}.png", png_bytes("#aa2244")) for i in range(2)]
    open_board(page, installation, board)
    select(page, *doomed)
    delete_selection(page)
    toast = page.locator(".toast", has_text="Deleted 2 generations")
    toast.wait_for()
    for generation_id in doomed:
        tile(page, generation_id).wait_for(state="detached")
    assert total(page) == "1 generation"
    # The Undo button is reachable from the keyboard: focused and pressed with Enter.
    toast.get_by_role("button", name="Undo").focus()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Restored 2 generations").wait_for()
    for generation_id in [kept, *doomed]:
        tile(page, generation_id).wait_for()
    assert total(page) == "3 generations"
    assert api.generation(doomed[0])["id"] == doomed[0]


def test_ctrl_z_undoes_a_delete_a_move_and_a_tag(page, api, installation) -> None:
    board = api.create_board("Ctrl Z")
    other = api.create_board("Elsewhere")
    first = upload(api, board, "first.png", png_bytes("#3344aa"))
    second = upload(api, board, "second.png", png_bytes("#aa8833"))
    open_board(page, installation, board)
    # Delete, then Ctrl+Z.
    select(page, first)
    delete_selection(page)
    tile(page, first).wait_for(state="detached")
    page.keyboard.press("Control+z")
    page.locator(".toast", has_text="Restored 1 generation").wait_for()
    tile(page, first).wait_for()
    # Move to the other board, then Ctrl+Z moves it back.
    select(page, second)
    page.locator("[data-action=bulk-move]").click()
    dialog = page.locator("[data-testid=move-dialog]")
    dialog.locator(f'[data-board-id="{other}"]').click()
    dialog.get_by_role("button", name="Move").click()
    tile(page, second).wait_for(state="detached")
    assert api.generation(second)["boardId"] == other
    page.keyboard.press("Control+z")
    page.locator(".toast", has_text="Moved 1 generation back").wait_for()
    tile(page, second).wait_for()
    assert api.generation(second)["boardId"] == board
    # Tag both, then Undo takes the tag off again.
    page.keyboard.press("Escape")
    select(page, first, second)
    page.locator("[data-action=bulk-tag]").click()
    tag_dialog = page.locator("[data-testid=tag-dialog]")
    tag_dialog.locator("input[name=tag]").fill("keepers")
    tag_dialog.get_by_role("button", name="Tag", exact=True).click()
    page.locator(".toast", has_text="Tagged 2 generations").get_by_role("button", name="Undo").click()
    page.locator(".toast", has_text="off again").wait_for()
    tags = api.gql("query($id: UUID!) { generation(id: $id) { tags { slug } } }", {"id": first})
    assert tags["generation"]["tags"] == []
    # The help lists Ctrl+Z.
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    help_text = page.locator("[data-testid=help-overlay]").inner_text()
    assert "Ctrl/⌘ Z" in help_text and "Undo the last delete, move, tag or star" in help_text


def test_star_many_then_undo_unstars_only_what_it_starred(page, api, installation) -> None:
    board = api.create_board("Stars")
    starred = upload(api, board, "starred.png", png_bytes("#ddaa00"))
    plain = upload(api, board, "plain.png", png_bytes("#0055aa"))
    api.gql(
        "mutation($ids: [UUID!]!) { setFavourite(generationIds: $ids, favourite: true) { id } }", {"ids": [starred]}
    )
    open_board(page, installation, board)
    select(page, starred, plain)
    page.locator("[data-action=bulk-favourite]").click()
    page.locator(".toast", has_text="Starred 2 generations").get_by_role("button", name="Undo").click()
    page.locator(".toast", has_text="Unstarred 1 generation again").wait_for()
    favourite = "query($id: UUID!) { generation(id: $id) { isFavourite } }"
    assert api.gql(favourite, {"id": starred})["generation"]["isFavourite"] is True
    assert api.gql(favourite, {"id": plain})["generation"]["isFavourite"] is False


def test_delete_open_the_trash_restore(page, api, installation) -> None:
    board = api.create_board("Restore from the trash")
    doomed = upload(api, board, "lighthouse.png", png_bytes("#1188cc"))
    open_board(page, installation, board)
    select(page, doomed)
    delete_selection(page)
    tile(page, doomed).wait_for(state="detached")
    # From the board's header to its trash.
    page.locator("[data-testid=board-trash]").click()
    page.locator("[data-testid=trash-list][data-state=ready]").wait_for()
    item = page.locator(f'{TRASH_ITEM}[data-generation-id="{doomed}"]')
    assert "gone in 30 days" in item.inner_text()
    assert item.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    item.get_by_role("button", name="Restore").click()
    page.locator(".toast", has_text="Restored 1 generation").get_by_role("button", name="Open its board").click()
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    tile(page, doomed).wait_for()
    assert total(page) == "1 generation"


def test_empty_trash_asks_then_removes_everything(page, api, installation) -> None:
    board = api.create_board("Empty it")
    ids = [upload(api, board, f"gone-{i}.png", png_bytes("#884422")) for i in range(2)]
    api.gql("mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }", {"ids": ids})
    # The top bar's Trash link, from home.
    page.locator("[data-testid=open-trash]").click()
    page.locator("[data-testid=trash-list][data-state=ready]").wait_for()
    for generation_id in ids:
        page.locator(f'{TRASH_ITEM}[data-generation-id="{generation_id}"]').wait_for()
    page.locator("[data-testid=empty-trash]").click()
    confirm = page.locator("[data-testid=confirm-dialog]")
    assert "cannot be undone" in confirm.inner_text()
    confirm.get_by_role("button", name="Cancel").click()
    assert page.locator(TRASH_ITEM).count() >= 2  # asking first: Cancel keeps everything
    page.locator("[data-testid=empty-trash]").click()
    confirm.get_by_role("button", name="Empty trash").click()
    page.locator("[data-testid=trash-empty]").wait_for()
    assert "The trash is empty" in page.locator("[data-testid=trash-list]").inner_text()
    count = api.gql("{ trashedGenerationCount }")["trashedGenerationCount"]
    assert count == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_trash_and_the_undo_toast(page, api, installation, theme: str) -> None:
    page.evaluate("theme => localStorage.setItem('boards.theme', theme)", theme)
    page.reload()
    board = api.create_board(f"Screens {theme}")
    colours = ["#cc3344", "#33aa77", "#3355cc", "#ddaa22", "#8844cc"]
    ids = [upload(api, board, f"colour-{i}.png", png_bytes(colour, size=64)) for i, colour in enumerate(colours)]
    api.gql("mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }", {"ids": ids[:3]})
    open_trash(page, installation)
    page.locator(f'{TRASH_ITEM}[data-generation-id="{ids[0]}"]').wait_for()
    assert page.evaluate("document.documentElement.dataset.theme") == theme
    # An upload is called by its file name.
    assert "colour-0.png" in page.locator(f'{TRASH_ITEM}[data-generation-id="{ids[0]}"]').inner_text()
    for image in page.locator(f"{TRASH_ITEM} img").all():
        image.scroll_into_view_if_needed()
        assert image.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    page.evaluate("window.scrollTo(0, 0)")
    assert page.locator(".trash-more").is_hidden()  # everything is shown: no "Show more"
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"trash-{theme}.png"))
    open_board(page, installation, board)
    select(page, ids[3])
    delete_selection(page)
    page.locator(".toast", has_text="Deleted 1 generation").wait_for()
    page.wait_for_timeout(300)  # the toast's entrance animation
    page.screenshot(path=str(RESULTS / f"undo-toast-{theme}.png"))
