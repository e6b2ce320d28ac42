"""A board's grid in a real browser: live tiles (progress, cancel, failure and retry), favourites,
filters and search, multi-select with the bulk actions, the zip download, drop-anywhere uploads,
and a grid that renders only what is on screen."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import RESULTS
from tests.plugins.generators import png_bytes

TILE = "[data-testid=grid] .tile[data-generation-id]"


def open_board(page, installation, board_id: str) -> None:
    page.goto(f"{installation.url}/#/boards/{board_id}")
    page.locator("[data-testid=grid][data-state=ready]").wait_for()


def tile(page, generation_id: str):
    return page.locator(f'[data-testid=grid] .tile[data-generation-id="{generation_id}"]')


def listen_for_the_viewer(page) -> None:
    """Record each `viewer:open` on the bus in window.__opened (and its neighbour function)."""
    page.evaluate(
        """() => { window.__opened = []; import('/ui/js/bus.js').then(({on}) => on('viewer:open',
                   ({id, neighbour}) => { window.__opened.push(id); window.__neighbour = neighbour; })); }"""
    )
    page.wait_for_timeout(100)


def close_viewer(page) -> None:
    """Escape closes the viewer a plain click or Enter opened (when the viewer is there)."""
    page.wait_for_timeout(200)
    if page.locator("[data-testid=viewer]").count():
        page.keyboard.press("Escape")
        page.locator("[data-testid=viewer]").wait_for(state="detached")


def total(page) -> str:
    return page.locator("[data-testid=grid-total]").inner_text()


def upload(api, board_id: str, name: str, content: bytes, artifact_type: str = "image", mime: str = "image/png") -> str:
    assert mime.split("/")[0] == artifact_type  # api.upload sends the type its content type names
    return api.upload(board_id, name, content, mime)["id"]


def wait_status(api, generation_id: str, status: str, page) -> None:
    for _ in range(100):
        if api.generation(generation_id)["status"] == status:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{generation_id} never became {status}")


def test_a_running_title_card_shows_its_progress_then_its_thumbnail(page, api, installation) -> None:
    board = api.create_board("Title cards")
    open_board(page, installation, board)
    assert total(page) == "0 generations"
    page.locator("[data-testid=grid-empty]").wait_for()
    # A large card takes a moment: long enough to see it run.
    card = api.generate(
        board, "local-title-card", "IMAGE", {"prompt": "The lighthouse at dusk", "width": 4096, "height": 4096}
    )
    running = tile(page, card)
    running.wait_for()
    assert running.get_attribute("data-artifact-type") == "image"
    assert total(page) == "1 generation"
    # Live from the SSE stream: a phase, and the progress the generator published.
    page.wait_for_function(
        """id => { const t = document.querySelector(`.tile[data-generation-id="${id}"]`);
                   return t && (t.dataset.status === 'processing' || t.dataset.status === 'completed'); }""",
        arg=card,
        timeout=20_000,
    )
    page.locator(f'.tile[data-generation-id="{card}"][data-status=completed][data-loaded=true]').wait_for(
        timeout=30_000
    )
    img = running.locator("img")
    assert "/api/storage/" in img.get_attribute("src")
    assert img.get_attribute("loading") == "lazy" and img.get_attribute("decoding") == "async"
    assert page.evaluate("id => document.querySelector(`.tile[data-generation-id='${id}'] img`).naturalWidth > 0", card)


def test_progress_phase_and_message_come_live(page, api, installation) -> None:
    board = api.create_board("Slow ones")
    open_board(page, installation, board)
    slow = api.generate(board, "test-slow", "IMAGE", {"steps": 40, "delay": 0.1})
    running = tile(page, slow)
    running.wait_for()
    message = running.locator("[data-testid=tile-message]")
    page.wait_for_function(
        "id => /step \\d+ of 40/.test(document.querySelector(`.tile[data-generation-id='${id}'] [data-testid=tile-message]`)?.textContent)",
        arg=slow,
        timeout=15_000,
    )
    assert re.match(r"step \d+ of 40", message.inner_text())
    assert "%" in running.locator("[data-testid=tile-phase]").inner_text()
    width = running.locator(".tile-progress-bar").evaluate("bar => parseFloat(bar.style.width)")
    assert 0 < width <= 100
    page.locator(f'.tile[data-generation-id="{slow}"][data-status=completed]').wait_for(timeout=20_000)


def test_a_held_job_is_pending_until_cancelled(page, api, installation) -> None:
    board = api.create_board("Held")
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "waits forever"})
    open_board(page, installation, board)
    pending = tile(page, held)
    assert pending.get_attribute("data-status") == "pending"
    assert "Queued" in pending.locator("[data-testid=tile-phase]").inner_text()
    pending.hover()
    pending.locator("[data-testid=cancel]").click()
    page.locator(f'.tile[data-generation-id="{held}"][data-status=cancelled]').wait_for()
    assert "Cancelled" in pending.inner_text()
    assert api.generation(held)["status"] == "CANCELLED"
    assert pending.locator("[data-testid=retry]").is_visible()  # a cancelled one can be queued again


def test_a_failed_one_shows_its_error_and_retry_makes_a_new_one(page, api, installation) -> None:
    board = api.create_board("Broken")
    open_board(page, installation, board)
    broken = api.generate(board, "test-broken", "IMAGE", {"prompt": "a square circle"})
    failed = page.locator(f'.tile[data-generation-id="{broken}"][data-status=failed]')
    failed.wait_for(timeout=15_000)
    assert "cannot draw" in failed.locator("[data-testid=tile-error]").inner_text()
    failed.locator("[data-testid=retry]").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=grid] .tile[data-generation-id]').length === 2"
    )
    first = page.locator(TILE).first
    assert first.get_attribute("data-generation-id") != broken  # the new one is at the top
    assert total(page) == "2 generations"


def test_the_star_and_the_favourites_filter(page, api, installation) -> None:
    board = api.create_board("Stars")
    ids = [
        upload(api, board, f"p{i}.png", png_bytes(colour)) for i, colour in enumerate(["#aa0000", "#00aa00", "#0000aa"])
    ]
    open_board(page, installation, board)
    assert total(page) == "3 generations"
    one = tile(page, ids[1])
    one.hover()
    one.locator("[data-testid=favourite]").click()
    page.locator(f'.tile[data-generation-id="{ids[1]}"] [data-testid=favourite][aria-pressed=true]').wait_for()
    assert api.generation(ids[1])["isFavourite"] is True
    # The keyboard: F stars the focused tile.
    tile(page, ids[0]).focus()
    page.keyboard.press("f")
    page.locator(f'.tile[data-generation-id="{ids[0]}"] [data-testid=favourite][aria-pressed=true]').wait_for()
    page.locator("[data-testid=filter-favourites]").click()
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent.startsWith('2 of 3')")
    shown = {t.get_attribute("data-generation-id") for t in page.locator(TILE).all()}
    assert shown == {ids[0], ids[1]}


def test_type_and_generator_filters_and_the_search_narrow_the_grid(page, api, installation) -> None:
    board = api.create_board("Mixed")
    picture = upload(api, board, "sea.png", png_bytes())
    note = upload(api, board, "note.txt", b"A poem about the sea and its lighthouse keeper.", "text", "text/plain")
    held = [
        api.generate(board, "test-generator", "IMAGE", {"prompt": words})
        for words in ("a red lighthouse", "a blue whale")
    ]
    open_board(page, installation, board)
    assert total(page) == "4 generations"
    # The text tile shows its file's excerpt.
    page.wait_for_function(
        "id => document.querySelector(`.tile[data-generation-id='${id}'] .tile-excerpt`)?.textContent.includes('lighthouse keeper')",
        arg=note,
    )
    page.locator("[data-filter-type=TEXT]").click()
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent.startsWith('1 of 4')")
    assert [t.get_attribute("data-generation-id") for t in page.locator(TILE).all()] == [note]
    page.locator("[data-filter-type=TEXT]").click()
    page.locator("[data-testid=filter-generator]").select_option("test-generator")
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent.startsWith('2 of 4')")
    assert {t.get_attribute("data-generation-id") for t in page.locator(TILE).all()} == set(held)
    page.locator("[data-testid=clear-filters]").click()
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent === '4 generations'")
    # `/` goes to the search; the search is by prompt words.
    page.locator("body").click(position={"x": 700, "y": 5})
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.dataset.testid") == "grid-search"
    page.keyboard.type("whale")
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent.startsWith('1 of 4')")
    assert [t.get_attribute("data-generation-id") for t in page.locator(TILE).all()] == [held[1]]
    page.locator("[data-testid=filter-status]").select_option("COMPLETED")
    page.locator("[data-testid=grid-empty]").wait_for()
    assert "Nothing here matches" in page.locator("[data-testid=grid-empty]").inner_text()
    assert picture  # the image stayed out of every filter above but the first


def test_multi_select_then_bulk_move_and_bulk_delete(page, api, installation) -> None:
    board = api.create_board("Many")
    other = api.create_board("Elsewhere")
    ids = [upload(api, board, f"m{i}.png", png_bytes(f"#{i:02x}{i:02x}80")) for i in range(8)]
    newest = list(reversed(ids))  # the grid's order
    open_board(page, installation, board)
    # A plain click opens the viewer (the bus event); Ctrl-click selects.
    listen_for_the_viewer(page)
    tile(page, newest[0]).click()
    page.wait_for_function("() => window.__opened.length === 1")
    assert page.evaluate("window.__opened[0]") == newest[0]
    assert page.evaluate(f"window.__neighbour('{newest[0]}', 1)") == newest[1]
    assert page.evaluate(f"window.__neighbour('{newest[0]}', -1)") is None
    close_viewer(page)
    tile(page, newest[0]).click(modifiers=["Control"])
    tile(page, newest[3]).click(modifiers=["Shift"])
    page.locator("[data-testid=selection-bar]").wait_for()
    assert page.locator("[data-testid=selection-count]").inner_text() == "4 selected"
    assert page.evaluate("window.__opened.length") == 1  # selecting opened nothing
    # Escape clears; a box dragged from the empty space below the tiles selects what it covers.
    page.keyboard.press("Escape")
    page.locator("[data-testid=selection-bar]").wait_for(state="hidden")
    scroller = page.locator("[data-testid=grid-scroll]").bounding_box()
    first = tile(page, newest[0]).bounding_box()
    second = tile(page, newest[1]).bounding_box()
    start = (
        first["x"] + first["width"] + (second["x"] - first["x"] - first["width"]) / 2,
        scroller["y"] + scroller["height"] - 10,
    )
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(second["x"] + second["width"] / 2, first["y"] + first["height"] / 2, steps=8)
    page.mouse.up()
    boxed = {t.get_attribute("data-generation-id") for t in page.locator(f"{TILE}[data-selected=true]").all()}
    assert newest[1] in boxed and newest[0] not in boxed
    assert len(boxed) == page.evaluate("document.querySelectorAll('.tile[data-selected=true]').length")
    # Move the box's tiles to the other board.
    moved = sorted(boxed)
    page.locator("[data-action=bulk-move]").click()
    dialog = page.locator("[data-testid=move-dialog]")
    dialog.locator(f'[data-board-id="{other}"]').click()
    dialog.get_by_role("button", name="Move").click()
    page.locator(".toast", has_text="Moved").wait_for()
    for generation_id in moved:
        tile(page, generation_id).wait_for(state="detached")
        assert api.generation(generation_id)["boardId"] == other
    assert total(page) == f"{8 - len(moved)} generations"
    # Select all loaded, then Delete (asks first).
    page.locator("[data-testid=grid-scroll]").click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+a")
    assert page.locator("[data-testid=selection-count]").inner_text() == f"{8 - len(moved)} selected"
    page.keyboard.press("Delete")
    page.locator("[data-testid=confirm-dialog]").get_by_role("button", name="Delete").click()
    page.locator("[data-testid=grid-empty]").wait_for()
    assert total(page) == "0 generations"


def test_a_running_one_cannot_move_and_says_so(page, api, installation) -> None:
    board = api.create_board("Running")
    api.create_board("Target")
    done = upload(api, board, "done.png", png_bytes())
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "still going"})
    open_board(page, installation, board)
    tile(page, done).click(modifiers=["Control"])
    tile(page, held).click(modifiers=["Control"])
    page.locator("[data-action=bulk-move]").click()
    dialog = page.locator("[data-testid=move-dialog]")
    dialog.get_by_role("button", name="Move").click()
    refusal = page.locator(".toast.error", has_text="Nothing was moved")
    refusal.wait_for()
    # The finished one can still go: the toast offers it.
    refusal.get_by_role("button", name=re.compile("Move the 1 finished one")).click()
    tile(page, done).wait_for(state="detached")
    assert tile(page, held).count() == 1


def test_bulk_tag_then_the_tag_filter(page, api, installation) -> None:
    board = api.create_board("Tagging")
    ids = [upload(api, board, f"t{i}.png", png_bytes()) for i in range(3)]
    open_board(page, installation, board)
    tile(page, ids[0]).click(modifiers=["Control"])
    tile(page, ids[2]).click(modifiers=["Control"])
    page.locator("[data-action=bulk-tag]").click()
    dialog = page.locator("[data-testid=tag-dialog]")
    dialog.locator("input[name=tag]").fill("keepers")
    dialog.get_by_role("button", name="Tag", exact=True).click()
    page.locator(".toast", has_text="Tagged 2 generations").wait_for()
    assert [t["name"] for t in api.generation(ids[0])["tags"]] == ["keepers"]
    assert api.generation(ids[1])["tags"] == []
    page.keyboard.press("Escape")
    page.locator("[data-testid=filter-tag]").select_option(label="keepers")
    page.wait_for_function("() => document.querySelector('[data-testid=grid-total]').textContent.startsWith('2 of 3')")
    assert {t.get_attribute("data-generation-id") for t in page.locator(TILE).all()} == {ids[0], ids[2]}


def test_download_the_selection_as_a_zip(page, api, installation) -> None:
    board = api.create_board("Zip me")
    ids = [upload(api, board, f"z{i}.png", png_bytes()) for i in range(2)]
    api.generate(board, "test-generator", "IMAGE", {"prompt": "no file yet"})
    open_board(page, installation, board)
    page.keyboard.press("Control+a")
    assert page.locator("[data-testid=selection-count]").inner_text() == "3 selected"
    with page.expect_download() as download_info:
        page.locator("[data-action=bulk-download]").click()
    download = download_info.value
    assert download.suggested_filename == "zip-me-2.zip"
    page.locator(".toast", has_text="1 without a file yet is left out").wait_for()
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        names = archive.namelist()
        assert len(names) == 2
        assert all(archive.read(name).startswith(b"\x89PNG") for name in names)
    assert ids


def drop_files(page, target: str, files: list[tuple[str, str, list[int]]]) -> None:
    """Drop files (name, mime, bytes) on the element matching `target`, as the desktop would."""
    handle = page.evaluate_handle(
        """files => { const dt = new DataTransfer();
                      for (const [name, type, bytes] of files) dt.items.add(new File([new Uint8Array(bytes)], name, {type}));
                      return dt; }""",
        files,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(target, event, {"dataTransfer": handle})


def test_drop_files_anywhere_to_upload_them_and_see_the_refusals(page, api, installation) -> None:
    board = api.create_board("Drops")
    open_board(page, installation, board)
    drop_files(
        page,
        "[data-testid=grid-scroll]",
        [
            ("harbour.png", "image/png", list(png_bytes("#225588", 64))),
            ("setup.exe", "application/x-msdownload", [0x4D, 0x5A, 0x90, 0x00] * 8),
            ("fake.png", "image/png", [0x4D, 0x5A, 0x90, 0x00] * 8),
        ],
    )
    panel = page.locator("[data-testid=upload-panel]")
    panel.wait_for()
    done = panel.locator('.upload-row[data-name="harbour.png"][data-state=done]')
    done.wait_for()
    generation_id = done.get_attribute("data-generation-id")
    assert done.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"
    tile(page, generation_id).wait_for()
    assert total(page) == "1 generation"
    exe = panel.locator('.upload-row[data-name="setup.exe"][data-state=refused]')
    exe.wait_for()
    assert "not an image, video, audio or text file" in exe.inner_text()
    fake = panel.locator('.upload-row[data-name="fake.png"][data-state=refused]')
    fake.wait_for()
    assert "Not uploaded" in fake.inner_text() and "image" in fake.inner_text().lower()
    assert page.locator(TILE).count() == 1


def test_a_tile_dropped_on_the_grid_is_not_an_upload(page, api, installation) -> None:
    board = api.create_board("Tile drag")
    only = upload(api, board, "one.png", png_bytes())
    open_board(page, installation, board)
    data = page.evaluate_handle(
        """id => { const dt = new DataTransfer();
                   dt.setData('application/x-boards-generation', JSON.stringify({id, artifactType: 'IMAGE'}));
                   return dt; }""",
        only,
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event("[data-testid=grid-scroll]", event, {"dataTransfer": data})
    # A file dropped in the composer is the composer's (its slots upload for themselves).
    drop_files(page, "[data-testid=composer]", [("slot.png", "image/png", list(png_bytes()))])
    page.wait_for_timeout(300)
    assert page.locator("[data-testid=upload-panel]").is_hidden()
    assert page.locator("[data-testid=drop-overlay]").is_hidden()
    assert page.locator("[data-testid=grid-total]").inner_text() == "1 generation"
    # The tile's drag carries the contract the composer reads.
    payload = page.evaluate(
        """id => { const dt = new DataTransfer(); const t = document.querySelector(`.tile[data-generation-id='${id}']`);
                   t.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
                   return dt.getData('application/x-boards-generation'); }""",
        only,
    )
    assert json.loads(payload)["id"] == only
    assert tile(page, only).get_attribute("draggable") == "true"


def test_created_changed_and_removed_on_the_bus(page, api, installation) -> None:
    board = api.create_board("Bus")
    open_board(page, installation, board)
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "from the composer"})
    generation = api.gql(
        "query($id: UUID!) { generation(id: $id) { id boardId generatorName artifactType status progress errorMessage"
        " storageUrl thumbnailUrl prompt isFavourite inputParams outputMetadata createdAt startedAt completedAt updatedAt"
        " tags { id name slug } inputArtifacts { generationId role artifactType } } }",
        {"id": held},
    )["generation"]
    page.evaluate(
        "g => import('/ui/js/bus.js').then(({emit}) => emit('generation:created', {generation: g}))", generation
    )
    tile(page, held).wait_for()
    page.evaluate(
        "g => import('/ui/js/bus.js').then(({emit}) => emit('generation:changed', {generation: {...g, isFavourite: true}}))",
        generation,
    )
    page.locator(f'.tile[data-generation-id="{held}"] [data-testid=favourite][aria-pressed=true]').wait_for()
    page.evaluate("id => import('/ui/js/bus.js').then(({emit}) => emit('generations:removed', {ids: [id]}))", held)
    tile(page, held).wait_for(state="detached")
    assert total(page) == "0 generations"
    # A late word of a removed one (its job's last event, the stream's first state) does not bring it back.
    page.evaluate(
        "g => import('/ui/js/bus.js').then(({emit}) => emit('generation:created', {generation: g}))", generation
    )
    page.wait_for_timeout(300)
    assert tile(page, held).count() == 0 and total(page) == "0 generations"


def test_a_big_board_renders_only_what_is_on_screen(page, api, installation) -> None:
    board = api.create_board("Three hundred")
    for start in range(0, 300, 100):
        api.gql(
            "mutation($inputs: [CreateGenerationInput!]!) { createGenerations(inputs: $inputs) { id } }",
            {
                "inputs": [
                    {
                        "boardId": board,
                        "generatorName": "test-generator",
                        "artifactType": "IMAGE",
                        "inputParams": {"prompt": f"held {i}"},
                    }
                    for i in range(start, start + 100)
                ]
            },
        )
    open_board(page, installation, board)
    assert total(page) == "300 generations"
    rendered = page.locator(TILE).count()
    assert 0 < rendered < 80, rendered
    height = page.evaluate("document.querySelector('.grid-canvas').getBoundingClientRect().height")
    assert height > 3000  # sized for all 300
    page.evaluate(
        "() => { const s = document.querySelector('[data-testid=grid-scroll]'); s.scrollTop = s.scrollHeight; }"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tile')].some(t => t.index === 299 && t.dataset.generationId)"
    )
    assert page.locator(f"{TILE}:visible").count() < 80
    assert page.evaluate("document.querySelectorAll('[data-testid=grid] .tile').length") < 100  # nodes are recycled


def test_a_job_that_ends_before_the_stream_opens_is_shown_ended(page, api, installation) -> None:
    """The first page is read while the job runs; its end comes before the board's stream begins, so
    no event tells of it: the page reads its running tiles again once the stream is open."""
    board = api.create_board("Between the page and the stream")
    job = api.generate(board, "test-slow", "IMAGE", {"steps": 20, "delay": 0.1})
    deadline = time.monotonic() + 15
    while api.generation(job)["status"] != "PROCESSING" and time.monotonic() < deadline:
        time.sleep(0.05)

    def once_ended(route) -> None:
        # The stream's request waits here until the job has ended: its events are then in the past.
        while api.generation(job)["status"] != "COMPLETED" and time.monotonic() < deadline:
            time.sleep(0.05)
        route.continue_()

    page.route("**/api/sse/boards/**", once_ended)
    page.goto(f"{installation.url}/#/boards/{board}")
    expect(tile(page, job)).to_have_attribute("data-status", "completed", timeout=15_000)


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_screenshot_of_a_board(page, api, installation, scheme) -> None:
    """A board in each theme, for a look: test-results/board-<scheme>.png."""
    board = api.create_board(f"A look in {scheme}", "Harbour studies for the spring show, with some failures kept.")
    for colour in ["#1f6f8b", "#99a8b2", "#e6d5b8", "#b5838d", "#6d6875", "#ffb4a2"]:
        upload(api, board, f"{colour[1:]}.png", png_bytes(colour, 256))
    upload(
        api,
        board,
        "notes.txt",
        b"Notes for the harbour series: the light at six, the boats at rest.",
        "text",
        "text/plain",
    )
    api.generate(board, "test-broken", "IMAGE", {"prompt": "an impossible boat"})
    api.generate(board, "test-generator", "IMAGE", {"prompt": "a slow harbour"})
    page.emulate_media(color_scheme=scheme)
    open_board(page, installation, board)
    page.locator(".tile[data-status=failed]").wait_for(timeout=15_000)
    page.locator(TILE).nth(3).click(modifiers=["Control"])
    page.wait_for_timeout(400)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(21, 21, 23)") == (scheme == "dark"), background
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"board-{scheme}.png"))


def test_video_plays_muted_and_audio_plays_on_hover(page, api, installation) -> None:
    from tests.uploads.samples import mp4_bytes, wav_bytes

    board = api.create_board("Moving pictures")
    clip = upload(api, board, "clip.mp4", mp4_bytes(), "video", "video/mp4")
    sound = upload(api, board, "sound.wav", wav_bytes(), "audio", "audio/wav")
    open_board(page, installation, board)
    video_tile = tile(page, clip)
    assert video_tile.get_attribute("data-artifact-type") == "video"
    assert video_tile.get_attribute("data-thumb") == "true"  # its poster frame
    video_tile.hover()
    video = video_tile.locator("video.tile-preview")
    video.wait_for()
    assert video.evaluate("v => v.muted && v.loop")
    assert "/api/storage/" in video.get_attribute("src")
    audio_tile = tile(page, sound)
    audio_tile.hover()
    page.locator(f'.tile[data-generation-id="{sound}"][data-previewing=true]').wait_for()
    assert video_tile.locator("video").count() == 0  # the video stopped when the pointer left
    page.mouse.move(5, 5)
    page.locator(f'.tile[data-generation-id="{sound}"][data-previewing=true]').wait_for(state="detached")


def test_rename_and_describe_the_board_from_its_header(page, api, installation) -> None:
    board = api.create_board("Untitled")
    open_board(page, installation, board)
    page.locator("[data-testid=edit-board]").click()
    dialog = page.locator("[data-testid=form-dialog]")
    dialog.locator("input[name=title]").fill("Lighthouses")
    dialog.locator("textarea[name=description]").fill("Studies at dusk")
    dialog.get_by_role("button", name="Save").click()
    page.locator("[data-testid=board-title]", has_text="Lighthouses").wait_for()
    assert page.locator("[data-testid=board-description]").inner_text() == "Studies at dusk"
    assert "Lighthouses" in page.locator("[data-testid=crumbs]").inner_text()
    saved = api.gql("query($id: UUID!) { board(id: $id) { title description } }", {"id": board})["board"]
    assert saved == {"title": "Lighthouses", "description": "Studies at dusk"}
