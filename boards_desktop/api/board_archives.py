"""A board as one archive over HTTP: the page's Export and Import (the CLI's `boards export/import`).

- `GET /api/boards/<id>/archive`: the board archive (archives.format), written while it is sent.
  Any role that reads the board may export it; 404 for a board that is not here or not yours to read.
  `X-Boards-Left-Out` counts the generations still running, which are not in the archive.
- `POST /api/boards/import`: the archive as the request body (`Content-Type: application/zip`),
  streamed to the media store's temporary folder as it arrives, then imported all or nothing
  (archives.importer). Adding to a board that is here already takes the editor role or higher.
  The answer (200) counts what was added and what was kept (`{boardId, generationsAdded,
  generationsKept, ..., message}`); a refusal is 400 with the usual JSON error and changes nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Stream

from boards_desktop.api.attachments import attachment
from boards_desktop.api.errors import error_response
from boards_desktop.api.uploads import STORAGE_UNAVAILABLE
from boards_desktop.archives.format import ArchiveError
from boards_desktop.graphql.errors import BAD_USER_INPUT, INSUFFICIENT_STORAGE, NOT_FOUND
from boards_desktop.media.disk_space import disk_full_message, is_disk_full
from boards_desktop.media.spool import SpoolFile
from boards_desktop.services import Services

_NAME_LENGTH = 60


@get("/api/boards/{board_id:str}/archive", media_type="application/zip")
async def export_board_archive(request: Request[Any, Any, Any], board_id: str) -> Any:
    services: Services = request.app.state.services
    try:
        parsed = uuid.UUID(board_id)
    except ValueError:
        return error_response(f"{board_id[:60]!r} is not a board id", BAD_USER_INPUT, 400)
    try:
        from boards_desktop.archives.snapshot import snapshot_board  # with Pillow's import: not before the first answer

        snapshot = await snapshot_board(services.database, services.media, services.actor, parsed)
    except ArchiveError as exc:
        return error_response(str(exc), NOT_FOUND, 404)
    except OSError as exc:  # the media bucket refused or did not answer
        message = f"The board's files could not be read from {services.media.location} ({exc}); try again"
        return error_response(message, STORAGE_UNAVAILABLE, 502)
    headers = {
        "Content-Disposition": attachment(_file_name(snapshot.title)),
        "Cache-Control": "no-store",
        "X-Boards-Left-Out": str(snapshot.description["left_out"]["running"]),
    }
    from boards_desktop.archives.writer import archive_stream

    return Stream(archive_stream(snapshot, services.media), media_type="application/zip", headers=headers)


@post("/api/boards/import", request_max_body_size=None, status_code=200)
async def import_board_archive(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    services: Services = request.app.state.services
    spool = SpoolFile(services.media.temp_path(".archive"))
    try:
        await spool.open()
        async for chunk in request.stream():
            await spool.write(chunk)
        await spool.finish()
        if spool.size == 0:
            return error_response(
                "The request has no archive; send the file's bytes as the body (Content-Type: application/zip)",
                BAD_USER_INPUT,
                400,
            )
        from boards_desktop.archives.importer import import_archive  # imports Pillow: not before the first answer

        report = await import_archive(services.database, services.media, services.actor, spool.path)
    except ArchiveError as exc:
        return error_response(str(exc), BAD_USER_INPUT, 400)
    except OSError as exc:
        if not is_disk_full(exc) and not services.media.backend.is_local:
            # The bucket refused or did not answer: said with its reason (never its credentials).
            message = f"The files could not be stored in {services.media.location} ({exc}); nothing was imported"
            return error_response(message, STORAGE_UNAVAILABLE, 502)
        if not is_disk_full(exc):
            raise
        return error_response(disk_full_message(services.media.root), INSUFFICIENT_STORAGE, 507)
    finally:
        await spool.discard()
    return Response(report.as_json(), status_code=200)


def _file_name(title: str) -> str:
    """`harbour-studies.board.zip`: the title's words, so that a folder of exports reads well."""
    slug = "-".join(re.findall(r"\w+", title.casefold()))[:_NAME_LENGTH].strip("-")
    return f"{slug or 'board'}.board.zip"
