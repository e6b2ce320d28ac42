"""Provenance for the copies that leave the app: the zip export, downloads and the window's "Save as".

One place decides what an exported file says (media.provenance), how it is written in
(media.embed) and how it is signed (media.content_credentials), so every way out gives the same file,
from the media folder or a bucket alike (media.backend): the splice reads the stored file's header
through the store, and the copy is then sent as `head`, the stored bytes from `resume_at`, `tail`.
A signed copy is made whole before it is sent (C2PA signs the finished file): in memory for a
picture, in temporary files under the media folder for anything larger (a video), so an export's
memory stays bounded whatever it holds.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath
from typing import Any

from boards_desktop.media.content_credentials import MAX_SIGNED_BYTES, MIME_TYPES, CredentialSigner, signer_for
from boards_desktop.media.embed import splice_of
from boards_desktop.media.provenance import ParentFact, provenance_of
from boards_desktop.media.splice import Splice
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings

UPLOAD_PREFIX = "user-upload-"
# A signed copy larger than this (a video) is made in temporary files instead of memory.
SIGNED_IN_MEMORY = 16 * 1024 * 1024
_CHUNK = 256 * 1024  # as the zip export and storage reads: a chunk a message


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


async def exported_copy(
    store: MediaStore,
    signer: CredentialSigner,
    row: Any,
    key: str,
    parents: list[ParentFact],
    splice: Splice | None,
    size: int,
) -> bytes | Path:
    """The signed copy: in memory for a picture, in a temporary file (the caller's to remove) for a
    file of more than SIGNED_IN_MEMORY bytes (a video), so that an export never holds one whole."""
    if size <= SIGNED_IN_MEMORY:
        return await exported_bytes(store, signer, row, key, parents, splice)
    return await exported_file(store, signer, row, key, parents, splice)


async def exported_file(
    store: MediaStore,
    signer: CredentialSigner,
    row: Any,
    key: str,
    parents: list[ParentFact],
    splice: Splice | None,
) -> Path:
    """The copy written to a temporary file under the media folder, provenance spliced in, then signed
    into a second one (C2PA reads and writes streams); with its provenance only when signing fails."""
    suffix = PurePosixPath(key).suffix
    unsigned, signed = store.temp_path(suffix), store.temp_path(suffix)
    try:
        await _write_copy(store, key, splice, unsigned)
        provenance = provenance_of(row, parents)
        title = PurePosixPath(key).name
        if await asyncio.to_thread(signer.sign_file, unsigned, signed, _format_of(key), provenance, title):
            unsigned.unlink(missing_ok=True)
            return signed
        signed.unlink(missing_ok=True)
        return unsigned
    except BaseException:
        unsigned.unlink(missing_ok=True)
        signed.unlink(missing_ok=True)
        raise


async def _write_copy(store: MediaStore, key: str, splice: Splice | None, dest: Path) -> None:
    """head, the stored span, tail into `dest`: in one thread from the folder, a chunk a trip from a bucket."""
    if store.backend.is_local:
        source = store.path_of(key)
        await asyncio.to_thread(_write_local, source, splice, dest)
        return
    stored = await store.open(key)
    if stored is None:
        raise FileNotFoundError(2, "No such file or directory", key)
    start, end = (0, stored.size) if splice is None else (splice.resume_at, splice.stop(stored.size))
    written = 0
    with dest.open("wb") as out:
        if splice is not None:
            await asyncio.to_thread(out.write, splice.head)
        async for chunk in stored.read(start, end - 1):
            await asyncio.to_thread(out.write, chunk)
            written += len(chunk)
        if written != end - start:  # the bucket's reader logs a read cut short and ends: never sign half a file
            raise ConnectionError(f"{key}: read {written} of {end - start} bytes from {store.location}")
        if splice is not None:
            await asyncio.to_thread(out.write, splice.tail)


def _write_local(source: Path, splice: Splice | None, dest: Path) -> None:
    if splice is None:
        shutil.copyfile(source, dest)
        return
    with dest.open("wb") as out:
        splice.write(source, out)


async def copy_chunks(path: Path, chunk: int = _CHUNK) -> AsyncIterator[bytes]:
    """A temporary copy's bytes, a chunk at a time off the event loop; the file is removed after."""
    try:
        with path.open("rb") as handle:
            while data := await asyncio.to_thread(handle.read, chunk):
                yield data
    finally:
        path.unlink(missing_ok=True)
