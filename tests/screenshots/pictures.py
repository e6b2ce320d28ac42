"""Pictures for the screenshot set, drawn here (no files from elsewhere): skies over water in a few
palettes and shapes, a cut-out with transparency, a short clip, a sound and a note."""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw, ImageFilter

# (sky top, sky at the horizon, sun, water) of each mood.
PALETTES = {
    "dawn": ("#2b3a67", "#f6b48f", "#fff1c9", "#3d4f7d"),
    "noon": ("#3a86c8", "#cfe8f7", "#ffffff", "#1f5f8b"),
    "dusk": ("#1d1b38", "#e0685a", "#ffd27a", "#2a2245"),
    "fog": ("#8e9aa6", "#d7dde2", "#f4f4f2", "#7d8a96"),
    "night": ("#05070f", "#1c2a4a", "#e8ecf5", "#0a1224"),
    "storm": ("#2f3640", "#7f8c8d", "#d0d6d9", "#22303a"),
}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour[1:], 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def seascape(mood: str, size: tuple[int, int], seed: int = 0, boats: int = 2) -> bytes:
    """A sky, a sun and water with a few boats: a PNG of `size`."""
    top, horizon, sun, water = (_rgb(c) for c in PALETTES[mood])
    width, height = size
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    line = int(height * rng.uniform(0.55, 0.68))
    for y in range(line):
        draw.line([(0, y), (width, y)], fill=_mix(top, horizon, (y / line) ** 1.4))
    sun_x, sun_y, radius = width * rng.uniform(0.25, 0.75), line - height * rng.uniform(0.05, 0.2), min(size) * 0.08
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse(
        [sun_x - radius * 3, sun_y - radius * 3, sun_x + radius * 3, sun_y + radius * 3], fill=90
    )
    image.paste(sun, mask=glow.filter(ImageFilter.GaussianBlur(radius * 1.5)))
    draw.ellipse([sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius], fill=sun)
    for y in range(line, height):
        t = (y - line) / max(1, height - line)
        shade = _mix(_mix(horizon, water, 0.55), water, t**0.7)
        draw.line([(0, y), (width, y)], fill=shade)
        if rng.random() < 0.35:  # glints on the water under the sun
            span = radius * (1.2 + 2.5 * t) * rng.uniform(0.3, 1)
            draw.line([(sun_x - span, y), (sun_x + span, y)], fill=_mix(shade, sun, 0.45 * (1 - t)))
    for _ in range(boats):
        x, y = width * rng.uniform(0.1, 0.85), line + (height - line) * rng.uniform(0.15, 0.6)
        scale = min(size) * rng.uniform(0.05, 0.09)
        hull = _mix(top, (0, 0, 0), 0.6)
        draw.polygon(
            [(x, y), (x + scale * 2, y), (x + scale * 1.6, y + scale * 0.45), (x + scale * 0.3, y + scale * 0.45)],
            fill=hull,
        )
        draw.line([(x + scale, y), (x + scale, y - scale * 1.8)], fill=hull, width=max(1, round(scale / 10)))
        draw.polygon(
            [
                (x + scale * 1.05, y - scale * 1.7),
                (x + scale * 1.05, y - scale * 0.15),
                (x + scale * 1.9, y - scale * 0.15),
            ],
            fill=_mix(sun, horizon, 0.3),
        )
    return _png(image.filter(ImageFilter.SMOOTH))


def cut_out(size: int = 512) -> bytes:
    """A gull's shape on nothing: a PNG with an alpha channel."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    s = size / 100
    draw.polygon([(10 * s, 45 * s), (48 * s, 52 * s), (90 * s, 38 * s), (52 * s, 60 * s)], fill=(245, 245, 240, 255))
    draw.ellipse([44 * s, 50 * s, 60 * s, 62 * s], fill=(230, 230, 225, 255))
    draw.polygon([(58 * s, 54 * s), (66 * s, 55 * s), (58 * s, 57 * s)], fill=(240, 170, 40, 255))
    return _png(image)


def clip() -> bytes:
    """A short video: a sun setting over water (a few seconds of MP4)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for frame_number in range(36):
            picture = Image.open(io.BytesIO(seascape("dusk", (320, 180), seed=3, boats=1)))
            ImageDraw.Draw(picture).rectangle([0, 0, 320, frame_number * 2], fill=(20, 18, 40))
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def sound(seconds: float = 3.0, rate: int = 22050) -> bytes:
    """Waves on shingle: a WAV of a slow swell."""
    import wave

    rng = random.Random(7)
    frames = bytearray()
    for i in range(int(seconds * rate)):
        swell = 0.5 + 0.5 * math.sin(2 * math.pi * i / rate * 0.6)
        sample = int(9000 * swell * (rng.random() * 2 - 1) + 3000 * math.sin(2 * math.pi * 110 * i / rate))
        frames += max(-32768, min(32767, sample)).to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


NOTE = """Harbour, spring show — notes

The light at six: low, copper on the water, the boats black against it.
Keep the horizon high in the tall ones. Try the fog series again at first light,
and print the dusk pair large (70 × 50) for the east wall.

Ask Grace about the frames."""


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
