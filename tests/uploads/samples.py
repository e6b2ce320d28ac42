"""Real media files for upload tests, made on the spot (small, except where a test wants size)."""

from __future__ import annotations

import io
import wave
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image


def png_bytes(size: tuple[int, int] = (64, 48), colour: str = "#3366cc") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size: tuple[int, int] = (80, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#cc6633").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def mp4_bytes(size: tuple[int, int] = (64, 48), frames: int = 12, fps: int = 12) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        for index in range(frames):
            image = Image.new("RGB", size, (index * 20 % 256, 80, 160))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def wav_bytes(seconds: float = 0.5, rate: int = 8000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x01" * int(seconds * rate) * channels)
    return buffer.getvalue()


def write_large_wav(path: Path, size_bytes: int, rate: int = 44100, channels: int = 2) -> Path:
    """A valid WAV of about `size_bytes`, written in chunks (the test process never holds it)."""
    frame_bytes = 2 * channels
    frames = (size_bytes - 44) // frame_bytes
    chunk = bytes(range(256)) * 1024  # 256 KiB of a pattern, a whole number of frames
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        remaining = frames * frame_bytes
        while remaining > 0:
            piece = chunk[: min(len(chunk), remaining)]
            out.writeframesraw(piece)
            remaining -= len(piece)
    return path


TEXT = "A note about the board.\nSecond line, with ünïcödé.\n".encode()
