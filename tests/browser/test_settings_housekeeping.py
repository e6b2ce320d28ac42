"""Settings: what the housekeeping at start-up freed, on an installation that interrupted work had left
leftovers in (a killed upload, backups of interrupted upgrades)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from tests.browser.conftest import Installation, started_installation

SETTINGS = "[data-testid=settings][data-state=ready]"


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    folder = tmp_path_factory.mktemp("housekeeping-app")
    data = folder / "data"
    leftovers = [
        data / "media" / ".tmp" / "0f3c-killed-upload",
        *(data / f"boards.db.2026010{d}T000000000000Z.bak" for d in range(1, 6)),
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 1024 * 1024)
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    with started_installation(folder, BOARDS_KEEP_BACKUPS="3") as started:
        yield started


def test_the_data_section_says_what_the_last_housekeeping_freed(page) -> None:
    page.goto(page.url.split("#")[0] + "#/settings")
    page.locator(SETTINGS).wait_for()
    tidied = page.locator("[data-testid=housekeeping]")
    deadline = time.monotonic() + 10
    while tidied.get_attribute("data-files") == "" and time.monotonic() < deadline:
        # The run had not ended when the page loaded: ask again, as the artist would.
        page.wait_for_timeout(200)
        page.locator("[aria-label='Count the size again']").click()
    tidied.filter(has_text="Freed 3.0 MB at the last run").wait_for()
    text = tidied.inner_text()
    assert "3 files left by interrupted work, of which 2 old database backups (the newest 3 are kept)" in text, text
