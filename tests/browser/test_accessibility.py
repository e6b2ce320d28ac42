"""Accessibility: axe-core's rules (WCAG 2.x A and AA, and its best practices) over the main screens in
both themes; a serious or critical violation fails, named with the elements it was found on.

The rules come with `axe-playwright-python` (it bundles axe-core), run in the page as it is: the
home, a board with waiting and finished tiles, the generator picker, the composer's form, the
viewer, compare, the queue panel, the Share dialog, the trash and settings.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_board import TILE, open_board, upload
from tests.plugins.generators import png_bytes

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright", reason="the dev extra is not installed")

FAILING = {"serious", "critical"}
TAG = "mutation($ids: [UUID!]!, $tag: UUID!) { addTagToGenerations(generationIds: $ids, tagId: $tag) { id } }"


@pytest.fixture(scope="module")
def studio(installation) -> dict[str, str]:
    api = installation.api
    board = api.create_board("Harbour studies", "The light at six.")
    pictures = [upload(api, board, f"harbour-{c[1:]}.png", png_bytes(c, 96)) for c in ("#1f6f8b", "#e6d5b8", "#6d6875")]
    note = upload(api, board, "notes.txt", b"The light at six; the boats at rest.", "text", "text/plain")
    tag = api.gql('mutation { createTag(input: {name: "dusk"}) { id } }')["createTag"]["id"]
    api.gql(TAG, {"ids": pictures[:2], "tag": tag})
    api.generate(board, "test-generator", "IMAGE", {"prompt": "gulls at dusk"})  # waits: its provider runs nothing
    gone = upload(api, board, "rejected.png", png_bytes("#444444", 32))
    api.gql("mutation($ids: [UUID!]!) { deleteGenerations(ids: $ids) }", {"ids": [gone]})
    return {"board": board, "first": pictures[0], "second": pictures[1], "note": note}


def violations(page: Any, where: str) -> list[str]:
    """The serious and critical violations on the page as it is now, one line each."""
    page.wait_for_timeout(250)  # the entrance animations: axe reads colours as they are drawn
    results = axe_playwright.Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING:
            nodes = violation["nodes"][:6]
            targets = "; ".join(f"{' '.join(node['target'])} [{_why(node)}]" for node in nodes)
            found.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


def _why(node: dict) -> str:
    """What axe says of one element (for colour contrast: the two colours and the ratio)."""
    checks = node.get("any") or node.get("all") or node.get("none") or [{}]
    return str(checks[0].get("message", "")).split(". Expected")[0]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_main_screens_have_no_serious_accessibility_violation(page, installation, studio, scheme) -> None:
    url = installation.url
    page.emulate_media(color_scheme=scheme)
    found: list[str] = []

    page.goto(f"{url}/#/")
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    found += violations(page, "home")

    open_board(page, installation, studio["board"])
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    page.locator(f"{TILE}[data-status=pending]").wait_for()
    page.locator(f"{TILE}[data-generation-id='{studio['first']}']").hover()
    found += violations(page, "board")
    page.locator("[data-testid=tile-layout] [data-layout=rows]").click()  # justified rows
    page.wait_for_function("() => document.querySelector('.grid-canvas').dataset.fit === 'rows'")
    found += violations(page, "board in rows")
    page.locator("[data-testid=tile-layout] [data-layout=crop]").click()

    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-list]").wait_for()
    found += violations(page, "generator picker")
    page.locator("[data-testid=generator-search]").press_sequentially("title")
    page.locator("[data-testid=generator-list] [data-generator='local-title-card']").click()
    page.locator("[data-testid=composer-form][data-generator='local-title-card'][data-state=idle]").wait_for()
    found += violations(page, "composer")

    page.locator("[data-testid=open-queue]").click()
    page.locator("[data-testid=queue-panel] [data-testid=queue-provider]").first.wait_for()
    found += violations(page, "queue")
    page.keyboard.press("Escape")

    page.locator("[data-testid=share-button]").click()
    page.locator("[data-testid=share-dialog]").wait_for()
    found += violations(page, "share dialog")
    page.keyboard.press("Escape")

    page.goto(f"{url}/#/boards/{studio['board']}?view={studio['first']}")
    page.locator("[data-testid=viewer][data-state=ready]").wait_for()
    found += violations(page, "viewer")

    page.goto(f"{url}/#/boards/{studio['board']}?compare={studio['first']},{studio['second']}")
    page.locator("[data-testid=compare-pane][data-state=ready]").nth(1).wait_for()
    found += violations(page, "compare")

    page.goto(f"{url}/#/trash")
    page.locator("[data-testid=trash-list][data-state=ready]").wait_for()
    found += violations(page, "trash")

    page.goto(f"{url}/#/settings")
    page.locator("[data-testid=settings][data-state=ready]").wait_for()
    found += violations(page, "settings")

    assert not found, "\n".join(found)
