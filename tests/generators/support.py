"""Media for the built-in generators' tests, made on the spot: images with known pixels, and a short
MP4 whose every frame is one solid colour, so a frame can be told apart from its neighbours."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

# Far apart in every channel, so each stays recognisable after YUV 4:2:0 compression.
FRAME_COLORS: list[tuple[int, int, int]] = [
    (230, 30, 30),
    (30, 200, 30),
    (30, 30, 230),
    (230, 230, 30),
    (230, 30, 230),
    (30, 230, 230),
    (250, 250, 250),
    (10, 10, 10),
    (240, 140, 20),
    (120, 40, 200),
    (20, 120, 60),
    (128, 128, 128),
]


def png_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, **options)
    return buffer.getvalue()


def count_pixels_near(image: Image.Image, color: tuple[int, int, int], tolerance: int = 8) -> int:
    data = image.convert("RGB").tobytes()
    red, green, blue = color
    return sum(
        1
        for r, g, b in zip(data[0::3], data[1::3], data[2::3])
        if abs(r - red) <= tolerance and abs(g - green) <= tolerance and abs(b - blue) <= tolerance
    )


def nearest_frame_color(image: Image.Image) -> int:
    """The index in FRAME_COLORS of the colour at the centre of a frame."""
    pixel = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    return min(range(len(FRAME_COLORS)), key=lambda i: sum((a - b) ** 2 for a, b in zip(pixel, FRAME_COLORS[i])))


def write_color_video(
    path: Path,
    *,
    frames: int = 12,
    fps: int = 4,
    size: tuple[int, int] = (64, 48),
    keyframe_interval: int = 5,
    rotation: int | None = None,
) -> Path:
    """An H.264 MP4 (MPEG-4 part 2 where x264 is missing): frame i is FRAME_COLORS[i], shown from i/fps.

    Keyframes every `keyframe_interval` frames, so finding a later frame means seeking to a keyframe
    and decoding forward from it. `rotation` records a display rotation (counter-clockwise degrees)
    as phones do.
    """
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.codec_context.time_base = Fraction(1, fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = keyframe_interval
        if codec == "libx264":
            stream.options = {"g": str(keyframe_interval), "keyint_min": str(keyframe_interval), "sc_threshold": "0"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for index in range(frames):
            picture = Image.new("RGB", size, FRAME_COLORS[index % len(FRAME_COLORS)])
            # A corner marker shows which way up the picture is.
            picture.paste((255, 255, 255), (0, 0, size[0] // 4, size[1] // 4))
            frame = av.VideoFrame.from_image(picture)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
