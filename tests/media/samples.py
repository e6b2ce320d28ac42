"""Small real media files, made with Pillow and PyAV inside the tests (no binary fixtures)."""

from __future__ import annotations

import io
import math
import struct
from pathlib import Path

import av
from PIL import Image


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", color=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_orientation(size: tuple[int, int], orientation: int) -> bytes:
    """A JPEG stored `size` wide and high, whose EXIF says to turn it (6: a quarter turn clockwise).

    Left half red, right half blue, so a test can see which way it was turned.
    """
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def animated_gif(frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    images = [Image.new("P", size, index * 40) for index in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def write_video(
    path: Path,
    *,
    container: str = "mp4",
    codec: str = "libx264",
    frames: int = 24,
    fps: int = 12,
    size: tuple[int, int] = (96, 64),
) -> Path:
    """A video whose frames go from black to white; `frames / fps` seconds long."""
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for index in range(frames):
            shade = int(255 * index / max(1, frames - 1))
            frame = av.VideoFrame.from_image(Image.new("RGB", size, (shade, shade, shade)))
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


def write_audio(
    path: Path,
    *,
    container: str = "wav",
    codec: str = "pcm_s16le",
    seconds: float = 0.5,
    rate: int = 44100,
    layout: str = "stereo",
) -> Path:
    """A 440 Hz tone."""
    channels = 2 if layout == "stereo" else 1
    total = int(seconds * rate)
    with av.open(str(path), "w", format=container) as output:
        stream = output.add_stream(codec, rate=rate, layout=layout)
        done = 0
        while done < total:
            count = min(1024, total - done)
            samples = b"".join(
                struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * (done + i) / rate))) * channels
                for i in range(count)
            )
            frame = av.AudioFrame(format="s16", layout=layout, samples=count)
            frame.planes[0].update(samples)
            frame.sample_rate = rate
            frame.pts = done
            done += count
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return path


def media_files(folder: Path) -> dict[str, Path]:
    """One file of each supported audio and video format, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "mp4": write_video(folder / "clip.mp4"),
        "webm": write_video(folder / "clip.webm", container="webm", codec="libvpx-vp9"),
        "mov": write_video(folder / "clip.mov", container="mov"),
        "wav": write_audio(folder / "tone.wav"),
        "mp3": write_audio(folder / "tone.mp3", container="mp3", codec="libmp3lame"),
        "flac": write_audio(folder / "tone.flac", container="flac", codec="flac"),
        "m4a": write_audio(folder / "tone.m4a", container="ipod", codec="aac"),
        "ogg": write_audio(folder / "tone.ogg", container="ogg", codec="libopus", rate=48000),
    }
