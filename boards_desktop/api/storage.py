"""`GET /api/storage/{key}`: stored media, streamed, with Range requests (video seeking) and caching.

Every generation writes its own folder and a key's content never changes, so responses are
cacheable for a year (`immutable`): the board grid never revalidates a thumbnail it has seen.
The body is read from the file in chunks while it is sent; a 1 GB video costs 256 KB of memory.
A file is served only to a requester who may read its board now (api.media_access); others get 404.

A download (`?download=true`) of a generation's picture is the copy with its provenance written in
(media.embed: the WebUI's `parameters` and our JSON) and, for a generated picture, signed Content
Credentials (media.content_credentials): sent whole, never cached, the stored file unchanged. The page's display (no `download`) and Range requests get the stored bytes.
"""

from __future__ import annotations

import os
import re
import stat
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import anyio
from litestar import HttpMethod, Request, Response, route
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Stream

from boards_desktop.api.attachments import attachment, download_name
from boards_desktop.api.media_access import may_read_media
from boards_desktop.db.models import Generation
from boards_desktop.db.queries.provenance import parent_facts
from boards_desktop.db.queries.records import select_generations
from boards_desktop.media.embed import Splice
from boards_desktop.media.export_metadata import credentials_signer, export_splice, signed_copy
from boards_desktop.media.sniff import CONTENT_TYPES
from boards_desktop.media.store import MediaKeyError, MediaStore
from boards_desktop.services import Services

_CHUNK = 256 * 1024
_CACHE_FOREVER = "public, max-age=31536000, immutable"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_TRUE = {"true", "1", "yes"}
# Keys are board/generation/file (a few levels at most); file systems hold names up to 255 bytes.
_MAX_KEY_SEGMENTS = 8
_MAX_KEY_CHARS = 1024
_MAX_NAME_BYTES = 255
_FALSE = {"false", "0", "no", ""}


@route("/api/storage/{key:path}", http_method=[HttpMethod.GET, HttpMethod.HEAD])
async def serve_media(
    request: Request[Any, Any, Any], key: str, download: str | None = None, filename: str | None = None
) -> Response[Any]:
    store = _store_of(request)
    as_attachment = _flag(download)
    key = key.removeprefix("/")  # the router's path parameter starts with its '/'
    if not _plausible_key(key):
        raise NotFoundException(f"No media at {_shown(key)}: a media key is board/generation/file")
    if not await may_read_media(request, key):
        # The same answer as a missing file: a URL reveals nothing about boards you may not read.
        raise NotFoundException(f"No media at {_shown(key)}")
    try:
        path = store.path_of(key)
    except MediaKeyError as exc:
        raise NotFoundException(f"No media at {_shown(key)}: {exc}") from None
    try:
        handle = path.open("rb")
    except (OSError, ValueError):  # missing, a folder, unreadable, or a name the file system cannot hold
        raise NotFoundException(f"No media at {_shown(key)}") from None
    try:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotFoundException(f"No media at {key!r}")
        headers = _entity_headers(path, info)
        if as_attachment:
            headers["Content-Disposition"] = attachment(download_name(filename, path.name))
            exported = await _exported(request, key, path, handle, info.st_size, headers)
            if exported is not None:
                return exported
        if _not_modified(request, headers, info):
            handle.close()
            return Response(content=b"", status_code=304, headers=_without_body_headers(headers))
        size = info.st_size
        span = _requested_range(request, headers, size)
        if span == "unsatisfiable":
            handle.close()
            return Response(
                content=b"",
                status_code=416,
                headers={**_without_body_headers(headers), "Content-Range": f"bytes */{size}"},
            )
        start, end = span if span else (0, size - 1)
        status = 206 if span else 200
        if span:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(max(0, end - start + 1))
        media_type = headers.pop("Content-Type")
        if media_type.startswith("text/"):
            media_type = media_type.split(";", 1)[0]  # Litestar adds "; charset=utf-8" to text types itself
        if request.method == HttpMethod.HEAD:
            handle.close()
            return Response(content=b"", status_code=status, headers=headers, media_type=media_type)
    except BaseException:
        handle.close()
        raise
    return Stream(_read(handle, start, end), status_code=status, headers=headers, media_type=media_type)


async def _exported(
    request: Request[Any, Any, Any], key: str, path: Path, handle: Any, stored_size: int, headers: dict[str, str]
) -> Response[Any] | None:
    """The download of a generation's own file as it leaves the app: provenance written in, signed
    Content Credentials when the app makes them; None for any other file (a thumbnail, a file no row names)."""
    services: Services = request.app.state.services
    parts = key.split("/")
    try:
        board_id, generation_id = uuid.UUID(parts[0]), uuid.UUID(parts[1])
    except (IndexError, ValueError):
        return None
    async with services.database.read() as session:
        row = (await session.execute(select_generations().where(Generation.id == generation_id))).first()
        if row is None or row.board_id != board_id or MediaStore.key_of_url(row.storage_url) != key:
            return None
        parents = (await parent_facts(session, [row]))[row.id]
    splice = await anyio.to_thread.run_sync(export_splice, row, path, parents)
    signer = await anyio.to_thread.run_sync(credentials_signer, services.settings, row, path)
    if signer is not None:
        signed = await anyio.to_thread.run_sync(signed_copy, signer, row, path, parents, splice)
        if signed is not None:
            handle.close()
            return _whole(request, signed, headers)
    if splice is None:
        return None
    return _spliced(request, handle, splice, stored_size, headers)


