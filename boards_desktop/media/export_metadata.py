"""Provenance for the copies that leave the app: the zip export, downloads and the window's "Save as".

One place decides what an exported file says (media.provenance), how it is written in
(media.embed) and how it is signed (media.content_credentials), so every way out gives the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from boards_desktop.media.content_credentials import MAX_SIGNED_BYTES, MIME_TYPES, CredentialSigner, signer_for
from boards_desktop.media.embed import Splice, splice_for
from boards_desktop.media.provenance import ParentFact, provenance_of
from boards_desktop.settings import Settings

UPLOAD_PREFIX = "user-upload-"


def export_splice(row: Any, path: Path, parents: list[ParentFact]) -> Splice | None:
    """How to write the generation's provenance into a copy of its stored file (reads the file's head)."""
    if row.status != "completed":
        return None
    return splice_for(path, path.suffix.lstrip("."), provenance_of(row, parents))


def credentials_signer(settings: Settings, row: Any, path: Path) -> CredentialSigner | None:
    """The signer for this generation's export: generated pictures only (an upload says nothing of how it
    was made, so no credential claims an AI made it), and None when credentials cannot be made here."""
    if row.status != "completed" or str(row.generator_name).startswith(UPLOAD_PREFIX):
        return None
    if path.suffix.lstrip(".").lower() not in MIME_TYPES:
        return None
    try:
        if path.stat().st_size > MAX_SIGNED_BYTES:
            return None  # signed in memory: a file this large leaves with its metadata only
    except OSError:
        return None
    return signer_for(settings.data_dir, settings.c2pa_certificate, settings.c2pa_key)


def signed_copy(
    signer: CredentialSigner, row: Any, path: Path, parents: list[ParentFact], splice: Splice | None
) -> bytes | None:
    """The whole exported copy, provenance written in and Content Credentials signed (in memory)."""
    provenance = provenance_of(row, parents)
    with path.open("rb") as handle:
        data = b"".join(splice.chunks(handle)) if splice is not None else handle.read()
    return signer.sign(data, path.suffix.lstrip("."), provenance, title=path.name)
