"""What an artist found wrong on a board, mended, each tried as the artist tried it: Enter in the bulk
dialogs, a click while the composer loads, the picker's search, "Use as input" and switching generator,
refusals and toasts, a grid that stays put, placeholders, the viewer in the URL, transparency, and
uploads named by their file."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.browser.test_board import TILE, open_board, tile, upload
from tests.browser.test_composer import field
from tests.plugins.generators import png_bytes

VIEWER = "[data-testid=viewer]"


def transparent_png(size: int = 96) -> bytes:
    """A picture that is all transparency but a small opaque square in one corner."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    for x in range(8):
        for y in range(8):
            image.putpixel((x, y), (200, 30, 30, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def colours_in(png: bytes) -> set[tuple[int, ...]]:
    """The distinct colours in the middle half of a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    middle = image.crop((width // 4, height // 4, 3 * width // 4, 3 * height // 4))
    return {colour for _count, colour in middle.getcolors(maxcolors=1_000_000)}


def pick_generator(page, name: str) -> None:
    """Open the picker, type the name as a person would, click the generator."""
    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-search]").press_sequentially(name)
    page.locator(f"[data-testid=generator-list] [data-generator='{name}']").click()
    page.locator(f"[data-testid=composer-form][data-generator='{name}'][data-state=idle]").wait_for()


def view_param(page) -> str | None:
    match = re.search(r"[?&]view=([0-9a-f-]{36})", page.url)
    return match.group(1) if match else None


def test_enter_in_the_bulk_tag_and_move_dialogs_tags_and_moves(page, api, installation) -> None:
    board = api.create_board("Bulk: Enter")
    api.create_board("Harbour keepers")
    ids = [upload(api, board, f"{c}.png", png_bytes(f"#{c}", 32)) for c in ("aa3322", "2233aa")]
    open_board(page, installation, board)
    for generation_id in ids:
        tile(page, generation_id).click(modifiers=["Control"])
    page.locator("[data-action=bulk-tag]").click()
    page.locator("[data-testid=tag-dialog] input[name=tag]").press_sequentially("night")
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Tagged 2 generations “night”").wait_for()
    assert all(api.generation(i)["tags"] == [{"name": "night"}] for i in ids)

    page.locator("[data-action=bulk-move]").click()
    page.locator("[data-testid=move-dialog] input[type=search]").press_sequentially("Harb")
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Moved 2 generations to “Harbour keepers”").wait_for()
    page.locator("[data-testid=grid-empty]").wait_for()
    assert {api.generation(i)["boardId"] for i in ids} != {board}

    # A search that hides every board: Enter moves nothing anywhere (and Cancel still says no).
    other = upload(api, board, "left.png", png_bytes("#336633", 32))
    tile(page, other).click(modifiers=["Control"])
    page.locator("[data-action=bulk-move]").click()
    page.locator("[data-testid=move-dialog] input[type=search]").press_sequentially("no such board")
    page.keyboard.press("Enter")
    assert page.locator("[data-testid=move-dialog]").is_visible()
    page.keyboard.press("Escape")
    assert api.generation(other)["boardId"] == board


def test_a_tile_clicked_while_the_composer_loads_opens_the_viewer(page, api, installation) -> None:
    board = api.create_board("Click while loading")
    picture = upload(api, board, "early.png", png_bytes("#884422", 64))
    held = []

    def hold_the_generators(route) -> None:
        if "{ generators {" in (route.request.post_data or ""):
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", hold_the_generators)
    open_board(page, installation, board)
    page.wait_for_function("() => document.querySelector('[data-testid=composer-form]')?.dataset.state === 'loading'")
    assert held, "the composer's generators were not asked for"
    tile(page, picture).click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{picture}']").wait_for()
    for route in held:
        route.continue_()
    page.keyboard.press("Escape")
    page.locator(VIEWER).wait_for(state="detached")
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()


def test_the_generator_picker_starts_a_fresh_search_each_time(page, api, installation) -> None:
    board = api.create_board("Picker")
    open_board(page, installation, board)
    pick_generator(page, "local-title-card")
    page.locator("[data-testid=generator-button]").click()
    search = page.locator("[data-testid=generator-search]")
    assert search.input_value() == ""
    search.press_sequentially("resize")
    assert search.input_value() == "resize"
    first = page.locator("[data-testid=generator-list] [data-generator]").first
    assert first.get_attribute("data-generator") == "local-image-resize"
    page.keyboard.press("Enter")
    page.locator("[data-testid=composer-form][data-generator=local-image-resize]").wait_for()


def test_use_as_input_asks_which_generator_and_switching_keeps_what_was_set(page, api, installation) -> None:
    board = api.create_board("Use as input")
    picture = upload(api, board, "boat.png", png_bytes("#225588", 64))
    open_board(page, installation, board)
    pick_generator(page, "local-title-card")
    tile(page, picture).click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.keyboard.press("i")
    dialog = page.locator("[data-testid=input-target-dialog]")
    dialog.wait_for()
    offered = dialog.locator(".board-pick").evaluate_all("rows => rows.map((row) => row.dataset.value)")
    assert {"local-image-adjust", "local-image-resize"} <= set(offered), offered
    dialog.locator(".board-pick[data-value=local-image-adjust]").click()
    page.keyboard.press("Enter")
    page.locator("[data-testid=composer-form][data-generator=local-image-adjust]").wait_for()
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{picture}']").wait_for()
    page.locator(".toast", has_text="switched to local-image-adjust").wait_for()

    # Switching to another generator with an image slot keeps the image just put in.
    pick_generator(page, "local-image-resize")
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{picture}']").wait_for()
    # And a prompt typed for one generator goes along to the next one that takes a prompt.
    pick_generator(page, "local-title-card")
    field(page, "prompt").locator("textarea").fill("Boats at rest")
    pick_generator(page, "test-every-control")
    assert field(page, "prompt").locator("textarea").input_value() == "Boats at rest"


def test_a_refusal_of_the_whole_input_is_shown_under_its_field(page, api, installation) -> None:
    from tests.uploads.samples import mp4_bytes

    board = api.create_board("Refusal under its field")
    clip = api.upload(board, "clip.mp4", mp4_bytes(), "video/mp4")["id"]
    open_board(page, installation, board)
    pick_generator(page, "local-video-frame")
    tile(page, clip).click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.keyboard.press("i")
    page.locator(f"[data-testid=slot][data-slot=video] [data-generation-id='{clip}']").wait_for()
    second = field(page, "second").locator("input[type=number]")
    second.fill("5")
    page.locator("[data-testid=composer-submit]").click()
    error = field(page, "second").locator("[data-testid=field-error]")
    error.wait_for()
    assert re.fullmatch(r"The video is [\d.]+ s long; pick a second between 0 and [\d.]+\.", error.inner_text()), (
        error.inner_text()
    )
    assert page.locator("[data-testid=form-error]").inner_text() == "Check the field marked above."
    assert page.locator(".toast.error").count() == 0
    assert "inputParams" not in page.locator("[data-testid=composer]").inner_text()


def test_an_error_toast_stays_with_its_board(page, api, installation) -> None:
    board = api.create_board("Where the error happened")
    elsewhere = api.create_board("Somewhere else")
    note = upload(api, board, "note.txt", b"words, not a picture", "text", "text/plain")
    open_board(page, installation, board)
    tile(page, note).click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.keyboard.press("i")  # nothing takes a text: an error, kept until dismissed
    error = page.locator(".toast.error", has_text="No generator here takes a text")
    error.wait_for()
    page.locator(f"{VIEWER}").wait_for(state="detached")
    page.locator("a.brand").click()  # home, then the other board
    page.locator("[data-testid=boards][data-state=ready]").wait_for()
    assert error.is_hidden()
    page.locator(f".board-card[data-board-id='{elsewhere}'] a").first.click()
    page.locator(f".board-page[data-board-id='{elsewhere}'] [data-testid=grid][data-state=ready]").wait_for()
    assert error.is_hidden()
    page.go_back()
    page.go_back()
    page.locator(f".board-page[data-board-id='{board}'] [data-testid=grid][data-state=ready]").wait_for()
    error.wait_for()


def test_queued_generations_share_one_toast(page, api, installation) -> None:
    board = api.create_board("Five cards")
    open_board(page, installation, board)
    pick_generator(page, "local-title-card")
    field(page, "prompt").locator("textarea").fill("A card")
    form = page.locator("[data-testid=composer-form]")
    for count in range(1, 6):
        page.keyboard.press("Control+Enter")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=grid] .tile[data-generation-id]').length === n", arg=count
        )
        form.and_(page.locator("[data-state=idle]")).wait_for()
    toasts = page.locator("[data-testid=toasts] .toast", has_text="Queued")
    assert toasts.count() == 1
    assert toasts.locator(".toast-text").inner_text() == "Queued 5 generations"


def test_selecting_and_filtering_do_not_move_the_grid(page, api, installation) -> None:
    board = api.create_board("Steady grid")
    ids = [upload(api, board, f"{i}.png", png_bytes(f"#{i}{i}4488", 32)) for i in range(6)]
    open_board(page, installation, board)
    first = tile(page, ids[-1])  # the newest is first

    def where() -> tuple[float, float]:
        box = first.bounding_box()
        return box["x"], box["y"]

    before = where()
    tile(page, ids[0]).click(modifiers=["Control"])
    page.locator("[data-testid=selection-bar]").wait_for()
    assert where() == before
    page.keyboard.press("Escape")
    page.locator("[data-testid=selection-bar]").wait_for(state="hidden")
    assert where() == before
    page.locator("[data-filter-type=IMAGE]").click()
    page.locator("[data-testid=clear-filters]").wait_for(state="visible")
    page.locator("[data-testid=grid][data-state=ready]").wait_for()
    first.wait_for()
    assert where() == before
    page.locator("[data-testid=clear-filters]").click()
    page.locator("[data-testid=clear-filters]").wait_for(state="hidden")
    first.wait_for()
    assert where() == before


def test_a_recycled_placeholder_has_no_tooltip_selection_or_buttons(page, api, installation) -> None:
    board = api.create_board("Placeholders")
    for start in range(0, 250, 100):
        inputs = [
            {
                "boardId": board,
                "generatorName": "test-generator",
                "artifactType": "IMAGE",
                "inputParams": {"prompt": f"held {i}"},
            }
            for i in range(start, min(250, start + 100))
        ]
        api.gql(
            "mutation($inputs: [CreateGenerationInput!]!) { createGenerations(inputs: $inputs) { id } }",
            {"inputs": inputs},
        )
    held = []

    def hold_later_pages(route) -> None:
        body = route.request.post_data or ""
        if "GridPage" in body and '"offset":0' not in body:
            held.append(route)
        else:
            route.continue_()

    page.route("**/graphql", hold_later_pages)
    open_board(page, installation, board)
    top = page.locator(TILE).first
    top.click(modifiers=["Control"])  # a selected tile, soon recycled
    assert top.locator("[data-testid=tile-info]").text_content()  # its hover info names it
    page.evaluate(
        "() => { const s = document.querySelector('[data-testid=grid-scroll]'); s.scrollTop = s.scrollHeight / 2; }"
    )
    placeholders = page.locator("[data-testid=grid] .tile[data-placeholder]:visible")
    placeholders.first.wait_for()
    assert held, "the middle of the board was not asked for"
    found = placeholders.evaluate_all(
        """tiles => tiles.map((t) => ({title: t.getAttribute('title'), selected: t.dataset.selected ?? null,
             label: t.getAttribute('aria-label'),
             buttons: [...t.querySelectorAll('.tile-check, .tile-star')].filter((b) => b.checkVisibility()).length}))"""
    )
    assert found and all(f == {"title": None, "selected": None, "label": "Loading…", "buttons": 0} for f in found), (
        found
    )
    placeholders.first.hover()
    assert page.locator("[data-testid=grid] .tile[data-placeholder]:visible .tile-check:visible").count() == 0
    for route in held:
        route.continue_()
    page.unroute("**/graphql")
    page.wait_for_function("() => !document.querySelector('[data-testid=grid] .tile[data-placeholder]:not([hidden])')")


def test_the_viewer_lives_in_the_url(page, api, installation) -> None:
    board = api.create_board("Viewer in the URL")
    older = upload(api, board, "older.png", png_bytes("#113355", 48))
    newer = upload(api, board, "newer.png", png_bytes("#553311", 48))
    open_board(page, installation, board)
    tile(page, newer).click()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{newer}']").wait_for()
    assert view_param(page) == newer
    page.keyboard.press("ArrowRight")
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{older}']").wait_for()
    assert view_param(page) == older

    # Back closes the viewer and stays on the board; Forward opens it again.
    page.go_back()
    page.locator(VIEWER).wait_for(state="detached")
    assert f"#/boards/{board}" in page.url and view_param(page) is None
    assert page.locator("[data-testid=board-title]").inner_text() == "Viewer in the URL"
    page.go_forward()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{older}']").wait_for()

    # A reload (or the link) opens the same result.
    page.reload()
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{older}']").wait_for()
    page.keyboard.press("ArrowLeft")
    page.locator(f"{VIEWER}[data-state=ready][data-generation-id='{newer}']").wait_for()
    assert view_param(page) == newer
    page.keyboard.press("Escape")
    page.locator(VIEWER).wait_for(state="detached")
    assert view_param(page) is None
    assert tile(page, newer).is_visible()


def test_transparency_shows_as_a_checkerboard_in_tiles_and_the_viewer(page, api, installation) -> None:
    board = api.create_board("See-through")
    clear = upload(api, board, "clear.png", transparent_png())
    for scheme in ("dark", "light"):
        page.emulate_media(color_scheme=scheme)
        open_board(page, installation, board)
        picture = tile(page, clear)
        page.locator(f"[data-testid=grid] .tile[data-generation-id='{clear}'][data-loaded=true]").wait_for()
        page.mouse.move(0, 0)
        assert len(colours_in(picture.screenshot())) >= 2, f"a flat tile in {scheme}"
        picture.click()
        stage = page.locator("[data-testid=zoom-stage][data-state=loaded]")
        stage.wait_for()
        image = page.locator("[data-testid=viewer-image]")
        assert len(colours_in(image.screenshot())) >= 2, f"a flat viewer in {scheme}"
        page.keyboard.press("Escape")
        page.locator(VIEWER).wait_for(state="detached")


def test_an_upload_is_titled_by_what_it_is_and_named_by_its_file(page, api, installation) -> None:
    board = api.create_board("Uploads by name")
    sketch = upload(api, board, "harbour-sketch.png", png_bytes("#446688", 48))
    open_board(page, installation, board)
    tile(page, sketch).click()
    viewer = page.locator(f"{VIEWER}[data-state=ready]")
    viewer.wait_for()
    assert viewer.locator("#viewer-title").inner_text() == "Uploaded image"
    assert viewer.locator("[data-testid=viewer-file-name]").inner_text() == "harbour-sketch.png"
    assert viewer.locator("[data-testid=viewer-generator]").inner_text() == "user-upload-image"


def test_the_upload_button_is_reached_with_the_keyboard(page, api, installation) -> None:
    board = api.create_board("Upload by button")
    # The system's file chooser, answered as the artist would (listening first: the browser is told to ask us).
    chosen = []
    page.on(
        "filechooser",
        lambda chooser: (
            chosen.append(chooser),
            chooser.set_files([{"name": "pier.png", "mimeType": "image/png", "buffer": png_bytes("#336699", 40)}]),
        ),
    )
    open_board(page, installation, board)
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
    page.locator("[data-testid=edit-board]").focus()
    button = page.locator("[data-testid=upload-button]")
    for _press in range(10):  # past the tile sizes, Share and Export
        page.keyboard.press("Tab")
        if button.evaluate("node => node === document.activeElement"):
            break
    assert button.evaluate("node => node === document.activeElement"), "Tab never reached the Upload button"

    assert "Upload" in button.inner_text()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="Uploaded pier.png").wait_for()
    assert len(chosen) == 1
    page.locator(TILE).first.click()
    page.locator(f"{VIEWER}[data-state=ready] [data-testid=viewer-file-name]", has_text="pier.png").wait_for()


def test_cancel_in_the_selection_bar_stops_the_running_ones(page, api, installation) -> None:
    board = api.create_board("Cancel from the bar")
    done = upload(api, board, "done.png", png_bytes("#446644", 32))
    held = [api.generate(board, "test-generator", "IMAGE", {"prompt": f"waits {i}"}) for i in range(2)]
    open_board(page, installation, board)
    tile(page, done).click(modifiers=["Control"])
    cancel = page.locator("[data-action=bulk-cancel]")
    assert cancel.is_hidden()  # nothing selected runs
    for generation_id in held:
        tile(page, generation_id).click(modifiers=["Control"])
    assert cancel.inner_text() == "Cancel 2 running"
    cancel.click()
    page.locator(".toast", has_text="Cancelled 2 generations").wait_for()
    for generation_id in held:
        page.locator(f'.tile[data-generation-id="{generation_id}"][data-status=cancelled]').wait_for()
        assert api.generation(generation_id)["status"] == "CANCELLED"
    cancel.wait_for(state="hidden")
    assert api.generation(done)["status"] == "COMPLETED"


def test_a_queued_tile_shows_its_prompt(page, api, installation) -> None:
    board = api.create_board("Queued prompt")
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "gulls over the pier"})
    open_board(page, installation, board)
    waiting = tile(page, held)
    assert "Queued" in waiting.locator("[data-testid=tile-phase]").inner_text()
    assert waiting.locator("[data-testid=tile-message]").inner_text() == "gulls over the pier"


def test_copy_link_opens_the_same_result_elsewhere(page, api, installation) -> None:
    board = api.create_board("A link to one")
    api.create_board("Another board")
    picture = upload(api, board, "linked.png", png_bytes("#993366", 48))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=installation.url)
    open_board(page, installation, board)
    tile(page, picture).click()
    page.locator(f"{VIEWER}[data-state=ready]").wait_for()
    page.locator("[data-testid=viewer-copy-link]").click()
    page.locator(".toast", has_text="Link copied").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{installation.url}/#/boards/{board}?view={picture}"
    other = page.context.new_page()
    other.goto(f"{installation.url}/#/")
    other.locator("[data-testid=boards][data-state=ready]").wait_for()
    other.goto(link)
    other.locator(f"{VIEWER}[data-state=ready][data-generation-id='{picture}']").wait_for()
    assert other.locator("[data-testid=board-title]").inner_text() == "A link to one"
    other.close()
