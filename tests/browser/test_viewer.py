"""The viewer: a result full size with its details, lineage and actions, opened by `viewer:open`."""

from __future__ import annotations

import pytest

from tests.browser.test_composer import field, open_board, shot, wait_completed

OPEN = """([ids, first]) => import('/ui/js/bus.js').then((bus) => {
  window.__order = ids;
  bus.emit('viewer:open', {id: first, neighbour: async (id, delta) => window.__order[window.__order.indexOf(id) + delta] ?? null});
})"""


@pytest.fixture(scope="module")
def scene(installation):
    """A board with a title card, a resize made from it, and a second card: (board, card, resized, other)."""
    api = installation.api
    board = api.create_board("Viewer: lineage")
    card = api.generate(
        board, "local-title-card", "IMAGE", {"prompt": "Lighthouse at dusk", "width": 320, "height": 200}
    )
    assert wait_completed(api, card)["status"] == "COMPLETED"
    resized = api.generate(board, "local-image-resize", "IMAGE", {"image": card, "mode": "width", "size": 160})
    other = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Second card", "width": 200, "height": 200})
    assert wait_completed(api, resized)["status"] == "COMPLETED"
    assert wait_completed(api, other)["status"] == "COMPLETED"
    return board, card, resized, other


def open_viewer(page, installation, board, ids, first=None):
    open_board(page, installation, board)
    page.evaluate(OPEN, [ids, first or ids[0]])
    viewer = page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{first or ids[0]}']")
    viewer.wait_for()
    return viewer


def showing(page, generation_id):
    page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{generation_id}']").wait_for()


def test_an_image_is_shown_zoomable_with_its_details(page, installation, scene) -> None:
    board, card, resized, _other = scene
    viewer = open_viewer(page, installation, board, [card])
    assert viewer.get_attribute("role") == "dialog" and viewer.get_attribute("aria-modal") == "true"
    stage = viewer.locator("[data-testid=zoom-stage][data-state=loaded]")
    stage.wait_for()
    fitted = int(stage.get_attribute("data-zoom"))
    assert fitted == 100  # fit never enlarges a 320 px card
    viewer.locator("[data-testid=zoom-in]").click()
    assert stage.get_attribute("data-zoom") == "125"
    assert viewer.locator("[data-testid=zoom-label]").inner_text() == "125%"
    stage.dblclick()  # back to fit
    assert stage.get_attribute("data-mode") == "fit"
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert stage.get_attribute("data-zoom") == "156"
    viewer.locator("[data-testid=zoom-actual]").click()
    assert stage.get_attribute("data-zoom") == "100"
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function("() => Number(document.querySelector('[data-testid=zoom-stage]').dataset.zoom) > 100")
    before = viewer.locator("[data-testid=viewer-image]").evaluate("img => img.style.transform")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 20)
    page.mouse.up()
    assert viewer.locator("[data-testid=viewer-image]").evaluate("img => img.style.transform") != before  # panned
    viewer.locator("[data-testid=zoom-fit]").click()

    panel = page.locator("[data-testid=viewer-panel]")
    assert panel.locator("[data-testid=viewer-prompt]").inner_text() == "Lighthouse at dusk"
    assert panel.locator("[data-testid=viewer-generator]").inner_text() == "local-title-card"
    assert panel.locator("[data-testid=viewer-params] dd[data-param=width]").inner_text() == "320\u00a0px"
    assert panel.locator("[data-testid=viewer-status]").text_content() == "completed"
    assert "Took" in panel.locator("[data-testid=viewer-timings]").inner_text()
    shot(page, "viewer-details")

    # Lineage both ways: the card's result opens the resize; the resize's input opens the card.
    panel.locator(f"[data-testid=viewer-results] [data-generation-id='{resized}']").click()
    showing(page, resized)
    assert (
        panel.locator("[data-testid=viewer-params] dd[data-param=image]").inner_text() == "an input (see “Made from”)"
    )
    panel.locator(f"[data-testid=viewer-inputs] [data-generation-id='{card}']").click()
    showing(page, card)

    # The lineage graph: this one and the result made from it, joined by a line.
    panel.locator("[data-testid=viewer-tab-lineage]").click()
    graph = panel.locator("[data-testid=lineage-graph][data-state=ready]")
    graph.wait_for()
    assert graph.get_attribute("data-edges") == "1"
    assert graph.locator(".lineage-lines path").count() == 1
    assert graph.locator(f".lineage-column[data-depth='0'] button[data-generation-id='{card}']").count() == 1
    shot(page, "viewer-lineage")
    graph.locator(f".lineage-column[data-depth='1'] button[data-generation-id='{resized}']").click()
    showing(page, resized)
    graph = panel.locator("[data-testid=lineage-graph][data-state=ready]")
    graph.wait_for()
    assert graph.locator(f".lineage-column[data-depth='-1'] button[data-generation-id='{card}']").count() == 1

    # Large, in place of the result: a node opens that generation and the graph follows it.
    page.keyboard.press("l")
    large = page.locator("[data-testid=lineage-stage] [data-testid=lineage-graph][data-state=ready]")
    large.wait_for()
    assert large.locator(".lineage-lines path").count() == 1
    shot(page, "viewer-lineage-large")
    large.locator(f".lineage-column[data-depth='-1'] button[data-generation-id='{card}']").click()
    showing(page, card)
    page.locator(
        f"[data-testid=lineage-stage] .lineage-column[data-depth='0'] button[data-generation-id='{card}']"
    ).wait_for()
    page.locator("[data-testid=viewer-graph-toggle]").click()
    page.locator("[data-testid=zoom-stage][data-state=loaded]").wait_for()

    page.keyboard.press("Escape")
    page.locator("[data-testid=viewer]").wait_for(state="detached")


