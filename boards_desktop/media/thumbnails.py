"""WebP thumbnails of images and poster frames of videos, and the size of an image.

Thumbnails are what the board grid loads by the hundred, so they are small (longest side 512 px,
never upscaled), WebP (a third of a JPEG's size at the same look, and it keeps alpha) and turned
the way the camera meant (EXIF orientation applied, since browsers showing a WebP ignore the
original's EXIF).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from PIL import (
    Image,
    ImageOps,
    UnidentifiedImageError,
    WebPImagePlugin,  # noqa: F401  # registers the WebP writer (see _save_thumbnail)
)

from boards_desktop.media.decode_budget import give_back_memory
from boards_desktop.media.disk_space import is_disk_full
from boards_desktop.media.perceptual_hash import dhash

if TYPE_CHECKING:
    import av

THUMBNAIL_SIZE = 512
WEBP_QUALITY = 80
# Orientations 5 to 8 turn the picture a quarter: the displayed width is the stored height.
_QUARTER_TURNS = {5, 6, 7, 8}
_POSTER_SECONDS = 1.0  # the first frame is often black (a fade in); one second in rarely is


class ThumbnailError(Exception):
    """The decoder could not read the picture; the message is its reason."""


class ImageFacts(NamedTuple):
    width: int  # as displayed (EXIF orientation applied)
    height: int
    dhash: str  # media.perceptual_hash, of the picture as displayed


def image_thumbnail(source: Path, out: BinaryIO) -> ImageFacts:
    """Write the WebP thumbnail of an image to `out`; returns the image's displayed size and its dHash."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if _orientation(image) in _QUARTER_TURNS:
                    width, height = height, width
                # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: much faster for large photos. The
                # box is the thumbnail's own size: for a 1024x768 picture that is 512x384, so the
                # decoder halves it (a 512x512 box would let it decode at full size, then resize).
                image.draft("RGB", _fitted(image.size))
                decoded = _decoded_bytes(image)  # before the thumbnail shrinks it in place
                try:
                    hashed = _save_thumbnail(image, out)
                finally:
                    give_back_memory(decoded)
                return ImageFacts(width, height, hashed)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ThumbnailError(f"the image is too large to open safely ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        if is_disk_full(exc):
            raise  # writing the thumbnail failed, not reading the picture
        raise ThumbnailError(str(exc) or type(exc).__name__) from None


def video_poster(source: Path, out: BinaryIO) -> None:
    """Write a WebP poster frame of a video to `out`: the frame about one second in, or the first."""
    import av  # here, not at the top: PyAV takes a tenth of a second to import; only video and audio need it

    try:
        with av.open(str(source), metadata_errors="ignore") as container:
            stream = next(s for s in container.streams.video)
            stream.thread_type = "AUTO"
            frame = _frame_near(container, stream, _POSTER_SECONDS)
            if frame is None:
                raise ThumbnailError("the video has no frame that can be decoded")
            _save_thumbnail(frame.to_image(), out)
    except StopIteration:
        raise ThumbnailError("the file has no video stream") from None
    except (av.FFmpegError, OSError, ValueError) as exc:
        if is_disk_full(exc):
            raise
        raise ThumbnailError(str(exc).split(": '", 1)[0] or type(exc).__name__) from None


def _frame_near(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, seconds: float
) -> av.VideoFrame | None:
    first: av.VideoFrame | None = None
    for frame in container.decode(stream):
        if first is None:
            first = frame
        if frame.time is None or frame.time >= seconds:
            return frame
        if frame.time > seconds + 5:  # pragma: no cover - a guard against odd timestamps
            break
    return first  # a video shorter than the target: its first frame


def decode_cost(source: Path | bytes) -> int:
    """The bytes a thumbnail of `source` holds in memory at once (its decoded picture); 0 when not a picture.

    Reads the header only: Pillow decodes nothing until pixels are asked for.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                image.draft("RGB", _fitted(image.size))  # a JPEG's size becomes the reduced size it decodes at
                return _decoded_bytes(image) * (1 if _resizable(image) else 2)  # 2: converted at full size
    except (Image.DecompressionBombError, UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return 0


def _decoded_bytes(image: Image.Image) -> int:
    # Pillow keeps 8-bit single-band modes at a byte a pixel and everything else at four.
    per_pixel = 1 if image.mode in ("1", "L", "P") else 4
    return image.size[0] * image.size[1] * per_pixel


# Modes that resize well as they are: thumbnail first, then convert the small picture. Others
# (palettes, 1-bit, 16-bit) are converted at full size first, since resizing them would look wrong.
_RESIZABLE_MODES = ("RGB", "RGBA", "RGBX", "RGBa", "L", "LA", "La", "CMYK", "YCbCr")


def _resizable(image: Image.Image) -> bool:
    # A transparent colour key (`transparency` of an L or RGB picture) would blur into its neighbours.
    return image.mode in _RESIZABLE_MODES and "transparency" not in image.info


def _save_thumbnail(image: Image.Image, out: BinaryIO) -> str:
    """Write the thumbnail; returns the dHash of the picture as shown (from the thumbnail: no further decode)."""
    if getattr(image, "is_animated", False):
        image.seek(0)
    orientation = _orientation(image)
    if not _resizable(image):
        image = _web_mode(image)
    # reducing_gap 2: a box reduction first, then Lanczos; looks the same as pure Lanczos in under half the time.
    # In place, and before any turn or conversion: those would copy the full-size picture.
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    if orientation not in (0, 1):
        image = ImageOps.exif_transpose(image) or image
    image = _web_mode(image)
    # The WebP writer is registered by importing its plugin above; without that, the first save
    # would make Pillow import every format plugin it has (Image.init: some forty modules and
    # their libraries, 3.5 MB that stay) to find it.
    image.save(out, format="WEBP", quality=WEBP_QUALITY, method=4)
    return dhash(image)


def _web_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the picture has any transparency (palette transparency included)."""
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "PA", "La", "RGBa") or "transparency" in image.info
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits instead of clipping everything above 255 to white.
        image = image.point(lambda value: value / 256).convert("L")
    return image.convert("RGBA" if has_alpha else "RGB")


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled to fit the thumbnail's square, proportions kept, never enlarged."""
    width, height = size
    scale = min(1.0, THUMBNAIL_SIZE / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except (ValueError, TypeError, SyntaxError):
        return 1
