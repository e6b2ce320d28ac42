"""Profiles and sharing in the window: Settings › Profile, the Share dialog, "Shared with me", and
what a viewer is not offered.

On SQLite (one person) the Share dialog explains what sharing needs. On PostgreSQL (when its binaries
are installed) two installations share one throwaway database: Ada finds Grace in the directory and
shares a board with her. Screenshots of the dialog and the profile go to test-results/ in both themes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS, Installation, started_installation
from tests.postgres_server import ThrowawayPostgres, find_bin_dir

ME = "{ me { id displayName } }"
UPDATE_USER = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { id displayName } }"


def open_page(browser: Any, installation: Installation, route: str = "") -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_cookies(installation.cookies)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.page_errors = errors
    page.goto(f"{installation.url}/#{route}")
    return page


def close_page(page: Any) -> None:
    errors = page.page_errors
    page.context.close()
    assert not errors, f"the page threw: {errors}"


def shoot(page: Any, name: str, locator: str) -> None:
    """A screenshot of `locator` in the light and the dark theme."""
    RESULTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(150)  # the theme's transitions
        page.locator(locator).screenshot(path=str(RESULTS / f"{name}-{scheme}.png"))
    page.emulate_media(color_scheme="light")


# -- SQLite: one person -------------------------------------------------------------------------


def test_share_on_sqlite_explains_that_sharing_needs_a_team_database(page, api) -> None:
    board = api.create_board("Alone")
    page.goto(page.url.split("#")[0] + f"#/boards/{board}")
    page.locator("[data-testid=share-button]").click()
    dialog = page.locator("[data-testid=share-dialog]")
    dialog.locator("[data-testid=share-solo]").wait_for()
    text = dialog.inner_text()
    assert "Sharing needs a team database" in text
    assert "BOARDS_DATABASE_URL" in text and "Teams" in text and "README" in text
    assert dialog.locator("[data-testid=share-search]").count() == 0
    shoot(page, "share-dialog-sqlite", "[data-testid=share-dialog]")
    dialog.get_by_role("button", name="Done").click()
    dialog.wait_for(state="detached")


def test_settings_profile_saves_your_name_email_and_picture(page, api, tmp_path: Path) -> None:
    page.goto(page.url.split("#")[0] + "#/settings")
    section = page.locator("[data-testid=section-profile]")
    name = section.locator("[data-testid=profile-name]")
    name.wait_for()
    assert name.input_value() == api.gql(ME)["me"]["displayName"]  # proposed from the OS account at first start
    name.fill("Ada Lovelace")
    section.locator("[data-testid=profile-email]").fill("ada@example.com")
    picture = tmp_path / "me.png"
    picture.write_bytes(_png(300, 200))
    section.locator("[data-testid=profile-avatar-file]").set_input_files(str(picture))
    section.locator("[data-testid=profile-avatar] img.avatar").wait_for()
    section.locator("[data-testid=profile-save]").click()
    page.locator("[data-testid=toasts] .toast", has_text="Profile saved").wait_for()
    me = api.gql("{ me { displayName email avatarUrl } }")["me"]
    assert me["displayName"] == "Ada Lovelace" and me["email"] == "ada@example.com"
    assert me["avatarUrl"].startswith("data:image/png;base64,")
    shoot(page, "settings-profile", "[data-testid=section-profile]")

    # A bad email is refused beside the form, and nothing changes.
    section.locator("[data-testid=profile-email]").fill("not an address")
    section.locator("[data-testid=profile-save]").click()
    error = section.locator("[data-testid=profile-error]")
    error.wait_for()
    assert "name@example.com" in error.inner_text()
    assert api.gql("{ me { email } }")["me"]["email"] == "ada@example.com"


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


# -- PostgreSQL: two teammates on one database --------------------------------------------------


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Installation, Installation]]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: the two-teammate browser test needs it")
    server = ThrowawayPostgres(bin_dir)
    server.start()
    try:
        url = server.admin_url.replace("postgresql://", "postgresql+asyncpg://")
        folder = tmp_path_factory.mktemp("team")
        with (
            started_installation(folder / "ada", BOARDS_DATABASE_URL=url) as ada,
            started_installation(folder / "grace", BOARDS_DATABASE_URL=url) as grace,
        ):
            yield ada, grace
    finally:
        server.stop()


def test_share_a_board_with_a_teammate_found_in_the_directory(browser, team) -> None:
    ada, grace = team
    grace.api.gql(UPDATE_USER, {"input": {"displayName": "Grace Hopper", "email": "grace@navy.example"}})
    board = ada.api.create_board("Harbour at dusk")

    # Ada names herself in Settings ...
    page = open_page(browser, ada, "/settings")
    page.locator("[data-testid=profile-name]").fill("Ada Lovelace")
    page.locator("[data-testid=profile-save]").click()
    page.locator("[data-testid=toasts] .toast", has_text="Profile saved").wait_for()

    # ... and finds Grace from the board's Share dialog.
    page.goto(f"{ada.url}/#/boards/{board}")
    page.locator("[data-testid=share-button]").click()
    dialog = page.locator("[data-testid=share-dialog]")
    members = dialog.locator("[data-testid=share-members]")
    members.wait_for()
    assert "Ada Lovelace" in members.inner_text() and "(you)" in members.inner_text()
    dialog.locator("[data-testid=share-search]").fill("HOPPER")
    dialog.locator("[data-testid=share-result]", has_text="Grace Hopper").click()
    grace_row = members.locator("[data-testid=share-person]", has_text="Grace Hopper")
    grace_row.wait_for()
    assert grace_row.locator("[data-testid=share-role]").input_value() == "EDITOR"
    shoot(page, "share-dialog-team", "[data-testid=share-dialog]")

    # Grace sees it under "Shared with me", with Ada as its owner.
    other = open_page(browser, grace, "/")
    other.locator("[data-testid=view-shared]").click()
    card = other.locator(f"li[data-board-id='{board}']")
    card.wait_for()
    assert "Ada Lovelace" in card.locator("[data-testid=board-owner]").inner_text()
    assert other.locator("[data-testid=boards] li[data-board-id]").count() == 1
    shoot(other, "home-shared-with-me", ".home")

    # What Grace makes on the board shows her as its creator in Ada's viewer.
    made = grace.api.upload(board, "pier.png", _png(64, 48), "image/png")
    dialog.get_by_role("button", name="Done").click()
    dialog.wait_for(state="detached")
    page.goto(f"{ada.url}/#/boards/{board}?view={made['id']}")
    assert "Grace Hopper" in page.locator("[data-testid=viewer-creator]").inner_text()
    page.goto(f"{ada.url}/#/boards/{board}")
    # Her tile carries her avatar, and its hover info her name.
    made_tile = page.locator(f"[data-testid=grid] .tile[data-generation-id='{made['id']}']")
    made_tile.locator("[data-testid=tile-creator] [data-testid=avatar][title='Grace Hopper']").wait_for()
    made_tile.hover()  # the info is built at a tile's first hover or focus
    expect(made_tile.locator(".tile-info-facts")).to_contain_text("Grace Hopper · ")
    page.locator("[data-testid=share-button]").click()
    members.wait_for()
    grace_row = members.locator("[data-testid=share-person]", has_text="Grace Hopper")

    # Made a viewer, Grace is offered no composer and no upload.
    grace_row.locator("[data-testid=share-role]").select_option("VIEWER")
    page.locator("[data-testid=toasts] .toast", has_text="view").first.wait_for()
    other.goto(f"{grace.url}/#/boards/{board}")
    other.locator("[data-testid=composer-read-only]").wait_for()
    assert not other.locator("[data-testid=upload-button]").is_visible()
    assert other.locator("[data-testid=composer] [data-testid=queue-button]").count() == 0
    # Nor the tiles' quick actions (rerun, use as input): hovering her own picture shows only its info.
    viewer_tile = other.locator(f"[data-testid=grid] .tile[data-generation-id='{made['id']}']")
    viewer_tile.hover()
    expect(viewer_tile.locator(".tile-info-facts")).to_contain_text("64 × 48")
    expect(viewer_tile.locator("[data-testid=tile-quick]")).to_be_hidden()
    # In the viewer she may look, download and link, not fill a composer she has not got, tag or delete.
    viewer_tile.click()
    other.locator("[data-testid=viewer-download]").wait_for()
    for absent in ("viewer-use-settings", "viewer-use-input", "viewer-delete", "viewer-tag-input"):
        assert other.locator(f"[data-testid={absent}]").count() == 0, absent
    other.keyboard.press("Escape")

    # Removed, the board is gone from her list.
    members.locator("[data-testid=share-person]", has_text="Grace Hopper").locator("[data-testid=share-remove]").click()
    members.locator("[data-testid=share-person]", has_text="Grace Hopper").wait_for(state="detached")
    other.goto(f"{grace.url}/#/")
    other.locator("[data-testid=view-shared]").click()
    other.locator("[data-testid=no-shared]").wait_for()
    close_page(other)
    close_page(page)
