"""Provenance for the copies that leave the app: the zip export, downloads and the window's "Save as".

One place decides what an exported file says (media.provenance), how it is written in
(media.embed) and how it is signed (media.content_credentials), so every way out gives the same file,
from the media folder or a bucket alike (media.backend): the splice reads the stored file's header
through the store, and the copy is then sent as `head`, the stored bytes from `resume_at`, `tail`.
"""

from __future__ import annotations

import asyncio
from pathlib import PurePosixPath
from typing import Any

from boards_desktop.media.content_credentials import MAX_SIGNED_BYTES, MIME_TYPES, CredentialSigner, signer_for
from boards_desktop.media.embed import splice_of
from boards_desktop.media.provenance import ParentFact, provenance_of
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings

UPLOAD_PREFIX = "user-upload-"


def _format_of(key: str) -> str:
    return PurePosixPath(key).suffix.lstrip(".").lower()


def export_splice(store: MediaStore, key: str, row: Any, parents: list[ParentFact]) -> Splice | None:
    """How to write the generation's provenance into a copy of its stored file at `key`.

    Blocking (reads the file's header: from disk, or by range requests to the bucket): call it in a thread.
    """
    if row.status != "completed":
        return None
    try:
        stored = store.open_seekable_now(key)
    except (OSError, ValueError):  # unreadable, or a key that cannot be ours: exported as stored
        return None
    if stored is None:
        return None
    with stored:
        return splice_of(stored, _format_of(key), provenance_of(row, parents))


def credentials_signer(settings: Settings, row: Any, key: str, size: int) -> CredentialSigner | None:
    """The signer for this generation's export: generated files only (an upload says nothing of how it
    was made, so no credential claims an AI made it) in a format C2PA carries, and None when
    credentials cannot be made here.

    Blocking on first use (the installation's key may be made then): call it in a thread.
    """
    if row.status != "completed" or str(row.generator_name).startswith(UPLOAD_PREFIX):
        return None
    if _format_of(key) not in MIME_TYPES:
        return None
    if size > MAX_SIGNED_BYTES:
        return None  # signed in memory: a file this large leaves with its metadata only
    return signer_for(settings.data_dir, settings.c2pa_certificate, settings.c2pa_key)


async def read_stored(store: MediaStore, key: str) -> bytes:
    """A stored file's bytes in memory (for signing: callers keep to MAX_SIGNED_BYTES); OSError when gone."""
    if store.backend.is_local:
        # The folder: one read in one thread, as before there were backends.
        return await asyncio.to_thread(store.path_of(key).read_bytes)
    stored = await store.open(key)
    if stored is None:
        raise FileNotFoundError(2, "No such file or directory", key)
    data = b"".join([chunk async for chunk in stored.read()])
    if len(data) != stored.size:  # the bucket's reader logs a read cut short and ends: never sign half a file
        raise ConnectionError(f"{key}: read {len(data)} of {stored.size} bytes from {store.location}")
    return data


def signed_copy(
    signer: CredentialSigner, row: Any, key: str, stored: bytes, parents: list[ParentFact], splice: Splice | None
) -> bytes | None:
    """The whole exported copy of the stored bytes, provenance written in and Content Credentials signed
    (in memory; blocking). None when it could not be signed."""
    provenance = provenance_of(row, parents)
    data = splice.apply(stored) if splice is not None else stored
    return signer.sign(data, _format_of(key), provenance, title=PurePosixPath(key).name)


async def exported_bytes(
    store: MediaStore,
    signer: CredentialSigner,
    row: Any,
    key: str,
    parents: list[ParentFact],
    splice: Splice | None,
) -> bytes:
    """The copy that leaves the app, whole: signed, or with its provenance only when signing fails."""
    stored = await read_stored(store, key)
    signed = await asyncio.to_thread(signed_copy, signer, row, key, stored, parents, splice)
    if signed is not None:
        return signed
    return splice.apply(stored) if splice is not None else stored
