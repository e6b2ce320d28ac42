"""Screenshots of every main screen of the real app, in the light and the dark theme, to be looked at.

    ./scripts/screenshots [--out screenshots] [--sqlite] [--only viewer]

Starts `boards-desktop` on a fresh data folder (two teammates' apps on a throwaway PostgreSQL server
when its binaries are installed, so that sharing shows; else one on SQLite), fills it with the scene
of `scene.py`, drives Debian's Chromium through Playwright and writes `<out>/<screen>-<theme>.png`.
Nothing is compared: the pictures are for a person to judge.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Installation, started_installation
from tests.desktop.support import ROOT
from tests.screenshots.scene import Scene, seed

VIEWPORT = {"width": 1440, "height": 900}
ENVIRONMENT = {"BOARDS_GENERATOR_MODULES": "tests.screenshots.darkroom", "BOARDS_CONCURRENCY_DARKROOM": "1"}
TILE = "[data-testid=grid] .tile[data-generation-id]"


def settle(page: Any) -> None:
    """Until the pictures on screen have loaded and the entrance animations have ended."""
    page.wait_for_function("() => [...document.images].every((image) => image.complete)")
    page.wait_for_timeout(350)


def open_board(page: Any, app: Installation, board: str, query: str = "") -> None:
    page.goto(f"{app.url}/#/boards/{board}{query}")
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    page.locator("[data-testid=composer-form][data-state=idle], [data-testid=composer-read-only]").first.wait_for()


# Each screen: (name, what to do to show it). They run in this order on one page per theme.
def screens(app: Installation, scene: Scene) -> list[tuple[str, Callable[[Any], None]]]:
    def home(page: Any) -> None:
        page.goto(f"{app.url}/#/")
        page.locator("[data-testid=boards][data-state=ready]").wait_for()

    def home_search(page: Any) -> None:
        page.goto(f"{app.url}/#/?q=dusk")
        page.locator("[data-testid=search-results][data-state=ready]").wait_for()

    def home_shared(page: Any) -> None:
        home(page)
        page.locator("[data-testid=view-shared]").click()
        page.locator("[data-testid=boards][data-state=ready]").wait_for()

    def board(page: Any) -> None:
        open_board(page, app, scene.harbour)
        page.locator(f"{TILE}[data-loaded=true]").nth(8).wait_for()

    def board_hover(page: Any) -> None:
        board(page)
        page.locator(f"{TILE}[data-generation-id='{scene.pictures[2]}']").hover()
        page.wait_for_timeout(300)

    def board_selection(page: Any) -> None:
        board(page)
        for index in (4, 5, 7):
            page.locator(TILE).nth(index).click(modifiers=["Control"])
        page.mouse.move(5, 5)

    def board_search(page: Any) -> None:
        open_board(page, app, scene.harbour, "?q=dusk&fav=1")

    def board_no_match(page: Any) -> None:
        open_board(page, app, scene.harbour, "?q=zebra")

    def board_empty(page: Any) -> None:
        open_board(page, app, scene.empty)

    def composer(page: Any) -> None:
        board(page)
        page.locator("[data-testid=generator-button]").click()
        page.locator("[data-testid=generator-search]").press_sequentially("title")
        page.locator("[data-testid=generator-list] [data-generator='local-title-card']").click()
        page.locator("[data-testid=composer-form][data-generator='local-title-card'][data-state=idle]").wait_for()
        page.locator("[data-testid=composer] textarea").first.fill("Harbour at six")

    def composer_picker(page: Any) -> None:
        board(page)
        page.locator("[data-testid=generator-button]").click()
        page.locator("[data-testid=generator-list]").wait_for()

    def viewer_image(page: Any) -> None:
        open_board(page, app, scene.harbour, f"?view={scene.adjusted}")
        page.locator("[data-testid=viewer][data-state=ready] [data-testid=zoom-stage][data-state=loaded]").wait_for()

    def viewer_text(page: Any) -> None:
        open_board(page, app, scene.harbour, f"?view={scene.note}")
        page.locator("[data-testid=viewer][data-state=ready]").wait_for()

    def compare(page: Any) -> None:
        open_board(page, app, scene.harbour, f"?compare={scene.pictures[2]},{scene.adjusted}")
        page.locator("[data-testid=compare-pane][data-state=ready]").nth(1).wait_for()

    def compare_swipe(page: Any) -> None:
        open_board(page, app, scene.harbour, f"?compare={scene.pictures[2]},{scene.adjusted}&mode=swipe")
        page.locator("[data-testid=compare-pane][data-state=ready]").nth(1).wait_for()

    def queue(page: Any) -> None:
        board(page)
        page.locator("[data-testid=open-queue]").click()
        page.locator("[data-testid=queue-panel] [data-testid=queue-provider]").first.wait_for()

    def trash(page: Any) -> None:
        page.goto(f"{app.url}/#/trash")
        page.locator("[data-testid=trash-list][data-state=ready]").wait_for()

    def trash_empty(page: Any) -> None:
        page.goto(f"{app.url}/#/trash/{scene.empty}")
        page.locator("[data-testid=trash-list][data-state=ready]").wait_for()

    def settings(page: Any) -> None:
        page.goto(f"{app.url}/#/settings")
        page.locator("[data-testid=settings][data-state=ready]").wait_for()

    def settings_engines(page: Any) -> None:
        settings(page)
        engines = page.locator("[data-testid=section-engine]")
        engines.locator(".engine-row").first.wait_for()
        engines.evaluate("(node) => node.scrollIntoView({block: 'start'})")

    def share(page: Any) -> None:
        open_board(page, app, scene.harbour)
        page.locator("[data-testid=share-button]").click()
        page.locator(
            "[data-testid=share-dialog] [data-testid=share-members], [data-testid=share-solo]"
        ).first.wait_for()

    def board_whole(page: Any) -> None:  # among the last: the choice is kept for the pages after it
        board(page)
        page.locator("[data-testid=tile-layout] [data-layout=whole]").click()

    def board_rows(page: Any) -> None:  # last: justified rows
        board(page)
        page.locator("[data-testid=tile-layout] [data-layout=rows]").click()
        page.wait_for_function("() => document.querySelector('.grid-canvas').dataset.fit === 'rows'")
        page.locator(f"{TILE}[data-loaded=true]").nth(8).wait_for()

    def shared_board(page: Any) -> None:
        open_board(page, app, scene.shared or scene.ferries)

    found = [
        ("home", home),
        ("home-search", home_search),
        ("board", board),
        ("board-hover", board_hover),
        ("board-selection", board_selection),
        ("board-search", board_search),
        ("board-no-match", board_no_match),
        ("board-empty", board_empty),
        ("composer", composer),
        ("composer-picker", composer_picker),
        ("viewer-image", viewer_image),
        ("viewer-text", viewer_text),
        ("compare", compare),
        ("compare-swipe", compare_swipe),
        ("queue", queue),
        ("trash", trash),
        ("trash-empty", trash_empty),
        ("settings", settings),
        ("settings-engines", settings_engines),
        ("share", share),
    ]
    if scene.shared:
        found += [("home-shared", home_shared), ("shared-board", shared_board)]
    return [*found, ("board-whole", board_whole), ("board-rows", board_rows)]


@contextmanager
def running_apps(folder: Path, sqlite: bool) -> Iterator[tuple[Installation, Installation | None]]:
    """Your app, and a teammate's on the same PostgreSQL database when PostgreSQL is installed."""
    from tests.postgres_server import ThrowawayPostgres, find_bin_dir

    bin_dir = None if sqlite else find_bin_dir()
    with ExitStack() as stack:
        if bin_dir is None:
            yield stack.enter_context(started_installation(folder / "you", **ENVIRONMENT)), None
            return
        server = ThrowawayPostgres(bin_dir)
        server.start()
        stack.callback(server.stop)
        # One media folder for both: either app may run a job of the other's, and shows its pictures.
        team = {"BOARDS_DATABASE_URL": server.admin_url.replace("postgresql://", "postgresql+asyncpg://"),
                "BOARDS_MEDIA_DIR": str(folder / "media"), **ENVIRONMENT}  # fmt: skip
        you = stack.enter_context(started_installation(folder / "you", **team))
        teammate = stack.enter_context(started_installation(folder / "teammate", **team))
        yield you, teammate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="the folder for the PNGs")
    parser.add_argument("--sqlite", action="store_true", help="one app on SQLite even where PostgreSQL is installed")
    parser.add_argument("--only", default="", help="only the screens whose name contains this")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; BOARDS_CHROMIUM names another)")
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="boards-screenshots-") as folder,
        running_apps(Path(folder), args.sqlite) as (
            app,
            teammate,
        ),
    ):
        scene = seed(app.api, teammate.api if teammate else None)
        print(f"the scene is set ({time.monotonic() - started:.0f} s); {app.url}")
        written = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for theme in ("light", "dark"):
                context = browser.new_context(viewport=VIEWPORT, color_scheme=theme)
                context.add_cookies(app.cookies)
                context.set_default_timeout(15_000)
                errors: list[str] = []
                for name, show in screens(app, scene):
                    if args.only not in name:
                        continue
                    page = context.new_page()
                    page.on("pageerror", lambda error, name=name, errors=errors: errors.append(f"{name}: {error}"))
                    show(page)
                    settle(page)
                    path = args.out / f"{name}-{theme}.png"
                    page.screenshot(path=str(path))
                    written += 1
                    page.close()
                context.close()
                if errors:
                    print("the page threw:\n  " + "\n  ".join(errors))
                    return 1
            browser.close()
    print(f"wrote {written} screenshots to {args.out} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
