"""Writing provenance into the copy of a file that leaves the app, without decoding or re-encoding it.

The stored file is never touched. An export is the stored bytes with a few segments added, so it
is described as a `Splice` (media.splice): bytes to send first, the span of the stored file to
send, and bytes to send last. Its size is known before a byte is read (zip entries, Content-Length), the
pixels (and frames and samples) are the stored ones exactly, and it costs a header read, not a decode:

- PNG: `tEXt`/`iTXt` chunks right after `IHDR`: `parameters` (the WebUI's text; what Pillow's
  `.text`, the WebUI's "PNG Info" and exiftool read) and `boards_provenance` (our JSON).
- JPEG: an `APP1` XMP packet (dc:description, xmp:CreatorTool, boards:parameters,
  boards:provenance) and, when the file has no EXIF of its own, an `APP1` EXIF block whose
  UserComment holds the `parameters` text as the WebUI writes it for JPEG (`UNICODE` + UTF-16).
- WebP: `EXIF` and `XMP ` chunks at the end, with the `VP8X` header that announces them (made from
  the bitstream's own size when the file is a simple one).
- MP4, MOV, M4A: iTunes-style items in `moov` (media.embed_video).
- MP3 and WAV: ID3 `TXXX` frames, and a WAV's `LIST`/`INFO` chunk (media.embed_audio).

A kind of block the file already has (EXIF, XMP, a `parameters` chunk of another tool) is left as
it is and ours is not added: a file holds one of each, and the other tool's is the first word.
Other formats (WebM, Ogg, FLAC, GIF, text) are exported as stored.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from boards_desktop.media.embed_audio import mp3_splice, wav_splice
from boards_desktop.media.embed_video import mp4_splice
from boards_desktop.media.provenance import APP_NAME, Provenance
from boards_desktop.media.splice import Splice

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARAMETERS_KEY = "parameters"
PROVENANCE_KEY = "boards_provenance"
XMP_NAMESPACE = "https://boards-desktop.app/ns/provenance/1.0/"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
EXIF_HEADER = b"Exif\x00\x00"
USER_COMMENT_UNICODE = b"UNICODE\x00"
_MAX_SEGMENT = 65533  # a JPEG segment's payload, its 2-byte length included, fits 65535
_HEAD_BYTES = 64 * 1024  # how much of a file is read to find where the blocks go


def splice_for(path: Path, file_format: str, provenance: Provenance) -> Splice | None:
    """How to write `provenance` into an export of the stored file at `path`; None to send it as it is."""
    try:
        with path.open("rb") as handle:
            return splice_of(handle, file_format, provenance)
    except OSError:
        return None


def splice_of(stored: BinaryIO, file_format: str, provenance: Provenance) -> Splice | None:
    """The same for a stored file opened for reading (seekable: a local file, or media.ranged over a bucket).

    Reads the head and, for PNG and WebP, the chunk headers: a seek per chunk, no decode.
    """
    writer = _WRITERS.get(file_format.lower())
    if writer is None:
        return None
    try:
        return writer(stored, provenance)
    except (OSError, ValueError, struct.error):
        return None  # not the file its extension says: exported as stored rather than made worse


# -- PNG ---------------------------------------------------------------------------------------------


def _png(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    handle.seek(0)
    if handle.read(8) != PNG_SIGNATURE:
        return None
    length, kind = struct.unpack(">I4s", handle.read(8))
    if kind != b"IHDR":
        return None
    after_ihdr = 8 + 12 + length
    keywords = _png_text_keywords(handle, after_ihdr)
    chunks = b""
    if provenance.parameters and PARAMETERS_KEY not in keywords:
        chunks += png_text_chunk(PARAMETERS_KEY, provenance.parameters)
    if PROVENANCE_KEY not in keywords:
        chunks += png_text_chunk(PROVENANCE_KEY, provenance.document_json())
    if not chunks:
        return None
    handle.seek(0)
    head = handle.read(after_ihdr)
    return Splice(head + chunks, after_ihdr, b"")


def _png_text_keywords(handle: BinaryIO, offset: int) -> set[str]:
    """The keywords of the text chunks a PNG has already (chunk headers only: a seek per chunk)."""
    found: set[str] = set()
    while True:
        handle.seek(offset)
        header = handle.read(8)
        if len(header) < 8:
            return found
        length, kind = struct.unpack(">I4s", header)
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            found.add(handle.read(min(length, 80)).split(b"\x00", 1)[0].decode("latin-1"))
        if kind == b"IEND":
            return found
        offset += 12 + length


def png_text_chunk(keyword: str, text: str) -> bytes:
    """`tEXt` when the text is Latin-1 (what the WebUI writes), else an uncompressed `iTXt` in UTF-8."""
    key = keyword.encode("latin-1")
    try:
        return _png_chunk(b"tEXt", key + b"\x00" + text.encode("latin-1"))
    except UnicodeEncodeError:
        return _png_chunk(b"iTXt", key + b"\x00\x00\x00\x00\x00" + text.encode("utf-8"))


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# -- JPEG --------------------------------------------------------------------------------------------


def _jpeg(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    handle.seek(0)
    start = handle.read(_HEAD_BYTES)
    if start[:2] != b"\xff\xd8":
        return None
    insert_at, has_exif, has_xmp = _jpeg_layout(start)
    segments = b""
    if not has_exif and provenance.parameters:
        segments += _jpeg_segment(0xE1, EXIF_HEADER + exif_user_comment(provenance.parameters))
    if not has_xmp:
        segments += _jpeg_segment(0xE1, XMP_HEADER + xmp_packet(provenance, limit=_MAX_SEGMENT - len(XMP_HEADER)))
    if not segments:
        return None
    return Splice(start[:insert_at] + segments, insert_at, b"")


def _jpeg_layout(data: bytes) -> tuple[int, bool, bool]:
    """Where our segments go (after SOI and a JFIF APP0, which must come first) and what is there already."""
    offset, insert_at = 2, 2
    has_exif = has_xmp = False
    while offset + 4 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        if marker in (0xDA, 0xD9) or not 0xE0 <= marker <= 0xFE:
            break  # the image data (or the tables before it): the application segments are behind us
        length = struct.unpack(">H", data[offset + 2 : offset + 4])[0]
        payload = data[offset + 4 : offset + 4 + 32]
        if marker == 0xE0 and payload.startswith(b"JFIF\x00") and offset == insert_at:
            insert_at = offset + 2 + length
        if marker == 0xE1 and payload.startswith(EXIF_HEADER):
            has_exif = True
        if marker == 0xE1 and payload.startswith(XMP_HEADER[:28]):
            has_xmp = True
        offset += 2 + length
    return insert_at, has_exif, has_xmp


def _jpeg_segment(marker: int, payload: bytes) -> bytes:
    """One segment, or nothing when the payload is over a segment's 64 KB (a long prompt's EXIF)."""
    if len(payload) > _MAX_SEGMENT:
        return b""
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


# -- WebP --------------------------------------------------------------------------------------------

_VP8X_EXIF = 0x08
_VP8X_XMP = 0x04
_VP8X_ALPHA = 0x10


def _webp(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    handle.seek(0)
    start = handle.read(_HEAD_BYTES)
    size = handle.seek(0, 2)
    if start[:4] != b"RIFF" or start[8:12] != b"WEBP":
        return None
    kinds = _riff_chunk_kinds(handle, size)
    first_kind = start[12:16]
    tail = b""
    flags = 0
    if provenance.parameters and b"EXIF" not in kinds:
        tail += _riff_chunk(b"EXIF", exif_user_comment(provenance.parameters))
        flags |= _VP8X_EXIF
    if b"XMP " not in kinds:
        tail += _riff_chunk(b"XMP ", xmp_packet(provenance))
        flags |= _VP8X_XMP
    if not tail:
        return None
    if first_kind == b"VP8X":
        vp8x = bytearray(start[12:30])
        vp8x[8] |= flags
        header, resume_at = bytes(vp8x), 30
    else:
        width, height, alpha = _bitstream_size(first_kind, start[20:40])
        header = _riff_chunk(b"VP8X", _vp8x_payload(flags | (_VP8X_ALPHA if alpha else 0), width, height))
        resume_at = 12
    riff_size = 4 + len(header) + (size - resume_at) + len(tail)
    return Splice(b"RIFF" + struct.pack("<I", riff_size) + b"WEBP" + header, resume_at, tail)


def _riff_chunk_kinds(handle: BinaryIO, size: int) -> set[bytes]:
    kinds: set[bytes] = set()
    offset = 12
    while offset + 8 <= size:
        handle.seek(offset)
        kind, length = struct.unpack("<4sI", handle.read(8))
        kinds.add(kind)
        offset += 8 + length + (length & 1)
    return kinds


def _bitstream_size(kind: bytes, data: bytes) -> tuple[int, int, bool]:
    """The canvas of a simple WebP, from its VP8 (lossy) or VP8L (lossless) bitstream's header."""
    if kind == b"VP8 ":
        if data[3:6] != b"\x9d\x01\x2a":
            raise ValueError("not a VP8 key frame")
        width, height = struct.unpack("<HH", data[6:10])
        return width & 0x3FFF, height & 0x3FFF, False
    if kind == b"VP8L":
        if data[0] != 0x2F:
            raise ValueError("not a VP8L bitstream")
        bits = int.from_bytes(data[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool((bits >> 28) & 1)
    raise ValueError(f"unexpected first chunk {kind!r}")


def _vp8x_payload(flags: int, width: int, height: int) -> bytes:
    return bytes((flags, 0, 0, 0)) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")


def _riff_chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) & 1 else b"")


