"""What a file is, from its first bytes (magic numbers), never from its name.

A file's name is whatever the sender chose; its bytes are what a browser or decoder will act on.
So the stored extension and the served Content-Type both come from here.

Some containers hold either video or audio (MP4, Matroska/WebM, Ogg): the magic number cannot
tell which, so `Sniffed.artifact_type` is "video" for them with `ambiguous=True`, and the prober
settles it by looking for a video stream.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

HEAD_BYTES = 4096
_TEXT_CHUNK = 1 << 20


@dataclass(frozen=True)
class Sniffed:
    artifact_type: str  # image | video | audio | text
    format: str  # the extension we store under, without the dot
    content_type: str
    description: str  # for messages: "a PNG image"
    ambiguous: bool = False  # a container that may hold video or only audio


def _kind(artifact_type: str, fmt: str, content_type: str, description: str, ambiguous: bool = False) -> Sniffed:
    return Sniffed(artifact_type, fmt, content_type, description, ambiguous)


PNG = _kind("image", "png", "image/png", "a PNG image")
JPEG = _kind("image", "jpg", "image/jpeg", "a JPEG image")
GIF = _kind("image", "gif", "image/gif", "a GIF image")
WEBP = _kind("image", "webp", "image/webp", "a WebP image")
BMP = _kind("image", "bmp", "image/bmp", "a BMP image")
TIFF = _kind("image", "tiff", "image/tiff", "a TIFF image")
AVIF = _kind("image", "avif", "image/avif", "an AVIF image")
MP4 = _kind("video", "mp4", "video/mp4", "an MP4 video", ambiguous=True)
MOV = _kind("video", "mov", "video/quicktime", "a QuickTime video", ambiguous=True)
WEBM = _kind("video", "webm", "video/webm", "a WebM video", ambiguous=True)
MKV = _kind("video", "mkv", "video/x-matroska", "a Matroska video", ambiguous=True)
AVI = _kind("video", "avi", "video/x-msvideo", "an AVI video")
OGG = _kind("audio", "ogg", "audio/ogg", "an Ogg audio file", ambiguous=True)
M4A = _kind("audio", "m4a", "audio/mp4", "an M4A audio file")
MP3 = _kind("audio", "mp3", "audio/mpeg", "an MP3 audio file")
AAC = _kind("audio", "aac", "audio/aac", "an AAC audio file")
WAV = _kind("audio", "wav", "audio/wav", "a WAV audio file")
FLAC = _kind("audio", "flac", "audio/flac", "a FLAC audio file")
AIFF = _kind("audio", "aiff", "audio/aiff", "an AIFF audio file")
TEXT = _kind("text", "txt", "text/plain; charset=utf-8", "a text file")
MARKDOWN = _kind("text", "md", "text/markdown; charset=utf-8", "a Markdown text file")
JSON = _kind("text", "json", "application/json", "a JSON text file")

# The audio form of an ambiguous container that turned out to hold no video stream.
AUDIO_FORM = {
    "mp4": M4A,
    "mov": M4A,
    "webm": _kind("audio", "webm", "audio/webm", "a WebM audio file"),
    "mkv": _kind("audio", "mka", "audio/x-matroska", "a Matroska audio file"),
    "ogg": OGG,
}
# The video form of an Ogg file that holds a video stream (Theora).
VIDEO_FORM = {"ogg": _kind("video", "ogv", "video/ogg", "an Ogg video")}

CONTENT_TYPES: dict[str, str] = {
    kind.format: kind.content_type
    for kind in (
        PNG,
        JPEG,
        GIF,
        WEBP,
        BMP,
        TIFF,
        AVIF,
        MP4,
        MOV,
        WEBM,
        MKV,
        AVI,
        OGG,
        M4A,
        MP3,
        AAC,
        WAV,
        FLAC,
        AIFF,
        TEXT,
        MARKDOWN,
        JSON,
        *AUDIO_FORM.values(),
        *VIDEO_FORM.values(),
    )
}

# Files we recognise only to say what they are when they are refused.
_UNSUPPORTED = [
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a document packed as one)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"MZ", "a Windows program"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
]
_MARKDOWN_HEADING = re.compile(r"#{1,6} \S")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class UnsupportedMedia(Exception):
    """The bytes are not a format we store; `str(exc)` says what they are, e.g. "a PDF document"."""


def sniff_file(path: Path) -> Sniffed:
    """What the file is; raises UnsupportedMedia with a description when we do not store it."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head:
        _unsupported("an empty file")
    kind = sniff_head(head)
    if kind is not None:
        return kind
    return _sniff_text(path, head)