def _whole(request: Request[Any, Any, Any], data: bytes, headers: dict[str, str]) -> Response[Any]:
    for name in ("ETag", "Accept-Ranges"):
        headers.pop(name, None)
    headers["Cache-Control"] = "no-store"
    media_type = headers.pop("Content-Type")
    body = b"" if request.method == HttpMethod.HEAD else data
    headers["Content-Length"] = str(len(data))
    return Response(content=body, status_code=200, headers=headers, media_type=media_type)


def _spliced(
    request: Request[Any, Any, Any], handle: Any, splice: Splice, stored_size: int, headers: dict[str, str]
) -> Response[Any]:
    """The whole copy with provenance: no ranges, no validators (it is made from the row as it is now)."""
    for name in ("ETag", "Accept-Ranges"):
        headers.pop(name, None)
    headers["Cache-Control"] = "no-store"
    headers["Content-Length"] = str(splice.size(stored_size))
    media_type = headers.pop("Content-Type")
    if request.method == HttpMethod.HEAD:
        handle.close()
        return Response(content=b"", status_code=200, headers=headers, media_type=media_type)
    return Stream(_read_spliced(handle, splice), status_code=200, headers=headers, media_type=media_type)


async def _read_spliced(handle: Any, splice: Splice) -> AsyncIterator[bytes]:
    try:
        yield splice.head
        await anyio.to_thread.run_sync(handle.seek, splice.resume_at)
        while chunk := await anyio.to_thread.run_sync(handle.read, _CHUNK):
            yield chunk
        yield splice.tail
    finally:
        handle.close()


def _plausible_key(key: str) -> bool:
    """Whether a key could name a stored file at all: any other is a 404 without touching the disk."""
    segments = key.split("/")
    return (
        0 < len(key) <= _MAX_KEY_CHARS
        and len(segments) <= _MAX_KEY_SEGMENTS
        and all(len(segment.encode("utf-8", "surrogatepass")) <= _MAX_NAME_BYTES for segment in segments)
    )


def _shown(key: str) -> str:
    return repr(key if len(key) <= 120 else key[:120] + "...")


async def _read(handle: Any, start: int, end: int) -> AsyncIterator[bytes]:
    """The bytes start..end (inclusive) of an open file, a chunk at a time, each read off the event loop."""
    try:
        remaining = end - start + 1
        await anyio.to_thread.run_sync(handle.seek, start)
        while remaining > 0:
            chunk = await anyio.to_thread.run_sync(handle.read, min(_CHUNK, remaining))
            if not chunk:
                break  # the file shrank; its length was promised, so the client sees a short body
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _store_of(request: Request[Any, Any, Any]) -> MediaStore:
    store: MediaStore | None = getattr(request.app.state.services, "media", None)
    if store is None:
        raise HTTPException(status_code=503, detail="The media store is not ready yet; try again in a moment")
    return store


def _flag(value: str | None) -> bool:
    if value is None or value.lower() in _FALSE:
        return False
    if value.lower() in _TRUE:
        return True
    raise HTTPException(status_code=400, detail=f"download={value!r}: use download=true or download=false")


def _entity_headers(path: Path, info: os.stat_result) -> dict[str, str]:
    modified = datetime.fromtimestamp(int(info.st_mtime), tz=UTC)
    return {
        "Content-Type": CONTENT_TYPES.get(path.suffix.lstrip(".").lower(), "application/octet-stream"),
        "Accept-Ranges": "bytes",
        "ETag": f'"{info.st_size:x}-{info.st_mtime_ns:x}"',
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": _CACHE_FOREVER,
        # Never let a browser guess a type: text that looks like HTML must stay text.
        "X-Content-Type-Options": "nosniff",
    }


def _without_body_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in ("Content-Type", "Content-Disposition")}


def _not_modified(request: Request[Any, Any, Any], headers: dict[str, str], info: os.stat_result) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or headers["ETag"] in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since is not None and int(info.st_mtime) <= since.timestamp()
    return False


def _requested_range(
    request: Request[Any, Any, Any], headers: dict[str, str], size: int
) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """(start, end) inclusive for one satisfiable range, "unsatisfiable", or None to send it all.

    Several ranges, or a header we cannot parse, get the whole file: RFC 9110 lets a server ignore
    Range, and the players that seek (video and audio elements) ask for one range at a time.
    """
    header = request.headers.get("range")
    if not header:
        return None
    if_range = request.headers.get("if-range")
    if if_range and if_range.strip() not in (headers["ETag"], headers["Last-Modified"]):
        return None  # the client's copy is of another version: send the whole file
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if last and int(last) < start:
            return None  # bytes=5-2 is invalid, so ignored
        if start >= size:
            return "unsatisfiable"
        return start, end
    suffix = int(last)  # bytes=-N: the last N bytes
    if suffix == 0 or size == 0:
        return "unsatisfiable"
    return max(0, size - suffix), size - 1