def test_arrow_keys_move_through_the_board(page, installation, scene) -> None:
    board, card, resized, other = scene
    viewer = open_viewer(page, installation, board, [other, resized, card])
    assert viewer.locator("[data-testid=viewer-prev]").is_disabled()
    page.keyboard.press("ArrowRight")
    showing(page, resized)
    page.keyboard.press("ArrowRight")
    showing(page, card)
    page.keyboard.press("ArrowRight")  # the last one: it stays
    page.locator(".toast", has_text="This is the last one").wait_for()
    page.keyboard.press("ArrowLeft")
    showing(page, resized)
    page.locator("[data-testid=viewer-next]").click()
    showing(page, card)
    page.locator("[data-testid=viewer-close]").click()
    page.locator("[data-testid=viewer]").wait_for(state="detached")


def test_use_these_settings_and_use_as_input_fill_the_composer(page, installation, scene) -> None:
    board, card, resized, other = scene
    open_viewer(page, installation, board, [card])
    page.locator("[data-testid=viewer-use-settings]").click()
    page.locator("[data-testid=viewer]").wait_for(state="detached")
    page.locator("[data-testid=composer-form][data-generator=local-title-card]").wait_for()
    assert field(page, "prompt").locator("textarea").input_value() == "Lighthouse at dusk"
    assert field(page, "width").locator("input[type=number]").input_value() == "320"

    # A resize's settings bring its input back into the image slot.
    page.evaluate(OPEN, [[resized], resized])
    showing(page, resized)
    page.keyboard.press("u")
    page.locator("[data-testid=composer-form][data-generator=local-image-resize]").wait_for()
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{card}'] img").wait_for()
    assert field(page, "mode").locator("select option:checked").inner_text() == "Width"
    assert field(page, "size").locator("input[type=number]").input_value() == "160"

    # Use as input: the other card goes into the resize's image slot, replacing the first.
    page.evaluate(OPEN, [[other], other])
    showing(page, other)
    page.keyboard.press("i")
    page.locator("[data-testid=viewer]").wait_for(state="detached")
    page.locator(f"[data-testid=slot][data-slot=image] [data-generation-id='{other}']").wait_for()
    # On a generator without an image slot, the artist picks which of those with one it goes into.
    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-search]").fill("local-title-card")
    page.locator("[data-testid=generator-list] [data-generator=local-title-card]").click()
    page.evaluate(OPEN, [[card], card])
    showing(page, card)
    page.keyboard.press("i")
    page.locator("[data-testid=input-target-dialog] .board-pick[data-value=local-image-resize]").click()
    page.keyboard.press("Enter")
    page.locator(".toast", has_text="local-title-card takes no image: switched to local-image-resize").wait_for()
    page.locator(f"[data-testid=composer-form] [data-testid=slot] [data-generation-id='{card}']").wait_for()


