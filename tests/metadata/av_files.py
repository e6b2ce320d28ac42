"""Tiny video and audio files made with PyAV, and independent readers of the tags an export carries:
PyAV (FFmpeg's demuxers, what ffprobe prints), mutagen, and exiftool when installed."""

from __future__ import annotations

import io
import json
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import mutagen
from PIL import Image

from tests.metadata.support import EXIFTOOL
from tests.uploads.samples import wav_bytes

__all__ = ["wav_bytes"]


def video_bytes(
    fmt: str = "mp4", *, faststart: bool = False, size: tuple[int, int] = (64, 48), frames: int = 6
) -> bytes:
    """An MP4 or MOV; `faststart` puts `moov` before the media (PyAV otherwise writes it last)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"clip.{fmt}"
        options = {"movflags": "faststart"} if faststart else {}
        with av.open(str(path), "w", format=fmt, options=options) as container:
            stream = container.add_stream("mpeg4", rate=12)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, 12)
            for index in range(frames):
                frame = av.VideoFrame.from_image(Image.new("RGB", size, (index * 40 % 256, 90, 150)))
                frame.pts = index
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path.read_bytes()


def large_video_bytes(frames: int = 40, size: int = 512) -> bytes:
    """An MP4 of about 19 MB (noise at the finest quantiser): larger than a copy signed in memory."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.mp4"
        with av.open(str(path), "w", format="mp4") as container:
            stream = container.add_stream("mpeg4", rate=12)
            stream.width = stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, 12)
            stream.codec_context.qmin = stream.codec_context.qmax = 1
            for index in range(frames):
                noise = Image.effect_noise((size, size), 100 + index)
                frame = av.VideoFrame.from_image(Image.merge("RGB", [noise] * 3))
                frame.pts = index
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path.read_bytes()


def mp3_bytes(frames: int = 8, rate: int = 22050, tags: dict[str, str] | None = None) -> bytes:
    """An MP3 as FFmpeg writes it: an ID3v2.4 tag of its own (TSSE, and `tags` as TXXX frames) first."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp3") as container:
        container.metadata.update(tags or {})
        stream = container.add_stream("libmp3lame", rate=rate, layout="mono")
        for index in range(frames):
            frame = av.AudioFrame(format="s16p", layout="mono", samples=1152)
            frame.planes[0].update(bytes(2 * 1152))
            frame.sample_rate, frame.pts = rate, index * 1152
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def pyav_tags(data: bytes) -> dict[str, str]:
    """The container's tags as FFmpeg reads them (ffprobe's `format.tags`)."""
    with av.open(io.BytesIO(data)) as container:
        return dict(container.metadata)


def decoded(data: bytes) -> list[bytes]:
    """Every decoded frame of the first stream, as bytes: the media itself is what was stored."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams[0]
        if stream.type == "video":
            return [frame.to_image().tobytes() for frame in container.decode(stream)]
        return [bytes(frame.planes[0]) for frame in container.decode(stream)]


def mutagen_tags(data: bytes, suffix: str) -> dict[str, str]:
    """The tags mutagen reads, as text: `©cmt`, `----:com.apple.iTunes:<name>`, `TXXX:<description>`."""
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as handle:
        handle.write(data)
        handle.flush()
        read = mutagen.File(handle.name)
    assert read is not None and read.tags is not None
    texts: dict[str, str] = {}
    for key, value in read.tags.items():
        first = value[0] if isinstance(value, list) else value
        if isinstance(first, bytes):  # MP4FreeForm
            texts[key] = first.decode("utf-8")
        elif hasattr(first, "text"):  # an ID3 frame
            texts[key] = str(first.text[0])
        else:
            texts[key] = str(first)
    return texts


def exiftool_tags(data: bytes, suffix: str) -> dict[str, list[Any]]:
    """exiftool's tags by name, each with every value it has (ID3's UserDefinedText is repeated).
    RIFF text is read as UTF-8; warnings are under `Warning`."""
    assert EXIFTOOL is not None
    with tempfile.NamedTemporaryFile(suffix=f".{suffix}") as handle:
        handle.write(data)
        handle.flush()
        command = [EXIFTOOL, "-j", "-a", "-G4", "-b", "-charset", "riff=utf8", handle.name]
        out = subprocess.run(command, capture_output=True, check=True, text=True)
    tags: dict[str, list[Any]] = {}
    for key, value in json.loads(out.stdout)[0].items():
        tags.setdefault(key.split(":")[-1], []).append(value)  # "Copy1:UserDefinedText": the second one
    return tags


def user_defined_texts(values: list[str]) -> dict[str, str]:
    """exiftool's UserDefinedText values, `(description) value`, by description."""
    texts = {}
    for value in values:
        description, _, text = str(value).partition(") ")
        texts[description.removeprefix("(")] = text
    return texts
