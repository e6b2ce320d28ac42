"""The contact sheet's grid, and the frame a video shows at a given second."""

from __future__ import annotations

import av
import pytest
from PIL import Image
from pydantic import ValidationError

from boards_desktop.generators.artifacts import ImageArtifact, VideoArtifact
from boards_desktop.generators.builtin.contact_sheet import ContactSheetInput, SheetLayout, contact_sheet
from boards_desktop.generators.builtin.video_frame import VideoFrameInput, frame_at
from boards_desktop.generators.errors import GeneratorError
from tests.generators.support import FRAME_COLORS, nearest_frame_color, write_color_video

ARTIFACT = {"generation_id": "0b8f3a52-5d6f-4a59-9d1c-2f3c4b5a6d7e", "storage_url": "/api/storage/x", "format": "png"}


def test_contact_sheet_dimensions_follow_columns_cells_and_gap():
    images = [Image.new("RGB", (40, 40), FRAME_COLORS[i]) for i in range(5)]
    sheet = contact_sheet(images, columns=3, cell_width=100, cell_height=80, gap=10, background_color="#000000")
    assert sheet.size == (3 * 100 + 4 * 10, 2 * 80 + 3 * 10)
    assert sheet.getpixel((10 + 50, 10 + 40)) == FRAME_COLORS[0]  # first cell's centre
    assert sheet.getpixel((10 + 2 * 110 + 50, 10 + 40)) == FRAME_COLORS[2]  # third column
    assert sheet.getpixel((10 + 110 + 50, 10 + 90 + 40)) == FRAME_COLORS[4]  # second row, second column
    assert sheet.getpixel((10 + 2 * 110 + 50, 10 + 90 + 40)) == (0, 0, 0)  # the empty sixth cell
    assert sheet.getpixel((5, 5)) == (0, 0, 0)  # the gap


def test_without_columns_the_grid_is_near_square_and_never_wider_than_the_count():
    assert (SheetLayout.plan(10, None, 10, 10, 0).columns, SheetLayout.plan(10, None, 10, 10, 0).rows) == (4, 3)
    assert SheetLayout.plan(2, 8, 10, 10, 0).columns == 2
    one = contact_sheet([Image.new("RGB", (5, 5))], cell_width=64, cell_height=32, gap=0)
    assert one.size == (64, 32)


def test_each_image_is_fitted_in_its_cell_keeping_its_aspect_ratio():
    wide = Image.new("RGB", (400, 100), (255, 0, 0))
    tall = Image.new("RGBA", (10, 40), (0, 0, 255, 255))
    sheet = contact_sheet([wide, tall], columns=2, cell_width=200, cell_height=200, gap=0, background_color="#ffffff")
    # The wide image becomes 200x50, centred vertically; the tall one is scaled up to 50x200.
    assert sheet.getpixel((100, 100)) == (255, 0, 0) and sheet.getpixel((100, 70)) == (255, 255, 255)
    assert sheet.getpixel((100, 76)) == (255, 0, 0) and sheet.getpixel((100, 123)) == (255, 0, 0)
    assert sheet.getpixel((300, 5)) == (0, 0, 255) and sheet.getpixel((270, 100)) == (255, 255, 255)


def test_transparent_images_show_the_background_colour():
    clear = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    sheet = contact_sheet([clear], cell_width=20, cell_height=20, gap=0, background_color="#123456")
    assert sheet.getpixel((10, 10)) == (0x12, 0x34, 0x56)


def test_contact_sheet_input_bounds_and_size_limit():
    images = [ImageArtifact(**ARTIFACT)] * 64
    with pytest.raises(ValidationError, match="at most 64"):
        ContactSheetInput(images=images + [ImageArtifact(**ARTIFACT)])
    with pytest.raises(ValidationError, match="at least 1"):
        ContactSheetInput(images=[])
    with pytest.raises(ValidationError, match="64 images in 8 columns of 2048x2048 cells make a 16528x16528 sheet"):
        ContactSheetInput(images=images, cell_width=2048, cell_height=2048)
    assert ContactSheetInput(images=images).layout().size == (8 * 512 + 9 * 16, 8 * 512 + 9 * 16)


@pytest.fixture(scope="module")
def color_video(tmp_path_factory):
    """12 frames at 4 fps (3.0 s), keyframes every 5 frames."""
    return write_color_video(tmp_path_factory.mktemp("video") / "colors.mp4")


@pytest.mark.parametrize(
    ("second", "frame"),
    [(0, 0), (0.24, 0), (0.25, 1), (1.0, 4), (1.3, 5), (1.6, 6), (2.3, 9), (2.75, 11), (2.99, 11), (3.0, 11)],
)
def test_the_frame_at_a_second_is_the_one_made_for_that_time(color_video, second, frame):
    image = frame_at(color_video, second)
    assert image.size == (64, 48) and image.mode == "RGB"
    assert nearest_frame_color(image) == frame


def test_a_second_past_the_end_says_how_long_the_video_is(color_video):
    with pytest.raises(GeneratorError, match=r"^the video is 3.0 s long; pick a second between 0 and 3.0$"):
        frame_at(color_video, 3.5)
    with pytest.raises(ValidationError, match="the video is 4.0 s long; pick a second between 0 and 4.0"):
        VideoFrameInput(video=VideoArtifact(**ARTIFACT, duration=4.04), second=4.5)
    assert VideoFrameInput(video=VideoArtifact(**ARTIFACT, duration=4.0), second=4.0).second == 4.0
    with pytest.raises(ValidationError):
        VideoFrameInput(video=VideoArtifact(**ARTIFACT), second=-1)


def test_a_file_that_is_not_a_video_is_refused_readably(tmp_path):
    (tmp_path / "clip.mp4").write_bytes(b"not a video at all" * 100)
    with pytest.raises(GeneratorError, match="the video could not be opened .*upload it again"):
        frame_at(tmp_path / "clip.mp4", 0)


def test_a_file_without_pictures_is_refused(tmp_path):
    path = tmp_path / "tone.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=8000)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(GeneratorError, match="no video track|could not be opened"):
        frame_at(path, 0)


@pytest.mark.skipif(
    not hasattr(av.video.stream.VideoStream, "set_display_rotation"), reason="PyAV too old to write a rotation"
)
def test_a_phone_video_recorded_sideways_comes_out_upright(tmp_path):
    # Stored landscape with a white marker top-left, and a display rotation of 90 degrees counter-clockwise.
    path = write_color_video(tmp_path / "phone.mp4", frames=3, rotation=90)
    image = frame_at(path, 0)
    assert image.size == (48, 64)
    assert min(image.getpixel((2, image.height - 3))) > 200  # the marker went to the bottom-left
    assert min(image.getpixel((2, 2))) < 200
