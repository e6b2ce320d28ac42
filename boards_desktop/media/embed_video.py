"""Provenance in an exported MP4, MOV or M4A: iTunes-style items in `moov/udta/meta/ilst`.

What common readers show: ffprobe and PyAV list a freeform item under its name and `©cmt` as
`comment`; exiftool shows them as ItemList tags; mutagen as `----:com.apple.iTunes:<name>` and
`©cmt`. Three items go in, each only when the file has none of that name already:

- `©cmt`: the WebUI's `parameters` text (or a line naming the generator), what players show as the comment;
- `----:com.apple.iTunes:parameters`: the same text under the name image readers know;
- `----:com.apple.iTunes:boards_provenance`: our JSON document.

Only `moov` changes, and it is small (the sample tables, a few KB to a few MB). The media data is
streamed as stored: when `moov` comes before it (a "fast start" file) every chunk offset after
`moov` moves by what was added, so the `stco`/`co64` tables are rewritten; when `moov` comes last,
the copy is the stored bytes up to it and then the new `moov`. Fragmented files (`moof`), a `meta`
of another kind (QuickTime's `mdta` keys) and boxes that do not parse are exported as stored.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from boards_desktop.media.provenance import Provenance
from boards_desktop.media.splice import Splice

FREEFORM_MEAN = "com.apple.iTunes"
PARAMETERS_NAME = "parameters"
PROVENANCE_NAME = "boards_provenance"
COMMENT = b"\xa9cmt"
_MAX_MOOV = 64 * 1024 * 1024  # read whole: a 2-hour film's tables are a few MB
_MAX_MOVED = 1024 * 1024  # what may follow a trailing moov (a `free` box, say) and be sent after the new one
_OFFSET_PATH = (b"trak", b"mdia", b"minf", b"stbl")
_UTF8 = 1  # the data atom's type: UTF-8 text


class _Unfit(ValueError):
    """A box layout this writer does not handle: the file is exported as stored."""


def mp4_splice(handle: BinaryIO, provenance: Provenance) -> Splice | None:
    size = handle.seek(0, 2)
    boxes = list(_top_level(handle, size))
    kinds = [kind for kind, _, _ in boxes]
    if kinds.count(b"moov") != 1 or b"moof" in kinds:
        return None  # not an MP4 or QuickTime file (no moov), or a fragmented one
    _, moov_at, moov_end = boxes[kinds.index(b"moov")]
    if moov_end - moov_at > _MAX_MOOV:
        return None
    handle.seek(moov_at)
    moov = handle.read(moov_end - moov_at)
    try:
        rebuilt = _moov_with_items(moov, _items(provenance))
        if rebuilt is None:
            return None
        new_moov = _shift_chunk_offsets(rebuilt, after=moov_end, delta=len(rebuilt) - len(moov))
    except (_Unfit, struct.error):
        return None
    media_first = any(kind == b"mdat" and start < moov_at for kind, start, _ in boxes)
    if not media_first and moov_at <= _MAX_MOVED:
        # moov before the media (a "fast start" file): what precedes it is sent in the head.
        handle.seek(0)
        return Splice(handle.read(moov_at) + new_moov, moov_end, b"")
    if size - moov_end <= _MAX_MOVED:
        # moov last: the stored bytes up to it, then the new moov and whatever followed the old one.
        handle.seek(moov_end)
        return Splice(b"", 0, new_moov + handle.read(size - moov_end), end_at=moov_at)
    return None


def _items(provenance: Provenance) -> dict[bytes, bytes]:
    """Our ilst items by the name that says whether the file has one already."""
    items = {COMMENT: _item(COMMENT, provenance.summary())}
    if provenance.parameters:
        items[PARAMETERS_NAME.encode()] = _freeform(PARAMETERS_NAME, provenance.parameters)
    items[PROVENANCE_NAME.encode()] = _freeform(PROVENANCE_NAME, provenance.document_json())
    return items


def _item(kind: bytes, text: str) -> bytes:
    return _box(kind, _data(text))


def _freeform(name: str, text: str) -> bytes:
    mean = _box(b"mean", b"\x00\x00\x00\x00" + FREEFORM_MEAN.encode())
    named = _box(b"name", b"\x00\x00\x00\x00" + name.encode())
    return _box(b"----", mean + named + _data(text))


def _data(text: str) -> bytes:
    return _box(b"data", struct.pack(">II", _UTF8, 0) + text.encode("utf-8"))


def _box(kind: bytes, payload: bytes) -> bytes:
    if len(payload) + 8 > 0xFFFFFFFF:
        raise _Unfit("box too large")
    return struct.pack(">I", len(payload) + 8) + kind + payload


# -- reading boxes -------------------------------------------------------------------------------------


def _top_level(handle: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, start, end) of each top-level box: a seek and a header read per box."""
    offset = 0
    while offset + 8 <= size:
        handle.seek(offset)
        header = handle.read(16)
        length, kind = struct.unpack(">I4s", header[:8])
        if length == 1 and len(header) == 16:
            length = struct.unpack(">Q", header[8:16])[0]
        elif length == 0:
            length = size - offset
        if length < 8 or offset + length > size:
            return  # a truncated or damaged tail: what was read so far decides
        yield kind, offset, offset + length
        offset += length


