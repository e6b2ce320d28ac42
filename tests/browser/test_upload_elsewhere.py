"""A file already on another board: the upload is kept, and the toast names that board and opens the
first one there (its viewer, on its board)."""

from __future__ import annotations

from tests.browser.test_artist_findings import VIEWER
from tests.browser.test_board import TILE, open_board, upload
from tests.plugins.generators import png_bytes


def test_an_upload_already_on_another_board_names_it_and_opens_it_there(page, api, installation) -> None:
    picture = png_bytes("#335588", 40)
    harbour = api.create_board("Harbour studies")
    first = upload(api, harbour, "pier.png", picture)
    sketches = api.create_board("Sketches")
    page.on(
        "filechooser",
        lambda chooser: chooser.set_files([{"name": "pier copy.png", "mimeType": "image/png", "buffer": picture}]),
    )
    open_board(page, installation, sketches)
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    page.locator("[data-testid=upload-button]").click()
    notice = page.locator(".toast", has_text="Already on the board “Harbour studies”")
    notice.wait_for()
    assert "pier copy.png" in notice.inner_text() and "pier.png" in notice.inner_text()
    page.locator(TILE).first.wait_for()  # kept here all the same
    notice.get_by_role("button", name="Open it on “Harbour studies”").click()
    page.wait_for_function(f"() => location.hash === '#/boards/{harbour}?view={first}'")
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{first}']").wait_for()
