"""The composer: a generator picked, its form built from its schema, filled and submitted."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

from tests.plugins.generators import png_bytes

SHOTS = "/tmp/shots"


def open_board(page, installation, board_id: str) -> None:
    page.goto(f"{installation.url}/#/boards/{board_id}")
    page.locator("[data-testid=composer-form][data-state=idle]").wait_for()


def choose(page, name: str) -> None:
    page.locator("[data-testid=generator-button]").click()
    page.locator("[data-testid=generator-search]").fill(name)
    page.locator(f"[data-testid=generator-list] [data-generator='{name}']").click()
    page.locator(f"[data-testid=composer-form][data-generator='{name}']").wait_for()


def field(page, name: str):
    return page.locator(f"[data-testid=composer-form] .field[data-field='{name}']")


def wait_completed(api, generation_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = api.generation(generation_id)
        if found["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return found
        time.sleep(0.2)
    raise AssertionError(f"{generation_id} did not finish")


def submitted_id(page) -> str:
    form = page.locator("[data-testid=composer-form][data-last-id]")
    form.wait_for()
    return form.get_attribute("data-last-id")


def test_a_title_card_is_queued_with_ctrl_enter(page, api, installation) -> None:
    board = api.create_board("Composer: title cards")
    open_board(page, installation, board)
    choose(page, "local-title-card")
    prompt = field(page, "prompt").locator("textarea")
    prompt.fill("Harbour lights")
    field(page, "width").locator("input[type=number]").fill("320")
    field(page, "height").locator("input[type=number]").fill("200")
    prompt.press("Control+Enter")
    generation_id = submitted_id(page)
    page.locator("[data-testid=toasts] .toast", has_text="Queued Title card").wait_for()
    done = wait_completed(api, generation_id)
    assert done["status"] == "COMPLETED"
    assert done["boardId"] == board
    params = done["inputParams"]
    assert params["prompt"] == "Harbour lights" and params["width"] == 320 and params["height"] == 200
    assert "font_size" not in params and "gradient_end_color" not in params  # left empty: left out
    assert params["align"] == "center" and params["background_color"] == "#16181d"  # defaults as shown
    # The values stay for the next try.
    assert prompt.input_value() == "Harbour lights"


def shot(page, name: str) -> None:
    """A screenshot for looking at the design, when BOARDS_UI_SHOTS names a folder."""
    folder = os.environ.get("BOARDS_UI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for scheme in ("dark", "light"):
            page.emulate_media(color_scheme=scheme)
            page.wait_for_timeout(400)  # the colours' transitions end
            page.screenshot(path=f"{folder}/{name}-{scheme}.png")


DRAG_TILE = """([selector, tile]) => {
  const data = new DataTransfer();
  data.setData('application/x-boards-generation', JSON.stringify(tile));
  const slot = document.querySelector(selector);
  slot.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
  slot.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
}"""

DROP_FILE = """([selector, name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type: 'image/png'}));
  const slot = document.querySelector(selector);
  slot.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
  slot.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
}"""


def slot_selector(name: str) -> str:
    return f"[data-testid=composer-form] [data-testid=slot][data-slot='{name}']"


def upload(api, board: str, name: str, content: bytes, content_type: str) -> dict:
    return api.upload(board, name, content, content_type)


def test_every_control_is_filled_and_sent_as_entered(page, api, installation) -> None:
    board = api.create_board("Composer: every control")
    first = upload(api, board, "first.png", png_bytes("#cc3333", 32), "image/png")
    second = upload(api, board, "second.png", png_bytes("#33cc33", 32), "image/png")
    third = upload(api, board, "third.png", png_bytes("#3333cc", 32), "image/png")
    open_board(page, installation, board)
    choose(page, "test-every-control")

    field(page, "prompt").locator("textarea").fill("A lighthouse in fog")
    field(page, "title").locator("input").fill("Dusk")
    assert field(page, "title").locator(".counter").inner_text() == "4/40"
    field(page, "steps").locator("[data-testid=slider]").fill("35")
    assert field(page, "steps").locator("input[type=number]").input_value() == "35"
    assert field(page, "steps").locator("input[type=number]").get_attribute("step") == "1"
    assert "1 to 50" in field(page, "steps").locator(".hint").inner_text()
    assert field(page, "guidance").locator("[data-testid=slider]").count() == 0  # unbounded: no slider
    assert field(page, "guidance").locator("input").input_value() == "7.5"  # its default
    field(page, "guidance").locator("input").fill("3.25")
    field(page, "tiled").locator("input[type=checkbox]").check()
    field(page, "mood").locator("select").select_option(label="stormy")
    assert field(page, "finish").locator("select").input_value() == ""  # optional enum: empty
    assert field(page, "seed").locator("input").input_value() == ""
    add = field(page, "keywords").locator("[data-testid=add-row]")
    add.click()
    page.keyboard.type("misty")
    add.click()
    page.keyboard.type("teal")
    add.click()  # an empty row is left out
    field(page, "moods").locator("button.chip[data-value=bright]").click()
    field(page, "moods").locator("button.chip[data-value=calm]").click()

    # The single slot: a tile dragged in from the grid.
    page.evaluate(
        DRAG_TILE,
        [slot_selector("image"), {"id": third["id"], "artifactType": "IMAGE", "thumbnailUrl": third["thumbnailUrl"]}],
    )
    page.locator(f"{slot_selector('image')} [data-generation-id='{third['id']}'] img").wait_for()
    # The multiple slot: two picked from the board, one file dropped from the desktop.
    field(page, "references").locator("[data-testid=pick-from-board]").click()
    dialog = page.locator("[data-testid=pick-dialog][data-state=ready]")
    dialog.locator(f"[data-generation-id='{first['id']}']").click()
    dialog.locator(f"[data-generation-id='{second['id']}']").click()
    assert dialog.locator(f"[data-generation-id='{third['id']}']").is_enabled()
    shot(page, "composer-pick-dialog")
    dialog.locator("[data-testid=pick-confirm]").click()
    page.locator(f"{slot_selector('references')}[data-count='2']").wait_for()
    page.evaluate(
        DROP_FILE, [slot_selector("references"), "dropped.png", base64.b64encode(png_bytes("#999900", 24)).decode()]
    )
    references = page.locator(slot_selector("references"))
    page.locator(f"{slot_selector('references')}[data-state=filled][data-count='3']").wait_for()
    ids = references.locator("[data-generation-id]").evaluate_all(
        "items => items.map((item) => item.dataset.generationId)"
    )
    assert ids[:2] == [first["id"], second["id"]] and ids[2] not in (first["id"], second["id"], third["id"])
    dropped = api.generation(ids[2])
    assert dropped["status"] == "COMPLETED" and dropped["boardId"] == board
    shot(page, "composer-every-control")

    page.locator("[data-testid=composer-submit]").click()
    generation = api.generation(submitted_id(page))
    assert generation["status"] == "PENDING"
    assert generation["inputParams"] == {
        "prompt": "A lighthouse in fog",
        "title": "Dusk",
        "steps": 35,
        "guidance": 3.25,
        "tiled": True,
        "mood": "stormy",
        "keywords": ["misty", "teal"],
        "moods": ["calm", "bright"],
        "image": third["id"],
        "references": ids,
    }
    assert [(item["role"], item["generationId"]) for item in generation["inputArtifacts"]] == [
        ("image", third["id"]),
        *[("references", ref) for ref in ids],
    ]

    # The optional enum set, a reference removed, the image slot emptied: sent as changed.
    field(page, "finish").locator("select").select_option(label="gloss")
    field(page, "seed").locator("input").fill("7")
    references.locator(f"[data-generation-id='{second['id']}'] .slot-remove").click()
    page.locator(slot_selector("image")).locator(".slot-remove").click()
    page.evaluate("document.querySelector('[data-testid=composer-form]').removeAttribute('data-last-id')")
    page.keyboard.press("Control+Enter")
    again = api.generation(submitted_id(page))
    assert again["inputParams"]["finish"] == "gloss" and again["inputParams"]["seed"] == 7
    assert again["inputParams"]["references"] == [ids[0], ids[2]]
    assert "image" not in again["inputParams"]


def test_the_servers_refusals_are_shown_beside_their_fields(page, api, installation) -> None:
    board = api.create_board("Composer: refusals")
    note = upload(api, board, "note.txt", b"not a picture", "text/plain")
    open_board(page, installation, board)
    choose(page, "test-every-control")
    field(page, "prompt").locator("textarea").fill("x")
    steps = field(page, "steps").locator("input[type=number]")
    steps.fill("99")  # past its maximum: the server says so
    # A tile that claims to be an image but is a text: the server refuses it in its slot.
    page.evaluate(DRAG_TILE, [slot_selector("image"), {"id": note["id"], "artifactType": "IMAGE"}])
    page.locator("[data-testid=composer-submit]").click()
    error = field(page, "image").locator("[data-testid=field-error]")
    error.wait_for()
    assert "is a text; this input takes an image" in error.inner_text()
    field(page, "image").locator(".slot-remove").click()
    page.locator("[data-testid=composer-submit]").click()
    steps_error = field(page, "steps").locator("[data-testid=field-error]")
    steps_error.wait_for()
    assert steps_error.inner_text() == "Use at most 50."
    assert steps.get_attribute("aria-invalid") == "true"
    assert page.locator("[data-testid=form-error]").inner_text() == "Check the field marked above."
    shot(page, "composer-refusal")
    # A tile of the wrong type is refused before anything is sent.
    page.evaluate(DRAG_TILE, [slot_selector("image"), {"id": note["id"], "artifactType": "TEXT"}])
    page.locator(".toast.error", has_text="takes an image; that is a text").wait_for()
    assert page.locator(slot_selector("image")).get_attribute("data-state") == "empty"


def test_unavailable_generators_are_greyed_with_their_reason(page, api, installation) -> None:
    board = api.create_board("Composer: unavailable")
    open_board(page, installation, board)
    page.locator("[data-testid=generator-button]").click()
    option = page.locator("[data-testid=generator-list] [data-generator=test-unavailable]")
    assert option.get_attribute("data-available") == "false"
    assert "no key is set" in option.locator("[data-testid=unavailable-reason]").inner_text()
    # Available ones come first, unavailable ones after them.
    names = page.locator("[data-testid=generator-list] [data-generator]").evaluate_all(
        "items => items.map((item) => item.dataset.available)"
    )
    assert names == sorted(names, reverse=True)
    # The type filter keeps one type.
    page.locator("[data-testid=generator-picker] button.chip[data-type=VIDEO]").click()
    types = page.locator("[data-testid=generator-list] .type-badge").all_inner_texts()
    assert types and set(types) == {"Video"}
    page.locator("[data-testid=generator-picker] button.chip[data-type=VIDEO]").click()
    assert "Unavailable here" in page.locator("[data-testid=generator-list] .generator-group").all_text_contents()
    option.scroll_into_view_if_needed()
    shot(page, "composer-picker")
    option.click()
    page.locator("[data-testid=composer-form][data-generator=test-unavailable][data-available=false]").wait_for()
    assert "no key is set" in page.locator("[data-testid=composer-notice]").inner_text()
    assert page.locator("[data-testid=composer-submit]").is_disabled()


def test_recently_used_generators_come_first(page, api, installation) -> None:
    board = api.create_board("Composer: recent")
    open_board(page, installation, board)
    choose(page, "test-fast")
    page.locator("[data-testid=composer-submit]").click()
    submitted_id(page)
    page.reload()
    page.locator("[data-testid=composer-form][data-generator=test-fast][data-state=idle]").wait_for()
    page.locator("[data-testid=generator-button]").click()
    first = page.locator("[data-testid=generator-list] [data-generator]").first
    assert first.get_attribute("data-generator") == "test-fast"
    assert first.locator(".badge").inner_text() == "recent"


def test_the_form_is_kept_for_the_board_when_the_artist_comes_back(page, api, installation) -> None:
    board = api.create_board("Composer: come back")
    open_board(page, installation, board)
    choose(page, "test-every-control")
    field(page, "prompt").locator("textarea").fill("Kept")
    field(page, "keywords").locator("[data-testid=add-row]").click()
    page.keyboard.type("salt")
    choose(page, "local-title-card")  # switching keeps what was typed for the other one
    field(page, "prompt").locator("textarea").fill("Card text")
    choose(page, "test-every-control")
    assert field(page, "prompt").locator("textarea").input_value() == "Kept"
    page.goto(f"{installation.url}/#/")
    page.locator("[data-testid=boards]").wait_for()
    open_board(page, installation, board)
    page.locator("[data-testid=composer-form][data-generator=test-every-control]").wait_for()
    assert field(page, "prompt").locator("textarea").input_value() == "Kept"
    assert field(page, "keywords").locator("input").input_value() == "salt"
    choose(page, "local-title-card")
    assert field(page, "prompt").locator("textarea").input_value() == "Card text"
