"""Provenance in an exported WAV or MP3, as the readers of each show it.

- MP3: an ID3v2 tag first in the file, with two `TXXX` frames (user text, by description):
  `parameters` (the WebUI's text) and `boards_provenance` (our JSON). ffprobe and PyAV list them by
  description, mutagen as `TXXX:parameters`, exiftool as UserDefinedText. A file with an ID3v2.3 or
  v2.4 tag of its own keeps it: our frames are added to it (the padding after its frames is
  dropped); a frame of that description already there is left as it is.
- WAV: chunks at the end of the RIFF file, after the audio: a `LIST`/`INFO` chunk with `ICMT` (the
  comment: the `parameters` text) and `ISFT` (the software), what ffprobe, exiftool and audio editors
  read; and an `id3 ` chunk with the same two `TXXX` frames (what mutagen reads from WAV, and where
  our JSON goes). A file with a `LIST`/`INFO` or an ID3 chunk of its own keeps it and gets none of ours.

Both are `Splice`s: the MP3's tag is the head, the WAV's chunks the tail (with the RIFF size in its
new head); the audio itself is streamed as stored.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

from boards_desktop.media.provenance import APP_NAME, Provenance
from boards_desktop.media.splice import Splice

PARAMETERS_KEY = "parameters"
PROVENANCE_KEY = "boards_provenance"
_MAX_TAG = 16 * 1024 * 1024  # an existing ID3 tag read whole (cover art included)
_UTF8, _UTF16 = 3, 1  # ID3 text encodings: UTF-8 (v2.4 only), UTF-16 with a BOM (v2.3)
_UNSYNCHRONISED, _EXTENDED, _FOOTER = 0x80, 0x40, 0x10
# Zero bytes after the last frame: readers that check the next header to tell a v2.4 frame size
# (syncsafe) from one written as a plain integer (exiftool) would otherwise call a long last frame invalid.
_PADDING = b"\x00" * 16


def _texts(provenance: Provenance) -> dict[str, str]:
    texts = {PARAMETERS_KEY: provenance.parameters} if provenance.parameters else {}
    texts[PROVENANCE_KEY] = provenance.document_json()
    return texts


# -- ID3 -------------------------------------------------------------------------------------------------


def id3_tag(texts: dict[str, str]) -> bytes:
    """A whole ID3v2.4 tag of TXXX frames."""
    frames = b"".join(_txxx(description, value, 4) for description, value in texts.items()) + _PADDING
    return b"ID3\x04\x00\x00" + _syncsafe(len(frames)) + frames


def _txxx(description: str, value: str, version: int) -> bytes:
    if version == 4:
        body = bytes((_UTF8,)) + description.encode() + b"\x00" + value.encode()
        size = _syncsafe(len(body))
    else:
        body = bytes((_UTF16,)) + description.encode("utf-16") + b"\x00\x00" + value.encode("utf-16")
        size = struct.pack(">I", len(body))
    return b"TXXX" + size + b"\x00\x00" + body


def _syncsafe(value: int) -> bytes:
    if value >= 1 << 28:
        raise ValueError("an ID3 tag holds at most 256 MB")
    return bytes(((value >> 21) & 0x7F, (value >> 14) & 0x7F, (value >> 7) & 0x7F, value & 0x7F))


def _unsyncsafe(data: bytes) -> int:
    return (data[0] << 21) | (data[1] << 14) | (data[2] << 7) | data[3]


def mp3_splice(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    handle.seek(0)
    header = handle.read(10)
    texts = _texts(provenance)
    if header[:3] != b"ID3":
        if len(header) < 2 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
            return None  # neither a tag nor an MPEG audio frame: not the MP3 its name says
        return Splice(id3_tag(texts), 0, b"")
    version, flags = header[3], header[5]
    if version not in (3, 4) or flags & (_UNSYNCHRONISED | _FOOTER) or any(b & 0x80 for b in header[6:10]):
        return None  # ID3v2.2, a whole-tag unsynchronisation or a footer: left as it is
    size = _unsyncsafe(header[6:10])
    if size > _MAX_TAG:
        return None
    body = handle.read(size)
    if len(body) != size:
        return None
    frames_at = 0
    if flags & _EXTENDED:
        extended = _unsyncsafe(body[:4]) if version == 4 else 4 + struct.unpack(">I", body[:4])[0]
        frames_at = extended
    frames_end, have = _frames(body, frames_at, version)
    wanted = b"".join(_txxx(key, value, version) for key, value in texts.items() if key not in have)
    if not wanted:
        return None
    new_body = body[:frames_end] + wanted + _PADDING
    return Splice(header[:6] + _syncsafe(len(new_body)) + new_body, 10 + size, b"")


def _frames(body: bytes, offset: int, version: int) -> tuple[int, set[str]]:
    """Where the tag's frames end (its padding starts) and the descriptions of its TXXX frames."""
    descriptions: set[str] = set()
    while offset + 10 <= len(body) and body[offset] != 0:
        frame_id = body[offset : offset + 4]
        raw = body[offset + 4 : offset + 8]
        length = _unsyncsafe(raw) if version == 4 else struct.unpack(">I", raw)[0]
        if offset + 10 + length > len(body):
            raise ValueError("an ID3 frame overruns its tag")
        if frame_id == b"TXXX":
            descriptions.add(_description(body[offset + 10 : offset + 10 + length]))
        offset += 10 + length
    return offset, descriptions


def _description(frame: bytes) -> str:
    if not frame:
        return ""
    encoding, rest = frame[0], frame[1:]
    if encoding in (1, 2):
        cut = next((i for i in range(0, len(rest) - 1, 2) if rest[i : i + 2] == b"\x00\x00"), len(rest))
        return rest[:cut].decode("utf-16" if encoding == 1 else "utf-16-be", "replace")
    return rest.split(b"\x00", 1)[0].decode("utf-8" if encoding == _UTF8 else "latin-1", "replace")


# -- WAV -------------------------------------------------------------------------------------------------


def wav_splice(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    handle.seek(0)
    header = handle.read(12)
    size = handle.seek(0, 2)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return None  # RF64 (over 4 GB) and anything else: exported as stored
    declared = struct.unpack("<I", header[4:8])[0]
    if declared + 8 != size:
        return None  # a size that does not match the file (a recording cut short): left as it is
    has_info = has_id3 = False
    offset = 12
    while offset + 8 <= size:
        handle.seek(offset)
        kind, length = struct.unpack("<4sI", handle.read(8))
        if kind == b"LIST" and handle.read(4) == b"INFO":
            has_info = True
        if kind in (b"id3 ", b"ID3 "):
            has_id3 = True
        offset += 8 + length + (length & 1)
    if has_info and has_id3:
        return None
    tail = b"\x00" if size & 1 else b""  # the last chunk's pad byte, when the file was written without it
    if not has_info:
        info = _info_item(b"ICMT", provenance.summary()) + _info_item(b"ISFT", APP_NAME)
        tail += _riff_chunk(b"LIST", b"INFO" + info)
    if not has_id3:
        tail += _riff_chunk(b"id3 ", id3_tag(_texts(provenance)))
    riff_size = size + len(tail) - 8
    if riff_size > 0xFFFFFFFF:
        return None
    return Splice(b"RIFF" + struct.pack("<I", riff_size) + b"WAVE", 12, tail)


def _info_item(kind: bytes, text: str) -> bytes:
    return _riff_chunk(kind, text.encode("utf-8") + b"\x00")


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) & 1 else b"")