def test_star_tag_and_download(page, installation, scene, api) -> None:
    board, _card, _resized, other = scene
    viewer = open_viewer(page, installation, board, [other])
    page.keyboard.press("s")
    viewer.locator("[data-testid=viewer-star][aria-pressed=true]").wait_for()
    assert api.generation(other)["isFavourite"] is True
    viewer.locator("[data-testid=viewer-star]").click()
    viewer.locator("[data-testid=viewer-star][aria-pressed=false]").wait_for()
    assert api.generation(other)["isFavourite"] is False

    tag_input = viewer.locator("[data-testid=viewer-tag-input]")
    tag_input.fill("harbour")
    tag_input.press("Enter")
    viewer.locator("[data-testid=viewer-tags] [data-tag=harbour]").wait_for()
    assert [tag["name"] for tag in api.generation(other)["tags"]] == ["harbour"]
    viewer.locator("[data-testid=viewer-tags] [data-tag=harbour] button").click()
    viewer.locator("[data-testid=viewer-tags] [data-tag=harbour]").wait_for(state="detached")
    assert api.generation(other)["tags"] == []

    with page.expect_download() as download:
        page.keyboard.press("d")
    assert download.value.suggested_filename.startswith("second-card-") and download.value.suggested_filename.endswith(
        ".png"
    )
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_delete_removes_and_moves_to_the_neighbour(page, installation, api) -> None:
    board = api.create_board("Viewer: delete")
    first = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Keep", "width": 200, "height": 200})
    doomed = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Delete me", "width": 200, "height": 200})
    wait_completed(api, first)
    wait_completed(api, doomed)
    open_viewer(page, installation, board, [doomed, first])
    page.evaluate(
        "import('/ui/js/bus.js').then((bus) => bus.on('generations:removed', ({ids}) => { window.__removed = ids; }))"
    )
    page.keyboard.press("Delete")
    page.locator("[data-testid=confirm-dialog] button[value=ok]").click()
    showing(page, first)
    assert page.evaluate("window.__removed") == [doomed]
    assert api.gql("query($id: UUID!) { generation(id: $id) { id } }", {"id": doomed})["generation"] is None
    # The last one deleted: the viewer closes.
    page.evaluate(f"window.__order = ['{first}']")
    page.locator("[data-testid=viewer-delete]").click()
    page.locator("[data-testid=confirm-dialog] button[value=ok]").click()
    page.locator("[data-testid=viewer]").wait_for(state="detached")
    assert api.gql("query($id: UUID!) { generation(id: $id) { id } }", {"id": first})["generation"] is None


