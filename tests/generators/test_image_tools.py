"""Resize and adjust: sizes, proportions, what each setting changes, alpha kept, upright input."""

from __future__ import annotations

import pytest
from PIL import Image, ImageStat
from pydantic import ValidationError

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.builtin._imaging import open_image
from boards_desktop.generators.builtin.image_adjust import adjust_image
from boards_desktop.generators.builtin.image_resize import ImageResizeInput, resize_image, target_size
from boards_desktop.generators.errors import GeneratorError
from tests.generators.support import jpeg_bytes, png_bytes

ARTIFACT = {
    "generation_id": "0b8f3a52-5d6f-4a59-9d1c-2f3c4b5a6d7e",
    "storage_url": "/api/storage/x.png",
    "format": "png",
}


def _quadrants() -> Image.Image:
    """300x200: red top-left, green top-right, blue bottom-left, white bottom-right."""
    image = Image.new("RGB", (300, 200))
    image.paste((255, 0, 0), (0, 0, 150, 100))
    image.paste((0, 255, 0), (150, 0, 300, 100))
    image.paste((0, 0, 255), (0, 100, 150, 200))
    image.paste((255, 255, 255), (150, 100, 300, 200))
    return image


def _corner_colors(image: Image.Image) -> list[tuple[int, ...]]:
    w, h = image.size
    return [
        image.convert("RGB").getpixel(p)
        for p in ((w // 4, h // 4), (3 * w // 4, h // 4), (w // 4, 3 * h // 4), (3 * w // 4, 3 * h // 4))
    ]


@pytest.mark.parametrize(
    ("mode", "size", "scale", "expected"),
    [
        ("longest_side", 150, 1, (150, 100)),
        ("longest_side", 900, 1, (900, 600)),
        ("width", 60, 1, (60, 40)),
        ("height", 50, 1, (75, 50)),
        ("scale", 1, 0.5, (150, 100)),
        ("scale", 1, 3, (900, 600)),
    ],
)
def test_resize_keeps_the_aspect_ratio(mode, size, scale, expected):
    resized = resize_image(_quadrants(), mode, size, scale)
    assert resized.size == expected
    assert _corner_colors(resized) == [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]


def test_resize_of_a_portrait_image_by_longest_side_fits_the_height():
    assert target_size((200, 300), "longest_side", 150) == (100, 150)
    assert target_size((4000, 1), "longest_side", 100) == (100, 1)  # never 0 px


def test_resize_keeps_transparency_without_dark_fringes():
    image = Image.new("RGBA", (100, 100), (255, 255, 255, 0))
    image.paste((255, 255, 255, 255), (25, 25, 75, 75))
    resized = resize_image(image, "longest_side", 37)
    assert resized.mode == "RGBA"
    assert resized.getpixel((0, 0))[3] == 0 and resized.getpixel((18, 18))[3] == 255
    edge_colors = [resized.getpixel((x, 18))[:3] for x in range(37) if 0 < resized.getpixel((x, 18))[3] < 255]
    assert edge_colors and all(min(color) >= 250 for color in edge_colors)


def test_a_result_beyond_8192_px_is_refused_with_the_sizes():
    with pytest.raises(
        GeneratorError, match="a scale of 30 turns the 300x200 image into 9000x6000; results are at most 8192"
    ):
        resize_image(_quadrants(), "scale", scale=30)
    # Known sizes are checked when the request is made, before anything is queued.
    with pytest.raises(ValidationError, match="a width of 8000 px turns the 100x4000 image into 8000x320000"):
        ImageResizeInput(image=ImageArtifact(**ARTIFACT, width=100, height=4000), mode="width", size=8000)
    # Without a known size the request is accepted; the job checks when it has opened the image.
    assert ImageResizeInput(image=ImageArtifact(**ARTIFACT), mode="scale", scale=30).scale == 30


def test_resize_input_bounds():
    with pytest.raises(ValidationError):
        ImageResizeInput(image=ImageArtifact(**ARTIFACT), size=0)
    with pytest.raises(ValidationError):
        ImageResizeInput(image=ImageArtifact(**ARTIFACT), size=8193)
    with pytest.raises(ValidationError):
        ImageResizeInput(image=ImageArtifact(**ARTIFACT), mode="scale", scale=0)


def test_brightness_contrast_and_saturation_change_what_they_should():
    image = Image.new("RGB", (10, 10), (200, 100, 50))
    assert adjust_image(image, brightness=0.5).getpixel((0, 0)) == (100, 50, 25)
    assert adjust_image(image, brightness=2.0).getpixel((0, 0)) == (255, 200, 100)
    gray = adjust_image(image, saturation=0.0).getpixel((0, 0))
    assert gray[0] == gray[1] == gray[2]
    vivid = adjust_image(image, saturation=2.0).getpixel((0, 0))
    assert vivid[0] - vivid[2] > 150
    halves = Image.new("RGB", (10, 10), (100, 100, 100))
    halves.paste((150, 150, 150), (5, 0, 10, 10))
    stronger = adjust_image(halves, contrast=2.0)
    assert stronger.getpixel((0, 0))[0] < 100 and stronger.getpixel((9, 0))[0] > 150
    assert adjust_image(halves, contrast=0.0).getpixel((0, 0)) == adjust_image(halves, contrast=0.0).getpixel((9, 0))


def test_grayscale_keeps_alpha():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 100))
    result = adjust_image(image, grayscale=True)
    assert result.mode == "LA" and result.getpixel((0, 0)) == (76, 100)


