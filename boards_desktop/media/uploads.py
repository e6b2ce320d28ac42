"""Turning a received file into a completed generation: what `POST /api/uploads/artifact` and the
`uploadArtifact` mutation share once the bytes are on disk.

Order, for crash safety: every check that can refuse (board, role, parent) runs before the file is
touched; then the file and its thumbnail are staged in their generation folder under hidden
`.part` names; then the row is written, the files are renamed into place, and the transaction
commits. When the transaction fails the files are deleted again. A crash before the renames leaves
only `.part` files; one in the moment between the renames and the commit, a folder without a row;
`boards-desktop media gc` removes both. Never a row without a file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from boards_desktop.db.queries.generations import insert_completed_generation
from boards_desktop.db.queries.lineage import InputArtifact
from boards_desktop.db.queries.records import BoardRecord
from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import bad_input, disk_full, not_found
from boards_desktop.graphql.lookups import readable_generation
from boards_desktop.graphql.mutations.common import existing_board
from boards_desktop.jobs.events import GenerationEvent
from boards_desktop.media.disk_space import DiskFull, check_free_space, is_disk_full
from boards_desktop.services import Services

UPLOAD_ARTIFACT_TYPES = ("image", "video", "audio", "text")
DEFAULT_FILENAME = "uploaded_file"
MAX_DESCRIPTION_CHARS = 10_000
MAX_FILENAME_CHARS = 255
_UNSAFE_FILENAME_CHARS = re.compile(r'[<>:"|?*\\\x01-\x1f\x7f]')


def sanitize_filename(raw: str | None) -> str:
    """The contract's rule: basename only, no NUL, `<>:"|?*\\` (and control characters) to `_`,
    dots and spaces trimmed at both ends, `uploaded_file` when nothing is left."""
    name = (raw or "").replace("\x00", "").rsplit("/", 1)[-1]
    name = name.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate is not text: it becomes '?', then '_'
    name = _UNSAFE_FILENAME_CHARS.sub("_", name).strip(" .")
    if len(name) > MAX_FILENAME_CHARS:
        _stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 16 else ""
        name = name[: MAX_FILENAME_CHARS - len(keep) - 1].rstrip(" .") + ("." + keep if keep else "")
    return name or DEFAULT_FILENAME


def upload_artifact_type(raw: str | None, field: str) -> str:
    value = (raw or "").strip().lower()
    if value not in UPLOAD_ARTIFACT_TYPES:
        shown = repr(raw) if raw else "nothing"
        raise bad_input(f"{field}: got {shown}; an upload is one of {', '.join(UPLOAD_ARTIFACT_TYPES)}")
    return value


def parse_uuid(raw: str | None, field: str, *, required: bool) -> uuid.UUID | None:
    if raw is None or raw.strip() == "":
        if required:
            raise bad_input(f"{field} is missing; give the id of the board to upload to")
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise bad_input(
            f"{field}: {raw[:80]!r} is not a UUID; give an id such as 3f2b9c4e-8d1a-4c2b-9f7e-1a2b3c4d5e6f"
        ) from None


def user_description(raw: str | None, field: str) -> str | None:
    if raw is None:
        return None
    if len(raw) > MAX_DESCRIPTION_CHARS:
        raise bad_input(f"{field} is {len(raw)} characters long; keep it to {MAX_DESCRIPTION_CHARS}")
    return raw


@dataclass(frozen=True)
class UploadTarget:
    board: BoardRecord
    artifact_type: str
    parent: InputArtifact | None


async def check_upload_target(
    ctx: RequestContext,
    *,
    board_id: uuid.UUID,
    artifact_type: str,
    parent_generation_id: uuid.UUID | None,
    parent_field: str,
) -> UploadTarget:
    """The board (NOT_FOUND), the caller's role on it (editor or above, FORBIDDEN) and the parent."""
    board = await existing_board(ctx, board_id)
    await ctx.permissions.require(board, "editor", "upload files")
    parent: InputArtifact | None = None
    if parent_generation_id is not None:
        generation = await readable_generation(ctx, parent_generation_id)
        if generation is None:
            raise bad_input(
                f"{parent_field}: generation {parent_generation_id} was not found, or you may not read it; "
                "give a generation you can see, or leave it out"
            )
        parent = InputArtifact(generation.id, "parent", generation.artifact_type)
    return UploadTarget(board, artifact_type, parent)


