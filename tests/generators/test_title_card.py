"""The title card: its text is really drawn, wrapped and fitted; gradients end in their colours."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pydantic import ValidationError

from boards_desktop.generators.builtin._fonts import load_font, missing_characters
from boards_desktop.generators.builtin._typography import MIN_FONT_SIZE, clean_text, fit_text, wrap_lines
from boards_desktop.generators.builtin.title_card import TitleCardInput, linear_gradient, render_title_card
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.memory_trim import release_idle_memory
from tests.generators.support import count_pixels_near


def _ink_box(card, background=(0, 0, 0)):
    """The bounding box of everything that is not the background colour."""
    return ImageChops.difference(card, Image.new("RGB", card.size, background)).getbbox()


def test_the_text_is_drawn_in_its_colour_on_the_background():
    card = render_title_card("Moonlit harbour", width=800, height=400, background_color="#000000", text_color="#ff8800")
    assert card.size == (800, 400) and card.mode == "RGB"
    assert count_pixels_near(card, (255, 136, 0), tolerance=2) > 2000
    assert card.getpixel((0, 0)) == (0, 0, 0) and card.getpixel((799, 399)) == (0, 0, 0)


def test_the_text_stays_inside_the_padding():
    card = render_title_card("A long prompt " * 20, width=600, height=600, padding=80, background_color="#000000")
    left, top, right, bottom = _ink_box(card)
    assert left >= 80 and top >= 80 and right <= 520 and bottom <= 520


def test_automatic_size_fills_the_card_and_alignment_places_the_text():
    bottom_left = render_title_card(
        "Short", width=1200, height=600, align="left", vertical_align="bottom", padding=50, background_color="#000000"
    )
    left, top, right, bottom = _ink_box(bottom_left)
    # On the padding: exactly at the bottom, and at the left give or take the letter's side bearing.
    assert 600 - 50 - bottom <= 2 and 50 <= left <= 50 + 40
    assert right - left > 1000  # fitted: one short word is set large enough to fill the width
    top_right = render_title_card(
        "Short",
        width=1200,
        height=600,
        align="right",
        vertical_align="top",
        padding=50,
        font_size=80,
        background_color="#000000",
    )
    left, top, right, bottom = _ink_box(top_right)
    assert top - 50 <= 2 and 0 <= 1150 - right <= 12 and right - left < 400


def test_a_font_size_too_large_for_the_text_is_reduced_until_it_fits():
    card = render_title_card(
        "An evening of long words in the rain",
        width=300,
        height=300,
        padding=20,
        font_size=400,
        background_color="#000000",
    )
    left, top, right, bottom = _ink_box(card)
    assert left >= 20 and top >= 20 and right <= 280 and bottom <= 280


def test_words_wrap_at_spaces_and_line_breaks_are_kept():
    font = load_font("regular", 40)
    lines = wrap_lines("one two three four five six\nseven", font, font.getlength("one two three"))
    assert lines == ["one two three", "four five six", "seven"]


def test_a_word_wider_than_the_line_is_broken_without_stranding_an_accent():
    font = load_font("regular", 40)
    word = "e\u0301" * 30  # é written as e + combining acute accent
    lines = wrap_lines(word, font, font.getlength("e\u0301" * 7))
    assert len(lines) > 1 and "".join(lines) == word
    assert all(not line.startswith("\u0301") for line in lines)


def test_the_size_is_chosen_so_that_no_word_is_broken_when_one_can_be_found():
    # At the largest size that fits the square, "Lighthouse" would be broken ("Lighthou / se").
    block = fit_text("Lighthouse at dusk", "bold", 256, 256, 1.2)
    assert block is not None
    assert sorted(" ".join(block.lines).split()) == ["Lighthouse", "at", "dusk"]
    assert block.font.getlength("Lighthouse") <= 256
    # A word too long for the line at any size is still broken, rather than refused.
    long_word = fit_text("Donaudampfschifffahrtsgesellschaftskapitän", "bold", 64, 256, 1.2)
    assert long_word is not None and len(long_word.lines) > 1


def test_text_that_cannot_fit_even_at_the_smallest_size_says_what_to_change():
    assert fit_text("x" * 2000, "regular", 16, 16, 1.2) is None
    with pytest.raises(GeneratorError, match="does not fit a 64x64 card even at 8 px; make the card larger"):
        render_title_card("word " * 400, width=64, height=64, padding=0)
    assert MIN_FONT_SIZE == 8


def test_unicode_the_font_has_is_drawn():
    text = "Zoë · Ωμέγα · Жар-птица · שלום · €5 — “quoted”"
    assert missing_characters(text, "bold") == []
    card = render_title_card(text, width=900, height=300, background_color="#000000", text_color="#ffffff")
    assert count_pixels_near(card, (255, 255, 255), tolerance=2) > 1000


def test_control_characters_are_cleaned_and_tabs_become_spaces():
    assert clean_text("\n\n a\tb\x00c\r\nd \n") == "a bc\nd"


def test_a_solid_background_without_gradient():
    card = render_title_card("x", width=100, height=100, background_color="#336699", padding=40)
    assert card.getpixel((0, 0)) == (0x33, 0x66, 0x99) and card.getpixel((99, 99)) == (0x33, 0x66, 0x99)


@pytest.mark.parametrize(
    ("angle", "start_corner", "end_corner"),
    [(180, (50, 0), (50, 99)), (0, (50, 99), (50, 0)), (90, (0, 50), (199, 50)), (135, (0, 0), (199, 99))],
)
def test_gradient_ends_have_their_colours(angle, start_corner, end_corner):
    gradient = linear_gradient((200, 100), "#ff0000", "#0000ff", angle)
    assert gradient.getpixel(start_corner) == (255, 0, 0)
    assert gradient.getpixel(end_corner) == (0, 0, 255)
    middle = gradient.getpixel((100, 50))
    assert 100 < middle[0] < 155 and 100 < middle[2] < 155


def test_the_card_uses_the_gradient_when_an_end_colour_is_given():
    card = render_title_card(
        "x",
        width=300,
        height=300,
        padding=140,
        background_color="#000000",
        gradient_end_color="#ffffff",
        gradient_angle=180,
        text_color="#ff0000",
    )
    assert card.getpixel((0, 0)) == (0, 0, 0) and card.getpixel((299, 299)) == (255, 255, 255)


def test_the_input_model_refuses_what_cannot_be_drawn():
    with pytest.raises(ValidationError, match="the text is empty"):
        TitleCardInput(prompt="  \n\t ")
    with pytest.raises(ValidationError, match=r"cannot draw '日' \(U\+65E5\), '🙂' \(U\+1F642\); remove or replace"):
        TitleCardInput(prompt="Sunrise 日 🙂")
    with pytest.raises(
        ValidationError, match="padding of 505 px leaves no room for text on a 1024x1024 card; use at most 504"
    ):
        TitleCardInput(prompt="ok", padding=505)
    with pytest.raises(ValidationError, match="String should match pattern"):
        TitleCardInput(prompt="ok", background_color="red")
    assert TitleCardInput(prompt="ok", padding=504).padding == 504


def test_cards_set_at_once_in_several_threads_come_out_the_same():
    from concurrent.futures import ThreadPoolExecutor

    def render(_: int) -> bytes:
        return render_title_card("Same words, many hands", width=300, height=200).tobytes()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = set(pool.map(render, range(12)))
    assert len(results) == 1


def _font_files_mapped() -> int:
    return sum(1 for line in Path("/proc/self/maps").read_text().splitlines() if line.endswith(".ttf"))


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)")
def test_every_threads_fonts_are_let_go_when_the_app_goes_idle():
    # Each size a thread opens maps the font file anew; idle, the app keeps none of them open.
    from concurrent.futures import ThreadPoolExecutor

    def render(n: int) -> bytes:
        return render_title_card(f"Card number {n}", width=300, height=200).tobytes()

    with ThreadPoolExecutor(max_workers=3) as pool:
        before = list(pool.map(render, range(9)))
        assert _font_files_mapped() > 3
        release_idle_memory()
        assert _font_files_mapped() == 0
        assert list(pool.map(render, range(9))) == before  # the threads open what they need again
