"""`GET /api/exports/zip?ids=<id>,<id>,...&filename=<name>.zip`: generations' files as one zip download.

Everything is checked before the first byte goes out: every id must be a generation you may read
(404 for one that does not exist, 403 for one on a board you may not read), at most 1,000 of them,
and at least one must have a file. Generations without a file yet (pending, failed, cancelled) are
left out, and the response says how many in `X-Boards-Skipped`. Each file is named after its
prompt (or upload name, or generator) and the start of its id: `a-lighthouse-at-dusk-3f2a9b1c.png`.
The archive is written while it is sent (media.zip_export). Pictures, videos and audio carry how
they were made (the WebUI's `parameters` and our provenance JSON, see media.embed); the stored files
are unchanged.

Errors are JSON, as the uploads': `{"error": "...", "code": "BAD_USER_INPUT", "detail": "..."}` (or NOT_FOUND,
FORBIDDEN; see api.errors).
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

from litestar import Request, Response, get
from litestar.response import Stream

from boards_desktop.api.attachments import attachment, download_name
from boards_desktop.api.errors import error_response
from boards_desktop.db.queries.provenance import parent_facts
from boards_desktop.db.queries.records import GenerationRecord
from boards_desktop.graphql import validation
from boards_desktop.graphql.context import RequestContext, get_request_context
from boards_desktop.graphql.errors import (
    BAD_USER_INPUT,
    FORBIDDEN,
    NOT_FOUND,
    ApiError,
    bad_input,
    forbidden,
    not_found,
)
from boards_desktop.graphql.mutations.common import name_ids
from boards_desktop.media.content_credentials import CredentialSigner
from boards_desktop.media.export_metadata import credentials_signer, export_splice, exported_copy
from boards_desktop.media.provenance import ParentFact
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaKeyError, MediaStore
from boards_desktop.media.zip_export import ExportEntry, entry_name, unique_names, zip_stream
from boards_desktop.settings import Settings

DEFAULT_NAME = "boards-export.zip"
_CREDENTIALS_ALLOWANCE = 64 * 1024  # what a signed manifest may add (a few KB): the size only decides ZIP64
_STATUS_OF_CODE = {BAD_USER_INPUT: 400, FORBIDDEN: 403, NOT_FOUND: 404}


@get("/api/exports/zip", media_type="application/zip")
async def export_zip(request: Request[Any, Any, Any], ids: str | None = None, filename: str | None = None) -> Any:
    store: MediaStore | None = getattr(request.app.state.services, "media", None)
    if store is None:
        return _error("The media store is not ready yet; try again in a moment", "STARTING", status=503)
    try:
        generation_ids = _parse_ids(ids)
        ctx = await get_request_context(request)
        try:
            rows = await _readable(ctx, generation_ids)
            async with ctx.sessions.read() as session:
                parents = await parent_facts(session, rows)
        finally:
            await ctx.sessions.close()
        settings = request.app.state.services.settings
        entries, skipped = await _entries(store, rows, parents, settings)
    except ApiError as exc:
        return _error(exc.message, exc.extensions["code"])
    name = download_name(filename, DEFAULT_NAME)
    if not name.lower().endswith(".zip"):
        name += ".zip"
    headers = {"Content-Disposition": attachment(name), "Cache-Control": "no-store", "X-Boards-Skipped": str(skipped)}
    return Stream(zip_stream(store, entries), media_type="application/zip", headers=headers)


def _parse_ids(text: str | None) -> list[uuid.UUID]:
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    parsed = []
    for part in parts:
        try:
            parsed.append(uuid.UUID(part))
        except ValueError:
            raise bad_input(f"ids: {part[:60]!r} is not a generation id; send ids=<id>,<id>,...") from None
    return validation.bulk_ids(parsed, "ids")


async def _readable(ctx: RequestContext, ids: list[uuid.UUID]) -> list[GenerationRecord]:
    rows = await ctx.loaders.generations.load_many(ids)
    missing = [i for i, row in zip(ids, rows) if row is None or row.tenant_id != ctx.actor.tenant_id]
    if missing:
        raise not_found(f"Generation not found, it may have been deleted: {name_ids(missing)}")
    found = [row for row in rows if row is not None]
    boards = await ctx.loaders.boards.load_many(list(dict.fromkeys(row.board_id for row in found)))
    readable = {board.id for board in boards if board is not None and await ctx.permissions.can_read(board)}
    hidden = [row.id for row in found if row.board_id not in readable]
    if hidden:
        raise forbidden(f"Generation on a board you may not read: {name_ids(hidden)}; ask its owner for access")
    return found


async def _entries(
    store: MediaStore, rows: list[GenerationRecord], parents: dict[uuid.UUID, list[ParentFact]], settings: Settings
) -> tuple[list[ExportEntry], int]:
    keys = {row.id: _key_of(store, row.storage_url) for row in rows}
    facts = await store.describe([key for key in keys.values() if key is not None])
    found = [(row, key, facts[key]) for row in rows if (key := keys[row.id]) is not None and key in facts]
    plans = await _plans(store, settings, [(row, key, info.size) for row, key, info in found], parents)
    entries: list[ExportEntry] = []
    for (row, key, info), (splice, signer) in zip(found, plans, strict=True):
        metadata = row.output_metadata if isinstance(row.output_metadata, dict) else {}
        params = row.input_params if isinstance(row.input_params, dict) else {}
        prompt = params.get("prompt") if isinstance(params.get("prompt"), str) else None
        upload = metadata.get("original_filename") if isinstance(metadata.get("original_filename"), str) else None
        title = prompt or (Path(upload).stem if upload else None)
        name = entry_name(title, row.generator_name, row.id, PurePosixPath(key).suffix.lstrip(".").lower())
        size = splice.size(info.size) if splice is not None else info.size
        # Signed when its turn comes, so that the archive never holds more than one copy in memory.
        produce = None
        if signer is not None:
            produce = functools.partial(exported_copy, store, signer, row, key, parents.get(row.id, []), splice, size)
            size += _CREDENTIALS_ALLOWANCE
        entries.append(ExportEntry(key, name, size, info.modified, splice, produce))
    if not entries:
        raise not_found(
            "None of these generations has a file to download yet (they are pending, processing, failed or cancelled)"
        )
    return unique_names(entries), len(rows) - len(entries)


_Plan = tuple[Splice | None, CredentialSigner | None]
_PARALLEL_PLANS = 8  # bucket range requests for headers at once


async def _plans(
    store: MediaStore,
    settings: Settings,
    found: list[tuple[GenerationRecord, str, int]],
    parents: dict[uuid.UUID, list[ParentFact]],
) -> list[_Plan]:
    """Each file's splice (from its header) and signer, off the event loop."""

    def plan(row: GenerationRecord, key: str, size: int) -> _Plan:
        splice = export_splice(store, key, row, parents.get(row.id, []))
        return splice, credentials_signer(settings, row, key, size)

    if store.backend.is_local:
        # Headers on this disk take microseconds: one thread for all of them, as before there were backends.
        return await asyncio.to_thread(lambda: [plan(*item) for item in found])
    limit = asyncio.Semaphore(_PARALLEL_PLANS)

    async def planned(item: tuple[GenerationRecord, str, int]) -> _Plan:
        async with limit:
            return await asyncio.to_thread(plan, *item)

    return list(await asyncio.gather(*(planned(item) for item in found)))


def _key_of(store: MediaStore, url: str | None) -> str | None:
    key = store.key_of_url(url)
    if key is None:
        return None
    try:
        store.path_of(key)  # a key that could not be one of ours names no file
    except MediaKeyError:
        return None
    return key


def _error(message: str, code: str, *, status: int | None = None) -> Response[dict[str, Any]]:
    return error_response(message, code, status or _STATUS_OF_CODE.get(code, 400))
