"""A board's Export saves one archive; home's Import brings it back (after the board was deleted)
with its tiles, and a file that is no archive is refused in words."""

from __future__ import annotations

import zipfile

from tests.browser.test_board import open_board, tile, total, upload
from tests.plugins.generators import png_bytes

DELETE_BOARD = "mutation($id: UUID!) { deleteBoard(id: $id) }"


def test_export_then_import_brings_the_board_back(page, api, installation, tmp_path) -> None:
    board = api.create_board("Round trip")
    made = [upload(api, board, f"shot-{i}.png", png_bytes(colour)) for i, colour in enumerate(["#aa3322", "#2233aa"])]
    open_board(page, installation, board)
    with page.expect_download() as download:
        page.locator("[data-testid=export-board]").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "round-trip.board.zip"
    with zipfile.ZipFile(saved) as archive:
        assert "board.json" in archive.namelist()

    api.gql(DELETE_BOARD, {"id": board})
    page.goto(installation.url + "/")
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    page.locator("[data-testid=import-input]").set_input_files(str(saved))
    page.locator(".toast", has_text="Imported “Round trip”: 2 generations added").wait_for()
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    assert page.url.endswith(f"#/boards/{board}")
    for generation_id in made:
        tile(page, generation_id).wait_for()
    assert total(page) == "2 generations"


def test_a_file_that_is_no_archive_is_refused_in_words(page, installation, tmp_path) -> None:
    notes = tmp_path / "notes.zip"
    notes.write_bytes(b"not a zip at all")
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    page.locator("[data-testid=import-input]").set_input_files(str(notes))
    page.locator(".toast.error", has_text="Could not import notes.zip").wait_for()
    assert "not a complete board archive" in page.locator(".toast.error").inner_text()