# -- EXIF and XMP ------------------------------------------------------------------------------------


def exif_user_comment(text: str) -> bytes:
    """A big-endian TIFF block: IFD0 (Software, the Exif IFD's offset), the Exif IFD (UserComment).

    The comment is `UNICODE\\0` and UTF-16 in the block's byte order, the form the WebUI reads
    from (and writes to) JPEG and WebP files, and that exiftool decodes.
    """
    software = f"{APP_NAME}\x00".encode("ascii")
    comment = USER_COMMENT_UNICODE + text.encode("utf-16-be")
    ifd0_at = 8
    ifd0_size = 2 + 2 * 12 + 4
    exif_ifd_at = ifd0_at + ifd0_size
    exif_ifd_size = 2 + 12 + 4
    software_at = exif_ifd_at + exif_ifd_size
    comment_at = software_at + len(software) + (len(software) & 1)
    block = b"MM\x00\x2a" + struct.pack(">I", ifd0_at)
    block += struct.pack(">H", 2)
    block += struct.pack(">HHII", 0x0131, 2, len(software), software_at)  # Software, ASCII
    block += struct.pack(">HHII", 0x8769, 4, 1, exif_ifd_at)  # the Exif IFD, LONG
    block += struct.pack(">I", 0)
    block += struct.pack(">H", 1)
    block += struct.pack(">HHII", 0x9286, 7, len(comment), comment_at)  # UserComment, UNDEFINED
    block += struct.pack(">I", 0)
    block += software + (b"\x00" if len(software) & 1 else b"")
    return block + comment