def sniff_head(head: bytes) -> Sniffed | None:
    """The binary format named by the magic number at the start, or None (maybe text)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and len(head) >= 12:
        return {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}.get(head[8:12]) or _unsupported(
            "a RIFF file of an unknown kind"
        )
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return AIFF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"BM") and len(head) >= 26 and head[14] in (12, 40, 52, 56, 108, 124):
        return BMP  # "BM" alone is too weak: also check the DIB header size
    if head[4:8] == b"ftyp":
        return _iso_media(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # The EBML header names its DocType near the start; WebM is Matroska with fewer codecs.
        return WEBM if b"webm" in head[:64] else MKV
    if head.startswith(b"OggS"):
        return VIDEO_FORM["ogg"] if b"\x80theora" in head else OGG
    if head.startswith(b"fLaC"):
        return FLAC
    if head.startswith(b"ID3"):
        return MP3
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # MPEG audio frame sync: the layer bits are 00 for AAC in ADTS, otherwise MP3 (layer I-III).
        return AAC if head[1] & 0x06 == 0 else MP3
    for magic, description in _UNSUPPORTED:
        if head.startswith(magic):
            return _unsupported(description)
    return None


def _iso_media(head: bytes) -> Sniffed:
    """ISO base media files (MP4, MOV, M4A, AVIF, HEIC) say what they are in their `ftyp` brands."""
    size = int.from_bytes(head[:4], "big")
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in (b"avif", b"avis"):
        return AVIF
    if major in _HEIF_BRANDS or (brands & _HEIF_BRANDS and b"avif" not in brands):
        return _unsupported("a HEIC image, which we cannot show; export it as JPEG or PNG")
    if b"avif" in brands and major == b"mif1":
        return AVIF
    if major in (b"M4A ", b"M4B ", b"M4P "):
        return M4A
    if major == b"qt  ":
        return MOV
    return MP4


def _sniff_text(path: Path, head: bytes) -> Sniffed:
    """UTF-8 text without NUL characters (a BOM is allowed), read in chunks: uploads may be large."""
    if b"\x00" in head:
        return _unsupported(_binary_description(head))
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    start: list[str] = []
    with path.open("rb") as handle:
        while chunk := handle.read(_TEXT_CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return _unsupported(_binary_description(head))
            if "\x00" in text:
                return _unsupported(_binary_description(head))
            if len(start) < 2:
                start.append(text)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return _unsupported(_binary_description(head))
    return _text_kind(path, "".join(start))


def _text_kind(path: Path, start: str) -> Sniffed:
    stripped = start.lstrip()
    if stripped[:1] in ("{", "[") and path.stat().st_size <= 4 * _TEXT_CHUNK:
        try:
            json.loads(path.read_bytes().decode("utf-8-sig"))
            return JSON
        except ValueError:
            pass
    # A Markdown heading on the first line is clear enough; anything subtler stays plain text.
    return MARKDOWN if _MARKDOWN_HEADING.match(stripped) else TEXT


def _binary_description(head: bytes) -> str:
    if not head:
        return "an empty file"
    return f"not a kind of file we recognise (it starts with the bytes {head[:8].hex(' ')})"


def _unsupported(description: str) -> NoReturn:
    raise UnsupportedMedia(description)
