"""`POST /api/uploads/artifact`: a file from the artist's disk becomes a completed generation.

The body is read from the ASGI stream as it arrives, the file part straight into the media
store's temporary folder (see `media.multipart_form`); Litestar's body limit is off for this route
because ours (BOARDS_MAX_UPLOAD_MB) is enforced while streaming, with a 413 that names it.

The answer is 200 (upstream's upload hook counts nothing else as success) with the new generation's
`{id, status, storageUrl, thumbnailUrl, artifactType, generatorName}`, its URLs absolute and signed
(api.media_urls). Errors are JSON: `{"error": "<what was wrong and what to do>", "code":
"BAD_USER_INPUT", "detail": "<the same>"}`, with the codes the GraphQL API uses (PAYLOAD_TOO_LARGE for
413, INSUFFICIENT_STORAGE for 507 when the disk holding the media folder is full). A refused upload
leaves no file and no row.

The answer's `duplicateOf` ({"id", "title", "boardId", "boardTitle"} or null) names the earlier
generation with the very same bytes (their SHA-256, kept in outputMetadata.sha256): the board's own
when it has one, else the oldest on another board the uploader may read. The upload is kept all the
same (a copy may be wanted); the page says where the first one is, with a link to it.
`metadataFrom` names the tool whose metadata the file carried (its prompt and settings became the
upload's inputParams) and `linkedTo` the generations its embedded provenance linked it to
(media.upload_provenance).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, post

from boards_desktop.api.errors import error_response
from boards_desktop.db.queries.generations import same_bytes_readable
from boards_desktop.db.queries.lineage import parse_input_artifacts
from boards_desktop.graphql.context import RequestContext, get_request_context
from boards_desktop.graphql.errors import BAD_USER_INPUT, FORBIDDEN, INSUFFICIENT_STORAGE, NOT_FOUND, ApiError
from boards_desktop.media.disk_space import disk_full_message, is_disk_full
from boards_desktop.media.multipart_form import (
    FormError,
    ReceivedFile,
    boundary_of,
    check_announced_size,
    receive_upload_form,
)
from boards_desktop.media.uploads import (
    check_upload_target,
    parse_uuid,
    record_upload,
    refuse_when_disk_full,
    sanitize_filename,
    upload_artifact_type,
    user_description,
)
from boards_desktop.services import Services

PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"  # the media bucket refused or did not answer
_STATUS_OF_CODE = {
    BAD_USER_INPUT: 400,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    PAYLOAD_TOO_LARGE: 413,
    INSUFFICIENT_STORAGE: 507,
}
_FILE_FIELD = "file"


@post("/api/uploads/artifact", request_max_body_size=None, status_code=200)
async def upload_artifact(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    services: Services = request.app.state.services
    max_bytes = services.settings.max_upload_bytes
    ctx = await get_request_context(request)
    received: ReceivedFile | None = None
    try:
        refuse_when_disk_full(services)  # before a byte is read: the answer comes at once
        boundary = boundary_of(request.headers.get("content-type"))
        check_announced_size(request.headers.get("content-length"), max_bytes)
        form = await receive_upload_form(
            request.stream(),
            boundary=boundary,
            file_field=_FILE_FIELD,
            new_file_path=services.media.temp_path,
            max_file_bytes=max_bytes,
            on_file_start=_check_fields_sent_so_far,
        )
        received = form.file
        fields = form.fields
        board_id = parse_uuid(fields.get("board_id"), "board_id", required=True)
        artifact_type = upload_artifact_type(fields.get("artifact_type"), "artifact_type")
        parent_id = parse_uuid(fields.get("parent_generation_id"), "parent_generation_id", required=False)
        description = user_description(fields.get("user_description"), "user_description")
        if received is None:
            raise ApiError(
                f"The form has no '{_FILE_FIELD}' part with a file; send the file as {_FILE_FIELD}=@name",
                BAD_USER_INPUT,
            )
        assert board_id is not None
        target = await check_upload_target(
            ctx,
            board_id=board_id,
            artifact_type=artifact_type,
            parent_generation_id=parent_id,
            parent_field="parent_generation_id",
        )
        source, received = received, None  # record_upload consumes the file, whatever happens
        row = await record_upload(
            ctx,
            target,
            source=source.path,
            size=source.size,
            file_field=_FILE_FIELD,
            original_filename=sanitize_filename(source.filename),
            description=description,
            input_params={"source": "upload"},
        )
        duplicate = await _same_bytes(ctx, row)
    except FormError as exc:
        return _error(exc.message, PAYLOAD_TOO_LARGE if exc.status == 413 else BAD_USER_INPUT)
    except ApiError as exc:
        return _error(exc.message, exc.extensions["code"])
    except OSError as exc:
        if not is_disk_full(exc) and not services.media.backend.is_local:
            # The bucket refused or did not answer: said with its reason (never its credentials).
            message = f"The file could not be stored in {services.media.location} ({exc}); nothing was kept. Try again"
            return error_response(message, STORAGE_UNAVAILABLE, 502)
        if not is_disk_full(exc):
            raise
        # The spool ran out of room while the file arrived; receive_upload_form removed what it wrote.
        return _error(disk_full_message(services.media.root), INSUFFICIENT_STORAGE)
    finally:
        if received is not None:
            received.path.unlink(missing_ok=True)
        await ctx.sessions.close()
    return Response(
        {
            "id": str(row.id),
            "status": row.status,
            "storageUrl": ctx.media_urls(row.storage_url),
            "thumbnailUrl": ctx.media_urls(row.thumbnail_url),
            "artifactType": row.artifact_type,
            "generatorName": row.generator_name,
            # The same bytes were already here or on another board: the upload is kept, and the page says where.
            "duplicateOf": _duplicate_of(duplicate),
            # Read from the file itself (media.upload_provenance): which tool's metadata it carried, and
            # the generations its embedded provenance linked it to when no parent was given.
            "metadataFrom": _metadata_from(row),
            "linkedTo": [] if parent_id is not None else _input_ids(row),
        },
        status_code=200,
    )


async def _same_bytes(ctx: RequestContext, row: Any) -> tuple[Any, str] | None:
    """The earlier generation with the very bytes of this upload (this board's first), and its board's title."""
    sha256 = row.output_metadata.get("sha256") if isinstance(row.output_metadata, dict) else None
    if not isinstance(sha256, str):
        return None
    async with ctx.sessions.read() as session:
        return await same_bytes_readable(session, ctx.actor, row.board_id, sha256, other_than=row.id)


def _duplicate_of(found: tuple[Any, str] | None) -> dict[str, str] | None:
    if found is None:
        return None
    earlier, board_title = found
    return {
        "id": str(earlier.id),
        "title": duplicate_title(earlier),
        "boardId": str(earlier.board_id),
        "boardTitle": board_title,
    }


def duplicate_title(row: Any) -> str:
    """What the page calls the earlier one: its file name or prompt, else its generator."""
    metadata = row.output_metadata if isinstance(row.output_metadata, dict) else {}
    params = row.input_params if isinstance(row.input_params, dict) else {}
    for said in (metadata.get("original_filename"), params.get("prompt")):
        if isinstance(said, str) and said.strip():
            return said.strip()[:120]
    return str(row.generator_name)


def _metadata_from(row: Any) -> str | None:
    found = row.output_metadata.get("metadata_from") if isinstance(row.output_metadata, dict) else None
    return found if isinstance(found, str) else None


def _input_ids(row: Any) -> list[str]:
    return [str(artifact.generation_id) for artifact in parse_input_artifacts(row.input_artifacts)]


def _check_fields_sent_so_far(fields: Mapping[str, str]) -> None:
    """Fields that came before the file are checked before its bytes are read: a typo costs nothing."""
    if "board_id" in fields:
        parse_uuid(fields["board_id"], "board_id", required=True)
    if "artifact_type" in fields:
        upload_artifact_type(fields["artifact_type"], "artifact_type")
    if "parent_generation_id" in fields:
        parse_uuid(fields["parent_generation_id"], "parent_generation_id", required=False)


def _error(message: str, code: str) -> Response[dict[str, Any]]:
    return error_response(message, code, _STATUS_OF_CODE.get(code, 400))
