"""On a shared PostgreSQL database, after the artist moved their media elsewhere: the generations
queued before wait for an app with the old storage. `boards-desktop` says so at start-up, the queue
panel counts them apart, their tiles say what they wait for, and they are cancelled as any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Installation, started_installation
from tests.browser.test_board import open_board, tile
from tests.postgres_server import ThrowawayPostgres, find_bin_dir

PANEL = "[data-testid=queue-panel]"
NOTE = "wait for an app with another media storage"


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed: a job's media storage matters on a shared database only")
    server = ThrowawayPostgres(bin_dir)
    server.start()
    try:
        yield server.admin_url.replace("postgresql://", "postgresql+asyncpg://")
    finally:
        server.stop()


def signed_in_page(browser, installation: Installation, errors: list[str]):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies(installation.cookies)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def test_jobs_left_with_the_old_storage_say_why_they_wait_and_can_be_cancelled(
    browser, postgres_url: str, tmp_path: Path
) -> None:
    # `held` runs nothing in tests: what is queued on it waits.
    with started_installation(tmp_path / "before", BOARDS_DATABASE_URL=postgres_url) as before:
        board = before.api.create_board("Moved my media")
        left = [before.api.generate(board, "test-generator", "IMAGE", {"prompt": f"old {n}"}) for n in range(2)]
        assert NOTE not in before.launch.stderr + before.launch.stdout

    with started_installation(
        tmp_path / "after",
        data_dir=before.data_dir,
        BOARDS_DATABASE_URL=postgres_url,
        BOARDS_MEDIA_DIR=str(tmp_path / "new-media"),
    ) as after:
        after.launch.wait_for_output(f"2 queued generations on this database {NOTE}")
        new = after.api.generate(board, "test-generator", "IMAGE", {"prompt": "new one"})
        errors: list[str] = []
        page = signed_in_page(browser, after, errors)
        open_board(page, after, board)
        phase = "[data-testid=tile-phase]"
        for generation_id in left:
            expect(tile(page, generation_id).locator(phase)).to_have_text("Waiting for the app that holds its files")
        expect(tile(page, new).locator(phase)).to_have_text("Queued · next in line")  # the old ones take no place

        page.locator("[data-testid=open-queue]").click()
        held = page.locator(f"{PANEL} [data-testid=queue-provider][data-provider=held]")
        expect(held.locator("[data-testid=queue-counts]")).to_have_text("1 waiting · 0 running")
        expect(held.locator("[data-testid=queue-elsewhere]")).to_have_text("2 waiting for another app's media storage")
        expect(page.locator("[data-testid=queue-summary]")).to_have_text(
            "1 waiting · 0 running · 2 waiting for another app's media storage"
        )
        expect(page.locator("[data-testid=queue-count]")).to_have_text("1")
        held.get_by_role("button", name="Cancel “old 0”").click()
        expect(held.locator("[data-testid=queue-elsewhere]")).to_have_text("1 waiting for another app's media storage")
        expect(tile(page, left[0])).to_have_attribute("data-status", "cancelled")
        assert after.api.generation(left[0])["status"] == "CANCELLED"
        held.get_by_role("button", name="Cancel “old 1”").click()
        expect(held.locator("[data-testid=queue-elsewhere]")).to_have_count(0)
        expect(page.locator("[data-testid=queue-summary]")).to_have_text("1 waiting · 0 running")
        after.api.gql("mutation($id: UUID!) { cancelGeneration(id: $id) { id } }", {"id": new})
        page.context.close()
        assert not errors, f"the page threw: {errors}"
