"""The composer speaks an artist's language: generators by name with what they do, fields by title,
choices by label, hints as sentences, units beside numbers, and fields that appear only when the
choices they belong to are made. Screenshots of the composer in both themes go to test-results/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import RESULTS
from tests.browser.test_composer import field, open_board, submitted_id, wait_completed
from tests.browser.test_viewer import open_viewer
from tests.generators.support import write_color_video
from tests.plugins.generators import png_bytes


def open_picker(page):
    page.locator("[data-testid=generator-button]").click()
    return page.locator("[data-testid=generator-list]")


def choose_by_words(page, words: str, slug: str) -> None:
    """Choose a generator as an artist does: typing its name, clicking the option that reads so."""
    open_picker(page)
    page.locator("[data-testid=generator-search]").fill(words)
    page.locator("[data-testid=generator-list] [role=option]", has_text=words).first.click()
    page.locator(f"[data-testid=composer-form][data-generator='{slug}']").wait_for()


def test_the_picker_names_generators_in_words_with_what_they_do(page, api, installation) -> None:
    board = api.create_board("Words: the picker")
    open_board(page, installation, board)
    listing = open_picker(page)
    title_card = listing.locator("[data-generator=local-title-card]")
    assert title_card.locator("[data-testid=generator-option-name]").inner_text() == "Title card"
    assert (
        title_card.locator("[data-testid=generator-option-description]")
        .inner_text()
        .startswith("Your words set in type on a solid or gradient background")
    )
    assert "On this computer" in title_card.inner_text()
    assert title_card.locator("svg.type-icon").count() == 1
    # No slug is shown as a name anywhere in the list.
    names = listing.locator("[data-testid=generator-option-name]").all_inner_texts()
    assert "Resize image" in names and "Frame from video" in names
    assert not [name for name in names if name.startswith("local-")], names
    # A plugin that gives no display name gets one derived from its slug.
    assert listing.locator("[data-generator=test-unavailable] [data-testid=generator-option-name]").inner_text() == (
        "Test unavailable"
    )
    page.keyboard.press("Escape")

    choose_by_words(page, "Title card", "local-title-card")
    assert page.locator("[data-testid=generator-label]").inner_text() == "Title card"
    assert "On this computer" in page.locator("[data-testid=generator-button]").inner_text()


def test_fields_show_titles_labels_units_and_sentences(page, api, installation) -> None:
    board = api.create_board("Words: the form")
    open_board(page, installation, board)
    choose_by_words(page, "Title card", "local-title-card")

    align = field(page, "align")
    assert align.locator("label").inner_text() == "Alignment"
    assert align.locator("select option").all_inner_texts() == ["Left", "Centred", "Right"]
    assert align.locator("select option:checked").inner_text() == "Centred"
    assert align.locator(".hint").inner_text() == "Centred by default."

    width = field(page, "width")
    assert width.locator("label").inner_text() == "Width"
    assert width.locator("[data-testid=unit]").inner_text() == "px"
    hint = width.locator(".hint").inner_text().replace("\u00a0", " ")
    assert hint == "How wide the card is. From 64 to 4096 px; 1024 px by default.", hint
    assert not field(page, "gradient_angle").is_visible()  # until a gradient has an end colour: see below

    choose_by_words(page, "Resize image", "local-image-resize")
    assert field(page, "mode").locator("label").inner_text() == "Resize by"
    assert field(page, "mode").locator("select option").all_inner_texts() == [
        "Longest side",
        "Width",
        "Height",
        "Scale factor",
    ]
    field(page, "mode").locator("select").select_option(label="Scale factor")
    scale_hint = field(page, "scale").locator(".hint").inner_text()
    assert scale_hint == "0.5 halves the image, 2 doubles it. More than 0, up to 64×; 2× by default.", scale_hint
    assert "(excluded)" not in page.locator("[data-testid=composer-form]").inner_text()


def test_a_field_appears_when_the_choice_it_belongs_to_is_made(page, api, installation) -> None:
    board = api.create_board("Words: fields that follow the choices")
    open_board(page, installation, board)
    choose_by_words(page, "Resize image", "local-image-resize")
    size, scale = field(page, "size"), field(page, "scale")
    mode = field(page, "mode").locator("select")
    assert size.is_visible() and not scale.is_visible()

    mode.select_option(label="Scale factor")
    assert scale.is_visible() and not size.is_visible()
    mode.select_option(label="Height")
    assert size.is_visible() and not scale.is_visible()

    # A field that applies once another is filled in: the gradient's angle, once it has an end colour.
    choose_by_words(page, "Title card", "local-title-card")
    angle = field(page, "gradient_angle")
    assert not angle.is_visible()
    field(page, "gradient_end_color").locator("input[type=text]").fill("#ff8800")
    assert angle.is_visible()
    assert angle.locator("[data-testid=unit]").inner_text() == "°"
    field(page, "gradient_end_color").locator("input[type=text]").fill("")
    assert not angle.is_visible()

    # What is hidden is not sent: the server's default stands.
    field(page, "prompt").locator("textarea").fill("Only what applies")
    field(page, "width").locator("input[type=number]").fill("160")
    field(page, "height").locator("input[type=number]").fill("90")
    field(page, "padding").locator("input[type=number]").fill("8")
    page.locator("[data-testid=composer-submit]").click()
    done = wait_completed(api, submitted_id(page))
    assert done["status"] == "COMPLETED"
    assert "gradient_angle" not in done["inputParams"] and done["inputParams"]["width"] == 160


def test_the_viewer_names_the_generator_and_keeps_its_id_in_the_details(page, api, installation) -> None:
    board = api.create_board("Words: the viewer")
    made = api.generate(
        board, "local-title-card", "IMAGE", {"prompt": "Named", "width": 160, "height": 90, "padding": 8}
    )
    wait_completed(api, made)
    viewer = open_viewer(page, installation, board, [made])
    panel = viewer.locator("[data-testid=viewer-panel]")
    assert panel.locator(".viewer-panel-head").inner_text().startswith("Title card")
    assert panel.locator("[data-testid=viewer-generator-label]").inner_text() == "Title card"
    assert panel.locator("[data-testid=viewer-generator]").inner_text() == "local-title-card"
    # Its settings read as the form does: titles, units.
    params = panel.locator("[data-testid=viewer-params]")
    assert params.locator("dd[data-param=width]").inner_text() == "160\u00a0px"
    assert "Width" in params.locator("dt").all_inner_texts() and "Padding" in params.locator("dt").all_inner_texts()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "viewer-words.png"))
    # The board's generator filter names it the same way.
    options = page.locator("[data-testid=filter-generator] option").all_inner_texts()
    assert "Title card" in options and "local-title-card" not in options, options


def test_screenshots_of_the_composer_in_both_themes(page, api, installation) -> None:
    board = api.create_board("Words: screenshots")
    RESULTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        page.evaluate(f"localStorage.setItem('boards.theme', '{theme}')")
        page.goto(f"{installation.url}/#/boards/{board}")
        page.reload()
        page.locator("[data-testid=composer-form][data-state=idle]").wait_for()
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        choose_by_words(page, "Title card", "local-title-card")
        field(page, "gradient_end_color").locator("input[type=text]").fill("#3a2a5c")
        page.screenshot(path=str(RESULTS / f"composer-title-card-{theme}.png"))
        field(page, "padding").scroll_into_view_if_needed()
        page.screenshot(path=str(RESULTS / f"composer-title-card-more-{theme}.png"))
        choose_by_words(page, "Resize image", "local-image-resize")
        page.screenshot(path=str(RESULTS / f"composer-resize-{theme}.png"))
        open_picker(page)
        page.locator("[data-testid=generator-search]").fill("")
        page.locator("[data-testid=generator-search]").dispatch_event("input")
        page.screenshot(path=str(RESULTS / f"composer-picker-{theme}.png"))
        page.keyboard.press("Escape")
    page.evaluate("localStorage.removeItem('boards.theme')")


def test_a_video_s_second_is_chosen_on_a_scrubber_that_shows_the_frame(page, api, installation, tmp_path) -> None:
    board = api.create_board("Words: the scrubber")
    video = write_color_video(tmp_path / "colours.mp4", frames=12, fps=4, size=(64, 48))
    uploaded = api.upload(board, "colours.mp4", video.read_bytes(), "video/mp4")
    open_board(page, installation, board)
    choose_by_words(page, "Frame from video", "local-video-frame")
    second = field(page, "second")
    scrubber = second.locator("[data-testid=scrubber]")
    assert scrubber.get_attribute("data-state") == "empty"
    assert "Choose a video" in scrubber.inner_text()

    field(page, "video").locator("[data-testid=pick-from-board]").click()
    dialog = page.locator("[data-testid=pick-dialog][data-state=ready]")
    dialog.locator(f"[data-generation-id='{uploaded['id']}']").click()  # one video: the click chooses it
    page.locator("[data-testid=scrubber][data-state=ready]").wait_for()
    assert float(scrubber.locator("[data-testid=scrubber-range]").get_attribute("max")) == pytest.approx(3.0, abs=0.3)

    # Dragging the scrubber sets the second and shows that frame; typing a second moves the scrubber.
    scrubber.locator("[data-testid=scrubber-range]").fill("2")
    assert second.locator("input[type=number]").input_value() == "2"
    page.wait_for_function(
        "() => Math.abs(document.querySelector('[data-testid=scrubber-frame]').currentTime - 2) < 0.01"
    )
    second.locator("input[type=number]").fill("1.5")
    assert scrubber.locator("[data-testid=scrubber-range]").input_value() == "1.5"
    assert "1.50 s of" in scrubber.inner_text()
    page.screenshot(path=str(RESULTS / "composer-video-frame-scrubber.png"))


def test_the_adjust_tool_previews_its_settings_live(page, api, installation) -> None:
    board = api.create_board("Words: the adjust preview")
    uploaded = api.upload(board, "swatch.png", png_bytes("#3366cc", 64), "image/png")
    open_board(page, installation, board)
    choose_by_words(page, "Adjust image", "local-image-adjust")
    preview = page.locator("[data-testid=adjust-preview]")
    assert preview.get_attribute("data-state") == "empty"
    field(page, "image").locator("[data-testid=pick-from-board]").click()
    page.locator(f"[data-testid=pick-dialog][data-state=ready] [data-generation-id='{uploaded['id']}']").click()
    page.locator("[data-testid=adjust-preview][data-state=ready]").wait_for()
    image = preview.locator("[data-testid=adjust-preview-image]")

    field(page, "brightness").locator("input[type=number]").fill("2")
    field(page, "grayscale").locator("input[type=checkbox]").check()
    field(page, "flip_horizontal").locator("input[type=checkbox]").check()
    assert image.evaluate("img => img.style.filter") == "brightness(2) contrast(1) saturate(1) grayscale(1)"
    assert image.evaluate("img => img.style.transform") == "scaleX(-1)"
    # What the page draws follows: a grey, brighter swatch.
    red, green, blue = image.evaluate(
        """img => { const c = document.createElement('canvas'); c.width = c.height = 1;
                   const g = c.getContext('2d'); g.filter = img.style.filter; g.drawImage(img, 0, 0, 1, 1);
                   return [...g.getImageData(0, 0, 1, 1).data].slice(0, 3); }"""
    )
    assert red == green == blue and red > 0x66, (red, green, blue)
    field(page, "rotate").locator("input[type=number]").fill("20")
    page.screenshot(path=str(RESULTS / "composer-adjust-preview.png"))
    page.locator("[data-testid=composer-form] button", has_text="Reset").click()
    assert image.evaluate("img => img.style.filter") == "brightness(1) contrast(1) saturate(1)"
