"""Home: the boards as cards; create, rename, describe, delete with confirmation, search, covers."""

from __future__ import annotations

import re
import time

BOARDS = "[data-testid=boards]"
READY = "[data-testid=boards][data-state=ready]"


def card(page, title: str):
    title_only = page.locator("strong", has_text=re.compile(f"^{re.escape(title)}$"))
    return page.locator(f"{BOARDS} li[data-board-id]", has=title_only)


def titles(page) -> list[str]:
    page.locator(READY).wait_for()
    return page.locator(f"{BOARDS} li[data-board-id] strong").all_inner_texts()


def open_menu(page, title: str, action: str) -> None:
    target = card(page, title)
    target.hover()
    target.locator("[data-testid=board-menu]").click()
    target.locator(f"[role=menuitem][data-action={action}]").click()


def wait_for_toast(page, text: str) -> None:
    page.locator("[data-testid=toasts] .toast", has_text=text).first.wait_for()


def test_a_board_made_with_the_new_board_button_opens_and_then_shows_as_a_card(page) -> None:
    page.locator(READY).wait_for()
    page.locator("[data-testid=new-board]").click()
    dialog = page.locator("[data-testid=form-dialog]")
    dialog.locator("input[name=title]").fill("Harbour studies")
    dialog.get_by_role("button", name="Create board").click()
    page.wait_for_url(re.compile(r"#/boards/[0-9a-f-]{36}$"))
    board_id = page.url.rsplit("/", 1)[1]
    wait_for_toast(page, "Board “Harbour studies” created")

    page.locator("a.brand").click()
    created = card(page, "Harbour studies")
    created.wait_for()
    assert created.get_attribute("data-board-id") == board_id
    assert "0 generations" in created.inner_text()
    assert "just now" in created.inner_text()
    # A card opens with a click, and from the keyboard with Enter.
    created.locator("strong").click()
    page.wait_for_url(re.compile(f"#/boards/{board_id}$"))
    page.go_back()
    card(page, "Harbour studies").locator("a.card-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"#/boards/{board_id}$"))


def test_the_n_shortcut_asks_for_a_name_and_cancel_makes_nothing(page) -> None:
    before = titles(page)
    page.keyboard.press("n")
    dialog = page.locator("[data-testid=form-dialog]")
    dialog.wait_for()
    dialog.locator("input[name=title]").fill("Never made")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert titles(page) == before
    assert "#/boards/" not in page.url


def test_rename_and_describe_from_the_card_menu(page, api) -> None:
    api.create_board("Sketchbook")
    page.reload()
    page.locator(READY).wait_for()

    open_menu(page, "Sketchbook", "rename")
    dialog = page.locator("[data-testid=form-dialog]")
    dialog.locator("input[name=title]").fill("Sketchbook, winter")
    dialog.get_by_role("button", name="Rename").click()
    wait_for_toast(page, "Renamed to “Sketchbook, winter”")
    renamed = card(page, "Sketchbook, winter")
    renamed.wait_for()
    assert "Sketchbook" not in titles(page)

    open_menu(page, "Sketchbook, winter", "describe")
    dialog = page.locator("[data-testid=form-dialog]")
    dialog.locator("textarea[name=description]").fill("Frosted windows and bare trees, in ink.")
    dialog.get_by_role("button", name="Save").click()
    wait_for_toast(page, "Description of “Sketchbook, winter” saved")
    assert renamed.locator("[data-testid=board-description]").inner_text() == "Frosted windows and bare trees, in ink."

    # Both stay after a reload: they were saved, not only drawn.
    page.reload()
    renamed = card(page, "Sketchbook, winter")
    renamed.wait_for()
    assert "Frosted windows" in renamed.inner_text()


def test_delete_asks_first_naming_the_board_and_its_generations(page, api) -> None:
    board = api.create_board("Old experiments")
    api.generate(board, "test-fast", "IMAGE", {"prompt": "one"})
    api.generate(board, "test-fast", "IMAGE", {"prompt": "two"})
    page.reload()
    page.locator(READY).wait_for()

    open_menu(page, "Old experiments", "delete")
    confirm = page.locator("[data-testid=confirm-dialog]")
    assert "Old experiments" in confirm.inner_text()
    assert "2 generations" in confirm.inner_text()
    confirm.get_by_role("button", name="Cancel").click()
    confirm.wait_for(state="detached")
    assert "Old experiments" in titles(page)

    open_menu(page, "Old experiments", "delete")
    page.locator("[data-testid=confirm-dialog]").get_by_role("button", name="Delete board").click()
    wait_for_toast(page, "Board “Old experiments” deleted")
    card(page, "Old experiments").wait_for(state="detached")
    page.reload()
    assert "Old experiments" not in titles(page)
    assert api.gql("query($id: UUID!) { board(id: $id) { id } }", {"id": board})["board"] is None


def test_search_filters_the_boards_and_slash_focuses_it(page, api) -> None:
    api.create_board("Moth wings", "macro photographs")
    api.create_board("Tide pools", "anemones and MOTH-like shrimp")
    api.create_board("City at night")
    page.reload()
    page.locator(READY).wait_for()

    page.keyboard.press("/")
    search = page.locator("[data-testid=board-search]")
    assert page.evaluate("document.activeElement.dataset.testid") == "board-search"
    search.type("moth")
    deadline = time.monotonic() + 10
    while set(titles(page)) != {"Moth wings", "Tide pools"}:  # title or description, any case
        assert time.monotonic() < deadline, titles(page)
        time.sleep(0.05)
    assert "2 matching boards" in page.locator("[data-testid=board-count]").inner_text()

    search.fill("no such board anywhere")
    page.locator("[data-testid=no-matches]").wait_for()
    assert titles(page) == []

    search.fill("")
    deadline = time.monotonic() + 10
    while not {"Moth wings", "Tide pools", "City at night"} <= set(titles(page)):
        assert time.monotonic() < deadline, titles(page)
        time.sleep(0.05)


def test_covers_show_recent_results_and_a_board_without_any_shows_a_placeholder(page, api) -> None:
    with_results = api.create_board("Title cards")
    generations = [
        api.generate(with_results, "local-title-card", "IMAGE", {"prompt": f"Card {n}", "width": 256, "height": 192})
        for n in range(5)
    ]
    deadline = time.monotonic() + 60
    while any(api.generation(g)["status"] != "COMPLETED" for g in generations):
        assert time.monotonic() < deadline, [api.generation(g)["status"] for g in generations]
        time.sleep(0.2)
    api.create_board("Nothing yet")
    page.reload()
    page.locator(READY).wait_for()

    covered = card(page, "Title cards")
    mosaic = covered.locator("[data-testid=cover]")
    assert mosaic.get_attribute("data-count") == "4"  # the newest four of five
    images = mosaic.locator("img")
    assert images.count() == 4
    page.wait_for_function(
        "el => [...el.querySelectorAll('img')].every(img => img.complete && img.naturalWidth > 0)",
        arg=mosaic.element_handle(),
    )
    assert "5 generations" in covered.inner_text()

    empty = card(page, "Nothing yet")
    assert empty.locator("[data-testid=cover-placeholder]").count() == 1
    assert empty.locator("img").count() == 0
    assert "0 generations" in empty.inner_text()


def test_an_installation_without_boards_invites_to_make_the_first(page, api) -> None:
    for board in api.gql("{ myBoards(limit: 200) { id } }")["myBoards"]:
        api.gql("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board["id"]})
    page.reload()
    invite = page.locator("[data-testid=no-boards]")
    invite.wait_for()
    invite.get_by_role("button", name="Create a board").click()
    page.locator("[data-testid=form-dialog] input[name=title]").fill("First of many")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/boards/[0-9a-f-]{36}$"))


def test_the_cards_are_reached_and_opened_from_the_keyboard(page, api) -> None:
    for title in ("Keys one", "Keys two"):
        api.create_board(title)
    page.reload()
    page.locator(READY).wait_for()
    first, second = [li.get_attribute("data-board-id") for li in page.locator(f"{BOARDS} li[data-board-id]").all()[:2]]
    page.keyboard.press("/")
    page.keyboard.press("ArrowDown")  # from the search to the first card
    assert page.evaluate("document.activeElement.closest('li')?.dataset.boardId") == first
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.closest('li')?.dataset.boardId") == second
    # The card's menu opens from the keyboard too, and Escape closes it again.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    menu = page.locator("[data-testid=board-menu-items]")
    menu.wait_for()
    assert page.evaluate("document.activeElement.dataset.action") == "rename"
    page.keyboard.press("Escape")
    menu.wait_for(state="detached")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(f"#/boards/{second}$"))


def test_failures_are_said_not_swallowed(page) -> None:
    page.locator(READY).wait_for()

    def refuse_boards(route):
        if "myBoards" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route("**/graphql", refuse_boards)
    page.reload()
    page.locator("[data-testid=boards][data-state=error]").wait_for()
    assert "could not be loaded" in page.locator(BOARDS).inner_text()
    page.unroute("**/graphql")
    page.get_by_role("button", name="Try again").click()
    page.locator(READY).wait_for()

    def refuse_create(route):
        if "createBoard" in (route.request.post_data or ""):
            refusal = '{"data": null, "errors": [{"message": "the disk is full", "extensions": {"code": "ERROR"}}]}'
            route.fulfill(status=200, content_type="application/json", body=refusal)
        else:
            route.continue_()

    page.route("**/graphql", refuse_create)
    page.locator("[data-testid=new-board]").click()
    page.locator("[data-testid=form-dialog] input[name=title]").fill("Cannot be made")
    page.keyboard.press("Enter")
    error = page.locator("[data-testid=toasts] .toast[data-kind=error]")
    error.wait_for()
    assert "Could not create the board: the disk is full" in error.inner_text()
    assert "#/boards/" not in page.url


def test_a_cards_time_says_when_in_the_short_form_on_hover(page, api) -> None:
    api.create_board("Tide tables")
    page.reload()
    when = card(page, "Tide tables").locator("time")
    when.wait_for()
    assert when.inner_text() == "just now"
    expected = page.evaluate(
        """(iso) => new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(iso))""",
        when.get_attribute("datetime"),
    )
    # "7 Dec 2026, 14:05", as the viewer says it: no seconds, no weekday, no long form.
    assert when.get_attribute("title") == expected
    assert expected.count(":") == 1
