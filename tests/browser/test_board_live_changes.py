"""A board's page follows changes made elsewhere (a script here; a teammate's app on a team database):
a generation moved away leaves the grid, one moved in appears, a new title shows in the header, and
a deleted board says so."""

from __future__ import annotations

from tests.browser.test_board import open_board, tile, total, upload
from tests.plugins.generators import png_bytes

MOVE = "mutation($ids: [UUID!]!, $b: UUID!) { moveGenerations(ids: $ids, boardId: $b) { id } }"


def test_moves_renames_and_deletion_made_elsewhere_show_on_the_open_board(page, api, installation) -> None:
    here, there = api.create_board("Here"), api.create_board("There")
    leaving = upload(api, here, "leaving.png", png_bytes())
    staying = upload(api, here, "staying.png", png_bytes())
    open_board(page, installation, here)
    tile(page, leaving).wait_for()
    page.locator("[data-testid=live][data-state=open]").wait_for()

    api.gql(MOVE, {"ids": [leaving], "b": there})
    tile(page, leaving).wait_for(state="detached")
    assert tile(page, staying).is_visible()
    assert total(page) == "1 generation"

    api.gql(MOVE, {"ids": [leaving], "b": here})  # and back: it appears again
    tile(page, leaving).wait_for()
    assert total(page) == "2 generations"

    api.gql(
        "mutation($i: UpdateBoardInput!) { updateBoard(input: $i) { id } }",
        {"i": {"id": here, "title": "Final art", "description": "For the client"}},
    )
    page.locator("[data-testid=board-title]", has_text="Final art").wait_for()
    assert page.locator("[data-testid=board-description]").inner_text() == "For the client"

    api.gql("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": here})
    gone = page.locator("[data-testid=board-gone]")
    gone.wait_for()
    assert "This board was deleted" in gone.inner_text()
