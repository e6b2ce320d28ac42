"""Find anything from home: one search over every board's results (accents and case folded), each
listed with its board, a click opening it there; the search in the URL."""

from __future__ import annotations

from tests.browser.conftest import RESULTS
from tests.browser.test_artist_findings import VIEWER
from tests.browser.test_board import upload
from tests.browser.test_composer import wait_completed
from tests.plugins.generators import png_bytes

HOME_SEARCH = "[data-testid=board-search]"
RESULT = "[data-testid=search-result]"


def test_home_search_finds_results_on_every_board_and_opens_one(page, api, installation) -> None:
    summer = api.create_board("Summer sketches")
    winter = api.create_board("Winter sketches")
    card = api.generate(summer, "local-title-card", "IMAGE", {"prompt": "Été au port", "width": 320, "height": 200})
    assert wait_completed(api, card)["status"] == "COMPLETED"
    upload(api, winter, "Étude de neige.png", png_bytes("#aabbcc", 64))
    upload(api, winter, "unrelated.png", png_bytes("#112233", 64))

    page.goto(f"{installation.url}/#/")
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    page.locator(HOME_SEARCH).fill("ETE")
    results = page.locator("[data-testid=search-results][data-state=ready]")
    results.wait_for()
    found = page.locator(RESULT)
    found.nth(0).wait_for()
    assert found.count() == 1
    assert "Été au port" in found.first.inner_text() and "Summer sketches" in found.first.inner_text()

    page.locator(HOME_SEARCH).fill("etude neige")
    page.locator(RESULT, has_text="Winter sketches").wait_for()
    assert found.count() == 1 and "Étude de neige.png" in found.first.inner_text()
    RESULTS.mkdir(exist_ok=True)
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        page.wait_for_timeout(300)
        page.screenshot(path=str(RESULTS / f"home-search-{scheme}.png"))

    # The search is in the URL: a reload shows it again.
    page.reload()
    page.locator(RESULT, has_text="Winter sketches").wait_for()
    assert page.locator(HOME_SEARCH).input_value() == "etude neige"

    page.locator(HOME_SEARCH).fill("ete port")
    page.locator(RESULT, has_text="Summer sketches").wait_for()
    page.locator(RESULT).first.click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{card}']").wait_for()
    assert f"#/boards/{summer}?view={card}" in page.url


def test_a_search_with_no_result_says_so(page, api, installation) -> None:
    api.create_board("Quiet board")
    page.goto(f"{installation.url}/#/?q=zzzz-nothing")
    page.locator("[data-testid=search-results][data-state=ready]").wait_for()
    assert "No result on your boards holds “zzzz-nothing”" in page.locator("[data-testid=search-results]").inner_text()