def test_quarter_turns_are_exact_and_clockwise():
    turned = adjust_image(_quadrants(), rotate=90)
    assert turned.size == (200, 300)
    # Clockwise: the bottom-left (blue) comes to the top-left, the top-left (red) to the top-right.
    assert _corner_colors(turned)[:2] == [(0, 0, 255), (255, 0, 0)]
    assert adjust_image(_quadrants(), rotate=-90).size == (200, 300)
    assert _corner_colors(adjust_image(_quadrants(), rotate=180))[0] == (255, 255, 255)


def test_a_free_angle_enlarges_the_canvas_with_transparent_or_coloured_corners():
    turned = adjust_image(_quadrants(), rotate=30)
    assert turned.mode == "RGBA" and turned.width > 300 and turned.height > 200
    assert turned.getpixel((0, 0))[3] == 0
    filled = adjust_image(_quadrants(), rotate=30, fill_color="#00ff00")
    assert filled.mode == "RGB" and filled.getpixel((0, 0)) == (0, 255, 0)


def test_flips_mirror_the_image():
    assert _corner_colors(adjust_image(_quadrants(), flip_horizontal=True))[0] == (0, 255, 0)
    assert _corner_colors(adjust_image(_quadrants(), flip_vertical=True))[0] == (0, 0, 255)


def test_adjust_keeps_alpha_through_colour_changes():
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.paste((200, 100, 50, 255), (0, 0, 4, 8))
    result = adjust_image(image, brightness=1.5, contrast=1.3, saturation=0.5)
    assert result.mode == "RGBA"
    assert result.getpixel((6, 0))[3] == 0 and result.getpixel((1, 0))[3] == 255


def test_neutral_settings_give_an_unchanged_copy():
    image = _quadrants()
    result = adjust_image(image)
    assert result is not image and result.tobytes() == image.tobytes()


def test_input_jpegs_are_turned_upright_by_their_exif_orientation(tmp_path):
    stored = Image.new("RGB", (300, 200), (255, 0, 0))
    stored.paste((0, 0, 255), (0, 0, 150, 200))  # left half blue as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "photo.jpg"
    path.write_bytes(jpeg_bytes(stored, exif=exif.tobytes()))
    upright = open_image(path)
    assert upright.size == (200, 300)
    assert ImageStat.Stat(upright.crop((0, 0, 200, 140))).mean[2] > 200  # blue on top now


def test_open_image_normalises_modes_and_refuses_what_is_not_an_image(tmp_path):
    palette = Image.new("P", (4, 4), 0)
    palette.info["transparency"] = 0
    (tmp_path / "p.png").write_bytes(png_bytes(palette, transparency=0))
    assert open_image(tmp_path / "p.png").mode == "RGBA"
    deep = Image.new("I;16", (4, 4), 40000)
    (tmp_path / "deep.png").write_bytes(png_bytes(deep))
    opened = open_image(tmp_path / "deep.png")
    assert opened.mode == "RGB" and 150 < opened.getpixel((0, 0))[0] < 160  # 40000/65535 of white, not clipped
    (tmp_path / "notes.png").write_bytes(b"these are words, not pixels")
    with pytest.raises(
        GeneratorError, match="the image could not be read as an image .*upload it again as PNG or JPEG"
    ):
        open_image(tmp_path / "notes.png")
    truncated = png_bytes(Image.new("RGB", (64, 64), (1, 2, 3)))[:80]
    (tmp_path / "cut.png").write_bytes(truncated)
    with pytest.raises(GeneratorError, match="could not be read as an image"):
        open_image(tmp_path / "cut.png", "the second image")
