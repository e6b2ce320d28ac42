"""`GET /api/storage/{key}`: stored media, streamed, with Range requests (video seeking) and caching.

Every generation writes its own folder and a key's content never changes, so responses are
cacheable for a year (`immutable`): the board grid never revalidates a thumbnail it has seen.
The body is read from the file in chunks while it is sent; a 1 GB video costs 256 KB of memory.
With media in a bucket (media.bucket) the app streams the object through itself, Range and all,
rather than redirecting to a presigned URL: the role check below then holds for every byte (a
presigned URL would keep working after a teammate is removed from the board, until it expired),
the page keeps loading one relative URL whatever the backend, and the bucket's endpoint need not
be reachable from the window, only from the app.
A file is served only to a requester who may read its board now (api.media_access); others get 404.

A download (`?download=true`) of a generation's picture, video or audio is the copy with its
provenance written in (media.embed: the WebUI's `parameters` and our JSON) and, for a generated
file, signed Content Credentials (media.content_credentials): sent whole, never cached, the stored
file unchanged, from the folder or the bucket alike. The page's display (no `download`) and Range requests get the
stored bytes.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from litestar import HttpMethod, Request, Response, route
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Stream

from boards_desktop.api.attachments import attachment, download_name
from boards_desktop.api.media_access import may_read_media
from boards_desktop.db.models import Generation
from boards_desktop.db.queries.provenance import parent_facts
from boards_desktop.db.queries.records import select_generations
from boards_desktop.media.backend import StoredObject
from boards_desktop.media.export_metadata import copy_chunks, credentials_signer, export_splice, exported_copy
from boards_desktop.media.sniff import CONTENT_TYPES
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaKeyError, MediaStore
from boards_desktop.services import Services

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
        stored = await store.open(key)
    except MediaKeyError as exc:
        raise NotFoundException(f"No media at {_shown(key)}: {exc}") from None
    except OSError as exc:  # the bucket did not answer, or refused: not the client's fault
        raise HTTPException(status_code=502, detail=f"The media storage could not be read: {exc}") from None
    if stored is None:
        raise NotFoundException(f"No media at {_shown(key)}")
    try:
        headers = _entity_headers(key, stored)
        if as_attachment:
            headers["Content-Disposition"] = attachment(download_name(filename, PurePosixPath(key).name))
            exported = await _exported(request, store, key, stored, headers)
            if exported is not None:
                return exported
        if _not_modified(request, headers, stored):
            await stored.close()
            return Response(content=b"", status_code=304, headers=_without_body_headers(headers))
        size = stored.size
        span = _requested_range(request, headers, size)
        if span == "unsatisfiable":
            await stored.close()
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
            await stored.close()
            return Response(content=b"", status_code=status, headers=headers, media_type=media_type)
    except BaseException:
        await stored.close()
        raise
    return Stream(stored.read(start, end), status_code=status, headers=headers, media_type=media_type)


async def _exported(
    request: Request[Any, Any, Any], store: MediaStore, key: str, stored: StoredObject, headers: dict[str, str]
) -> Response[Any] | None:
    """The download of a generation's own file as it leaves the app: provenance written in, signed
    Content Credentials when the app makes them; None for any other file (a thumbnail, a file no row names).

    The same from the media folder or the bucket: the splice reads the stored file's header through the
    store, and the copy streams the stored object from where the splice's head leaves off.
    """
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
    splice = await asyncio.to_thread(export_splice, store, key, row, parents)
    signer = await asyncio.to_thread(credentials_signer, services.settings, row, key, stored.size)
    if signer is not None:
        await stored.close()  # read whole for signing instead (at most MAX_SIGNED_BYTES)
        try:
            data = await exported_copy(store, signer, row, key, parents, splice, stored.size)
        except FileNotFoundError:
            raise NotFoundException(f"No media at {_shown(key)}") from None
        except OSError as exc:  # the bucket did not answer, or refused: not the client's fault
            raise HTTPException(status_code=502, detail=f"The media storage could not be read: {exc}") from None
        return _whole(request, data, headers)
    if splice is None:
        return None
    return await _spliced(request, stored, splice, headers)


def _whole(request: Request[Any, Any, Any], data: bytes | Path, headers: dict[str, str]) -> Response[Any]:
    """The signed copy: bytes, or a temporary file (a video) streamed and then removed."""
    for name in ("ETag", "Accept-Ranges"):
        headers.pop(name, None)
    headers["Cache-Control"] = "no-store"
    media_type = headers.pop("Content-Type")
    if isinstance(data, Path):
        headers["Content-Length"] = str(data.stat().st_size)
        if request.method == HttpMethod.HEAD:
            data.unlink(missing_ok=True)
            return Response(content=b"", status_code=200, headers=headers, media_type=media_type)
        return Stream(copy_chunks(data), status_code=200, headers=headers, media_type=media_type)
    body = b"" if request.method == HttpMethod.HEAD else data
    headers["Content-Length"] = str(len(data))
    return Response(content=body, status_code=200, headers=headers, media_type=media_type)


async def _spliced(
    request: Request[Any, Any, Any], stored: StoredObject, splice: Splice, headers: dict[str, str]
) -> Response[Any]:
    """The whole copy with provenance: no ranges, no validators (it is made from the row as it is now)."""
    for name in ("ETag", "Accept-Ranges"):
        headers.pop(name, None)
    headers["Cache-Control"] = "no-store"
    headers["Content-Length"] = str(splice.size(stored.size))
    media_type = headers.pop("Content-Type")
    if request.method == HttpMethod.HEAD:
        await stored.close()
        return Response(content=b"", status_code=200, headers=headers, media_type=media_type)
    return Stream(_read_spliced(stored, splice), status_code=200, headers=headers, media_type=media_type)


async def _read_spliced(stored: StoredObject, splice: Splice) -> AsyncIterator[bytes]:
    try:
        yield splice.head
        async for chunk in stored.read(splice.resume_at, splice.stop(stored.size) - 1):
            yield chunk
        yield splice.tail
    finally:
        await stored.close()


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


def _entity_headers(key: str, stored: StoredObject) -> dict[str, str]:
    modified = datetime.fromtimestamp(int(stored.modified), tz=UTC)
    return {
        "Content-Type": CONTENT_TYPES.get(PurePosixPath(key).suffix.lstrip(".").lower(), "application/octet-stream"),
        "Accept-Ranges": "bytes",
        "ETag": stored.etag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": _CACHE_FOREVER,
        # Never let a browser guess a type: text that looks like HTML must stay text.
        "X-Content-Type-Options": "nosniff",
    }


def _without_body_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in ("Content-Type", "Content-Disposition")}


def _not_modified(request: Request[Any, Any, Any], headers: dict[str, str], stored: StoredObject) -> bool:
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
        return since is not None and int(stored.modified) <= since.timestamp()
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