def test_text_is_readable_and_focus_stays_inside(page, installation, api) -> None:
    board = api.create_board("Viewer: text")
    note = api.http.post(
        "/api/uploads/artifact",
        data={"board_id": board, "artifact_type": "text"},
        files={"file": ("note.txt", b"Tide tables\nhigh water at noon", "text/plain")},
    ).json()
    viewer = open_viewer(page, installation, board, [note["id"]])
    text = viewer.locator("[data-testid=viewer-text]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=viewer-text]').textContent.includes('high water')"
    )
    assert text.text_content() == "Tide tables\nhigh water at noon"
    assert viewer.locator("[data-testid=viewer-copy]").count() == 0  # only images are copied
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('[data-testid=viewer]').contains(document.activeElement)")
    page.keyboard.press("?")
    help_overlay = page.locator("[data-testid=help-overlay]")
    assert "Use these settings in the composer" in help_overlay.inner_text()
    page.keyboard.press("Escape")
    help_overlay.wait_for(state="detached")
    assert viewer.is_visible()  # Escape closed the help, not the viewer
    page.keyboard.press("Escape")
    viewer.wait_for(state="detached")
    page.keyboard.press("?")
    assert "Use these settings in the composer" not in page.locator("[data-testid=help-overlay]").inner_text()


def test_an_image_is_copied_to_the_clipboard(page, installation, scene) -> None:
    board, card, _resized, _other = scene
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=installation.url)
    viewer = open_viewer(page, installation, board, [card])
    viewer.locator("[data-testid=viewer-copy]").click()
    page.locator(".toast", has_text="Image copied to the clipboard").wait_for()
    types = page.evaluate("navigator.clipboard.read().then((items) => items.flatMap((item) => item.types))")
    assert "image/png" in types


def test_video_and_audio_play_with_controls(page, installation, api) -> None:
    from tests.uploads.samples import mp4_bytes, wav_bytes

    board = api.create_board("Viewer: media")
    ids = []
    for name, content, kind, mime in (
        ("clip.mp4", mp4_bytes(), "video", "video/mp4"),
        ("tone.wav", wav_bytes(), "audio", "audio/wav"),
    ):
        response = api.http.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": kind},
            files={"file": (name, content, mime)},
        )
        assert response.status_code == 200, response.text
        ids.append(response.json()["id"])
    viewer = open_viewer(page, installation, board, ids)
    video = viewer.locator("[data-testid=viewer-video]")
    assert video.get_attribute("controls") is not None
    # Debian's Chromium has no H.264: the video either loads or says it cannot play here.
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=viewer-video]'); return v.readyState >= 1 || v.dataset.state === 'error'; }"
    )
    if video.get_attribute("data-state") == "error":
        assert "cannot be played here" in viewer.locator(".viewer-media-error").inner_text()
    assert viewer.locator(".zoom-tools").is_hidden()
    page.keyboard.press("ArrowRight")
    showing(page, ids[1])
    audio = page.locator("[data-testid=viewer-audio]")
    assert audio.get_attribute("controls") is not None
    page.wait_for_function("() => document.querySelector('[data-testid=viewer-audio]').duration > 0")


def test_a_waiting_and_a_failed_generation_say_where_they_are(page, installation, api) -> None:
    board = api.create_board("Viewer: states")
    held = api.generate(board, "test-generator", "IMAGE", {"prompt": "never runs"})
    broken = api.generate(board, "test-broken", "IMAGE", {"prompt": "an impossible thing"})
    assert wait_completed(api, broken)["status"] == "FAILED"
    viewer = open_viewer(page, installation, board, [held, broken])
    assert viewer.get_attribute("data-status") == "pending"
    assert "Waiting in the queue" in viewer.locator("[data-testid=viewer-placeholder]").inner_text()
    assert viewer.locator("[data-testid=viewer-use-input]").is_disabled()
    assert viewer.locator("[data-testid=viewer-download]").is_disabled()
    page.keyboard.press("ArrowRight")
    showing(page, broken)
    assert "cannot draw" in page.locator("[data-testid=viewer-error]").inner_text()
    assert page.locator("[data-testid=viewer-status]").text_content() == "failed"
    # Its settings can still be reused to try again.
    page.keyboard.press("u")
    page.locator("[data-testid=composer-form][data-generator=test-broken]").wait_for()


