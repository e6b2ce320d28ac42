"""`local-video-frame`: the frame a video shows at a given second, as a PNG image."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, model_validator

from boards_desktop.generators.artifacts import VideoArtifact
from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin._imaging import store_png
from boards_desktop.generators.context import GeneratorContext
from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.form_hints import form_hints

if TYPE_CHECKING:
    from fractions import Fraction

    from av.container import InputContainer
    from av.video.frame import VideoFrame
    from av.video.stream import VideoStream

# Frame times are fractions of a time base; this absorbs float rounding when a second lands exactly on a frame.
_EPSILON = 1e-4


class VideoFrameInput(BaseModel):
    model_config = ConfigDict(title="Frame from video")

    video: VideoArtifact = Field(..., title="Video", description="The video to take the frame from.")
    second: float = Field(
        0.0,
        ge=0,
        le=86_400,
        title="Second",
        description="The moment to capture, counted from the start.",
        json_schema_extra=form_hints(unit="s", moment_of="video"),
    )

    @model_validator(mode="after")
    def _within_video(self) -> VideoFrameInput:
        # The video's length is usually known from its generation: refuse a second past the end before queuing.
        duration = self.video.duration
        if duration is not None and self.second > duration + _EPSILON:
            raise ValueError(
                f"the video is {_seconds(duration)} s long; pick a second between 0 and {_seconds(duration)}"
            )
        return self


def frame_at(path: Path, second: float) -> Image.Image:
    """The frame on screen at `second`: the last frame that starts at or before it, upright."""
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise GeneratorError(f"the video could not be opened ({exc}); upload it again as MP4, MOV or WebM") from exc
    with container:
        if not container.streams.video:
            raise GeneratorError("the file has no video track; pick a video with pictures")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = _duration_of(container, stream)
        if duration is not None and second > duration + _EPSILON:
            raise GeneratorError(
                f"the video is {_seconds(duration)} s long; pick a second between 0 and {_seconds(duration)}"
            )
        start = float(stream.start_time * _time_base(stream)) if stream.start_time is not None else 0.0
        try:
            frame, ended = _frame_not_after(container, stream, start + second)
        except av.FFmpegError as exc:
            raise GeneratorError(f"the video could not be decoded ({exc}); it may be damaged") from exc
        if frame is None:
            raise GeneratorError("no frame could be decoded from the video; it may be damaged")
        if duration is None and ended and second > _shown_until(frame, stream) - start + _EPSILON:
            shown = _seconds(_shown_until(frame, stream) - start)
            raise GeneratorError(f"the video is about {shown} s long; pick a second between 0 and {shown}")
        image: Image.Image = frame.to_image()
        return _upright(image, getattr(frame, "rotation", 0) or 0)


def _frame_not_after(container: InputContainer, stream: VideoStream, target: float) -> tuple[VideoFrame | None, bool]:
    """(frame, reached the end): seek to the keyframe before `target`, then decode forward to it."""
    container.seek(max(0, int(target / _time_base(stream))), stream=stream, backward=True, any_frame=False)
    frame, ended, overshot_at_once = _decode_forward(container, stream, target)
    if overshot_at_once:
        # The seek landed after the target (some files index keyframes loosely): read from the start.
        container.seek(0)
        frame, ended, overshot_at_once = _decode_forward(container, stream, target)
        if overshot_at_once:
            frame = _first_frame(container, stream)
    return frame, ended


def _decode_forward(
    container: InputContainer, stream: VideoStream, target: float
) -> tuple[VideoFrame | None, bool, bool]:
    chosen: VideoFrame | None = None
    for frame in container.decode(stream):
        if frame.time is None:
            continue
        if frame.time > target + _EPSILON:
            return chosen, False, chosen is None
        chosen = frame
    return chosen, True, False


def _first_frame(container: InputContainer, stream: VideoStream) -> VideoFrame | None:
    container.seek(0)
    return next((frame for frame in container.decode(stream) if frame.time is not None), None)


def _duration_of(container: InputContainer, stream: VideoStream) -> float | None:
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _shown_until(frame: VideoFrame, stream: VideoStream) -> float:
    assert frame.time is not None  # the frames decoded here are the ones with a time
    rate = stream.average_rate or stream.guessed_rate
    return frame.time + (1 / float(rate) if rate else 0.0)


def _time_base(stream: VideoStream) -> Fraction:
    """The stream's time base (PyAV's types allow none; a video stream FFmpeg can decode has one)."""
    if stream.time_base is None:
        raise GeneratorError("the video's stream has no time base; it may be damaged")
    return stream.time_base


def _seconds(value: float) -> str:
    # Rounded down, so the largest second the message offers is one the video really has.
    return f"{math.floor(value * 10) / 10:.1f}"


def _upright(image: Image.Image, rotation: float) -> Image.Image:
    """Apply the display rotation phones record instead of turning the pixels (counter-clockwise degrees)."""
    turns = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    quarter = turns.get(round(rotation) % 360)
    if quarter is not None:
        return image.transpose(quarter)
    if round(rotation) % 360:
        return image.rotate(rotation, Image.Resampling.BICUBIC, expand=True)
    return image


class LocalVideoFrameGenerator(BaseGenerator):
    name = "local-video-frame"
    artifact_type = "image"
    display_name = "Frame from video"
    icon = "frame"
    description = "The picture a video shows at a given second, as an image. Runs on this computer."
    provider = "local"
    rerun_safe = True

    def get_input_schema(self) -> type[VideoFrameInput]:
        return VideoFrameInput

    async def generate(  # type: ignore[override]  # a narrower input model than BaseGenerator's
        self, inputs: VideoFrameInput, context: GeneratorContext
    ) -> GeneratorResult:
        path = await context.resolve_artifact(inputs.video)
        await context.publish_progress(0.1, "Finding the frame", phase="processing")
        frame = await asyncio.to_thread(frame_at, path, inputs.second)
        await context.publish_progress(0.8, "Saving the frame", phase="finalizing")
        artifact = await store_png(context, frame)
        return GeneratorResult(outputs=[artifact])