def xmp_packet(provenance: Provenance, *, limit: int | None = None) -> bytes:
    """An XMP packet with the summary as dc:description and both forms as properties of our namespace.

    Over `limit` bytes (a JPEG segment holds 64 KB), the inputs are left out of the JSON and the
    document says so; the prompt and settings stay in `parameters`.
    """
    packet = _xmp(provenance.summary(), provenance.parameters, provenance.document_json())
    if limit is not None and len(packet) > limit:
        document = {**provenance.document, "inputs": None, "inputs_left_out": True}
        packet = _xmp(provenance.summary()[:4000], (provenance.parameters or "")[:8000] or None, _compact(document))
    return packet


def _compact(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _xmp(summary: str, parameters: str | None, document: str) -> bytes:
    tool = APP_NAME
    parameters_element = f"<boards:parameters>{escape(parameters)}</boards:parameters>" if parameters else ""
    xml = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        f' xmlns:boards="{XMP_NAMESPACE}">'
        f"<xmp:CreatorTool>{escape(tool)}</xmp:CreatorTool>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(summary)}"
        "</rdf:li></rdf:Alt></dc:description>"
        f"{parameters_element}"
        f"<boards:provenance>{escape(document)}</boards:provenance>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )
    return xml.encode("utf-8")


_WRITERS = {
    "png": _png,
    "jpg": _jpeg,
    "jpeg": _jpeg,
    "webp": _webp,
    "mp4": mp4_splice,
    "mov": mp4_splice,
    "m4a": mp4_splice,
    "mp3": mp3_splice,
    "wav": wav_splice,
}