def test_settings_the_form_has_no_field_for_are_kept_when_the_generator_takes_them(page, installation, api) -> None:
    board = api.create_board("Viewer: extra settings")
    source = api.generate(board, "test-generator", "IMAGE", {"prompt": "ink wash", "seed": 5, "style": "sumi-e"})
    open_viewer(page, installation, board, [source])
    page.keyboard.press("u")
    page.locator("[data-testid=composer-form][data-generator=test-generator]").wait_for()
    assert "seed, style" in page.locator("[data-testid=composer-extras]").inner_text()
    page.keyboard.press("Control+Enter")
    form = page.locator("[data-testid=composer-form][data-last-id]")
    form.wait_for()
    assert api.generation(form.get_attribute("data-last-id"))["inputParams"] == {
        "prompt": "ink wash",
        "seed": 5,
        "style": "sumi-e",
    }


def test_made_from_names_the_parent_and_dates_are_short(page, installation, scene) -> None:
    board, card, resized, _other = scene
    open_viewer(page, installation, board, [resized])
    panel = page.locator("[data-testid=viewer-panel]")
    parent = panel.locator(f"[data-testid=viewer-inputs] [data-generation-id='{card}']")
    assert parent.inner_text() == "Lighthouse at dusk"  # its prompt, not the slot's name ("image")
    assert parent.get_attribute("aria-label") == "Open Lighthouse at dusk (its image)"
    panel.locator(f"[data-testid=viewer-inputs] [data-generation-id='{card}']").click()
    showing(page, card)
    child = panel.locator(f"[data-testid=viewer-results] [data-generation-id='{resized}']")
    assert child.inner_text() == "Resize image"

    created = panel.locator("[data-testid=viewer-timings] time").first
    expected = page.evaluate(
        """(iso) => new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(iso))""",
        created.get_attribute("datetime"),
    )
    assert created.inner_text() == expected  # "7 Dec 2026, 14:05": no seconds, no long form
    assert ":" in expected and expected.count(":") == 1
    page.keyboard.press("Escape")


def test_the_lineage_graph_names_each_result_as_the_chips_do(page, installation, scene) -> None:
    board, card, resized, _other = scene
    open_viewer(page, installation, board, [resized])
    panel = page.locator("[data-testid=viewer-panel]")
    panel.locator("[data-testid=viewer-tab-lineage]").click()
    graph = panel.locator("[data-testid=lineage-graph][data-state=ready]")
    graph.wait_for()
    parent = graph.locator(f".lineage-column[data-depth='-1'] button[data-generation-id='{card}']")
    this = graph.locator(f".lineage-column[data-depth='0'] button[data-generation-id='{resized}']")
    # Its prompt under the parent's picture, not the slot it filled ("image"): that is in the tooltip.
    assert parent.inner_text() == "Lighthouse at dusk"
    assert "image" not in parent.inner_text()
    assert parent.get_attribute("title") == "Lighthouse at dusk (its image)"
    assert parent.get_attribute("aria-label") == "Open Lighthouse at dusk (its image)"
    assert this.inner_text() == "Resize image"  # no prompt, no file: its generator
    assert this.get_attribute("aria-label") == "Resize image (this one)"
    # The name sits under the picture, inside the node's width, and the line joins the pictures.
    picture = parent.locator(".thumb-picture").bounding_box()
    name = parent.locator("[data-testid=lineage-node-name]").bounding_box()
    assert name["y"] >= picture["y"] + picture["height"] - 1
    node = parent.bounding_box()
    assert node["x"] - 1 <= name["x"] and name["x"] + name["width"] <= node["x"] + node["width"] + 1
    line = graph.locator(".lineage-lines path").first.get_attribute("d")
    start_y = float(line.split(",")[1].split(" ")[0])
    canvas = graph.locator(".lineage-canvas").bounding_box()
    assert abs(canvas["y"] + start_y - (picture["y"] + picture["height"] / 2)) <= 2
    shot(page, "viewer-lineage-names")
    page.keyboard.press("Escape")
