"""Facts about audio and video files, read with PyAV (FFmpeg's libraries, bundled in its wheel).

PyAV rather than an `ffprobe` binary: the PyInstaller bundle carries it like any other module,
and nothing has to be installed on the artist's machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av


class ProbeError(Exception):
    """The decoder could not read the file; the message is the decoder's reason."""


@dataclass(frozen=True)
class AvFacts:
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    duration: float | None = None  # seconds
    fps: float | None = None
    sample_rate: int | None = None
    channels: int | None = None


def probe_av(path: Path) -> AvFacts:
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            video = next((s for s in container.streams.video if not _is_cover_art(s)), None)
            audio = next(iter(container.streams.audio), None)
            return AvFacts(
                has_video=video is not None,
                has_audio=audio is not None,
                width=(video.codec_context.width or None) if video is not None else None,
                height=(video.codec_context.height or None) if video is not None else None,
                duration=_duration(container, video or audio),
                fps=_fps(video) if video is not None else None,
                sample_rate=(audio.codec_context.sample_rate or None) if audio is not None else None,
                channels=(audio.codec_context.channels or None) if audio is not None else None,
            )
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise ProbeError(_reason(exc)) from None


def _is_cover_art(stream: av.stream.Stream) -> bool:
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    # MP3 and M4A files often carry album art as a one-picture "video" stream; that is still audio.
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def _duration(container: av.container.InputContainer, stream: av.stream.Stream | None) -> float | None:
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    if container.duration is not None and container.duration > 0:
        return round(container.duration / av.time_base, 3)
    if stream is not None and stream.duration and stream.time_base:
        return round(float(stream.duration * stream.time_base), 3)
    return None


def _fps(stream: av.video.stream.VideoStream) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate and isinstance(rate, Fraction | int) and rate > 0:
            return round(float(rate), 3)
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    # FFmpeg errors name the file's path (ours, temporary); the user only needs the reason.
    return text.split(": '", 1)[0]