def _children(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
    """(kind, start, payload start, end) of the boxes in data[start:end]; _Unfit when they do not add up."""
    found = []
    offset = start
    while offset < end:
        if offset + 8 > end:
            if not any(data[offset:end]):
                break  # QuickTime's user data may end with a zero terminator
            raise _Unfit("a box header is cut short")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        header = 8
        if length == 1:
            length, header = struct.unpack(">Q", data[offset + 8 : offset + 16])[0], 16
        elif length == 0:
            length = end - offset
        if length < header or offset + length > end:
            raise _Unfit(f"box {kind!r} overruns its parent")
        found.append((kind, offset, offset + header, offset + length))
        offset += length
    return found


def _header_size(box: bytes) -> int:
    return 16 if box[:4] == b"\x00\x00\x00\x01" else 8


# -- writing the items ----------------------------------------------------------------------------------


def _moov_with_items(moov: bytes, items: dict[bytes, bytes]) -> bytes | None:
    """moov with our items added to its udta/meta/ilst (made when missing); None when it has them all."""
    parts = []
    done = False
    for kind, start, inner, end in _children(moov, _header_size(moov), len(moov)):
        if kind == b"udta" and not done:
            new_udta = _udta_with_items(moov, inner, end, items)
            if new_udta is None:
                return None
            parts.append(_box(b"udta", new_udta))
            done = True
        else:
            parts.append(moov[start:end])
    if not done:
        parts.append(_box(b"udta", _meta(b"".join(items.values()))))
    return _box(b"moov", b"".join(parts))


def _udta_with_items(data: bytes, start: int, end: int, items: dict[bytes, bytes]) -> bytes | None:
    children = _children(data, start, end)
    parts = []
    done = False
    for kind, child_start, inner, child_end in children:
        if kind == b"meta" and not done:
            new_meta = _meta_with_items(data, inner, child_end, items)
            if new_meta is None:
                return None
            parts.append(_box(b"meta", new_meta))
            done = True
        else:
            parts.append(data[child_start:child_end])
    if not done:
        parts.append(_meta(b"".join(items.values())))
    return b"".join(parts)


def _meta(ilst_payload: bytes) -> bytes:
    """A `meta` full box with the iTunes handler (`mdir`) and an `ilst` of these items."""
    handler = _box(b"hdlr", b"\x00" * 8 + b"mdir" + b"appl" + b"\x00" * 8 + b"\x00")
    return _box(b"meta", b"\x00\x00\x00\x00" + handler + _box(b"ilst", ilst_payload))


def _meta_with_items(data: bytes, start: int, end: int, items: dict[bytes, bytes]) -> bytes | None:
    # ISO's meta is a full box (4 bytes of version and flags); QuickTime's has none: its first child follows.
    prefix_end = start if data[start + 4 : start + 8] == b"hdlr" else start + 4
    children = _children(data, prefix_end, end)
    handlers = [data[inner + 8 : inner + 12] for kind, _, inner, _ in children if kind == b"hdlr"]
    if handlers != [b"mdir"]:
        return None  # another kind of metadata (QuickTime keys): left as it is, ours not added
    parts = [data[start:prefix_end]]
    done = False
    for kind, child_start, inner, child_end in children:
        if kind == b"ilst" and not done:
            have = _item_names(data, inner, child_end)
            wanted = [value for name, value in items.items() if name not in have]
            if not wanted:
                return None
            parts.append(_box(b"ilst", data[inner:child_end] + b"".join(wanted)))
            done = True
        else:
            parts.append(data[child_start:child_end])
    if not done:
        parts.append(_box(b"ilst", b"".join(items.values())))
    return b"".join(parts)


def _item_names(data: bytes, start: int, end: int) -> set[bytes]:
    """The ilst's items: their kind, or for a freeform item (`----`) its name."""
    names = set()
    for kind, _, inner, child_end in _children(data, start, end):
        if kind != b"----":
            names.add(kind)
            continue
        for sub_kind, _, sub_inner, sub_end in _children(data, inner, child_end):
            if sub_kind == b"name":
                names.add(data[sub_inner + 4 : sub_end])
    return names


# -- chunk offsets --------------------------------------------------------------------------------------


def _shift_chunk_offsets(moov: bytes, *, after: int, delta: int) -> bytes:
    """moov with every chunk offset at or past `after` (the old moov's end) moved by `delta`."""
    if delta == 0:
        return moov
    out = bytearray(moov)
    for table_kind, inner, end in _offset_tables(moov, _header_size(moov), len(moov), 0):
        count = struct.unpack(">I", moov[inner + 4 : inner + 8])[0]
        width, code = (4, ">I") if table_kind == b"stco" else (8, ">Q")
        first = inner + 8
        if first + count * width > end:
            raise _Unfit("a chunk offset table overruns its box")
        limit = 0xFFFFFFFF if width == 4 else 0xFFFFFFFFFFFFFFFF
        for at in range(first, first + count * width, width):
            offset = struct.unpack(code, moov[at : at + width])[0]
            if offset >= after:
                offset += delta
                if offset > limit:
                    raise _Unfit("a 32-bit chunk offset would overflow")
                out[at : at + width] = struct.pack(code, offset)
    return bytes(out)


def _offset_tables(data: bytes, start: int, end: int, depth: int) -> Iterator[tuple[bytes, int, int]]:
    for kind, _, inner, child_end in _children(data, start, end):
        if kind in (b"stco", b"co64") and depth == len(_OFFSET_PATH):
            yield kind, inner, child_end
        elif depth < len(_OFFSET_PATH) and kind == _OFFSET_PATH[depth]:
            yield from _offset_tables(data, inner, child_end, depth + 1)