async def record_upload(
    ctx: RequestContext,
    target: UploadTarget,
    *,
    source: Path,
    size: int,
    file_field: str,
    original_filename: str,
    description: str | None,
    input_params: dict[str, Any],
) -> Any:
    """Move `source` into the media store and write its completed generation; returns the row.

    `source` is consumed: moved into place, or removed when anything refuses it.
    """
    services = ctx.services
    media = services.media
    board = target.board
    if size == 0:
        source.unlink(missing_ok=True)
        raise bad_input(f"{file_field}: the file is empty; choose a file with something in it")
    generation_id = uuid.uuid4()
    # Here, not at the top: ingest brings Pillow, which the server does not need before its first answer.
    from boards_desktop.media.ingest import MediaTypeError, stage_media
    from boards_desktop.media.upload_provenance import findings_of

    try:
        staged = await stage_media(
            media,
            board_id=board.id,
            generation_id=generation_id,
            source=source,
            artifact_type=target.artifact_type,
            move=True,
        )
    except MediaTypeError as exc:
        raise bad_input(
            f"{file_field}: {exc}; upload a file of that type, or give the artifact type that matches the file"
        ) from None
    except OSError as exc:
        if is_disk_full(exc):  # stage_media removed what it had written, and the source
            raise disk_full(media.root) from None
        raise
    stored = staged.media
    try:
        # The prompt and settings another tool wrote into the file, and its lineage by content.
        findings = await findings_of(
            ctx, staged.file, stored.artifact_type, stored.format, has_parent=target.parent is not None
        )
    except BaseException:
        await staged.discard()
        raise
    metadata = {
        **stored.metadata(),
        **findings.output_metadata,
        "original_filename": original_filename,
        "user_description": description,
    }
    input_params = {**findings.input_params, **input_params}
    input_artifacts = [target.parent] if target.parent else findings.parents
    try:
        if not media.backend.is_local:
            # An upload to a bucket takes seconds: before the transaction, not inside it (holding the
            # row's locks). A kill before the commit leaves objects no row names, which `media gc` removes.
            await staged.publish()
        async with ctx.sessions.write() as session:
            row = await insert_completed_generation(
                session,
                generation_id=generation_id,
                tenant_id=board.tenant_id,
                board_id=board.id,
                user_id=ctx.actor.user_id,
                generator_name=f"user-upload-{target.artifact_type}",
                artifact_type=target.artifact_type,
                input_params=input_params,
                input_artifacts=input_artifacts,
                storage_url=stored.storage_url,
                thumbnail_url=stored.thumbnail_url,
                output_metadata=metadata,
            )
            # The files get their names last thing before the commit (the row's locks are held by
            # now): a kill before this leaves only hidden `.part` files, and only the commit itself
            # lies between the named files and the row that names them.
            await staged.publish()
    except BaseException as exc:  # the row is not there, so its files must not be either
        await staged.discard()
        await media.delete_generation_files(board.id, generation_id)
        if isinstance(exc, IntegrityError):
            raise not_found(
                f"Board {board.id} or the parent generation was deleted while the file was uploading; nothing was kept"
            ) from None
        if is_disk_full(exc):
            raise disk_full(services.settings.data_dir) from None
        raise
    if services.events is not None:  # the board's viewers see the upload appear
        await services.events.publish(GenerationEvent.from_write(row))
    ctx.loaders.forget_board_contents(board.id)
    return row


async def upload_from_url(
    ctx: RequestContext,
    *,
    board_id: uuid.UUID,
    artifact_type: str,
    file_url: str | None,
    original_filename: str | None,
    description: str | None,
    parent_generation_id: uuid.UUID | None,
) -> Any:
    """`uploadArtifact`: download through the guarded fetcher, then as an upload; returns the row."""
    if not file_url or not file_url.strip():
        raise bad_input(
            "fileUrl is missing; give the http(s) URL of the file, or POST the file to /api/uploads/artifact"
        )
    artifact_type = upload_artifact_type(artifact_type, "artifactType")
    description = user_description(description, "userDescription")
    # Here, not at the top: the fetcher brings httpx, which the server does not need before its first answer.
    from boards_desktop.media.url_fetch import UrlFetcher, UrlRefused, check_url

    fetcher = UrlFetcher(max_bytes=ctx.services.settings.max_upload_bytes)  # the app never relaxes the policy
    try:
        check_url(file_url)  # a refused URL is said before any lookup in the database
    except UrlRefused as exc:
        raise bad_input(f"fileUrl: {exc}") from None
    target = await check_upload_target(
        ctx,
        board_id=board_id,
        artifact_type=artifact_type,
        parent_generation_id=parent_generation_id,
        parent_field="parentGenerationId",
    )
    refuse_when_disk_full(ctx.services)
    try:
        fetched = await fetcher.fetch(file_url, ctx.services.media.temp_path())
    except UrlRefused as exc:
        raise bad_input(f"fileUrl: {exc}") from None
    except OSError as exc:
        if is_disk_full(exc):  # the fetcher removed what it had written
            raise disk_full(ctx.services.media.root) from None
        raise
    return await record_upload(
        ctx,
        target,
        source=fetched.path,
        size=fetched.size,
        file_field="fileUrl",
        original_filename=sanitize_filename(original_filename or fetched.filename_hint),
        description=description,
        input_params={"source": "url", "file_url": file_url},
    )


def refuse_when_disk_full(services: Services) -> None:
    """INSUFFICIENT_STORAGE before anything is written when the media or the data folder's disk is all but full."""
    for folder in (services.media.root, services.settings.data_dir):
        try:
            check_free_space(folder, services.settings.min_free_bytes)
        except DiskFull:
            raise disk_full(folder) from None
