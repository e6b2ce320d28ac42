"""The board archive's format: its version, its names, and how a row becomes JSON and back.

An archive is a zip: `media/<key>` for every stored file of the board's generations (results,
thumbnails, additional files; `<key>` is the file's key in the media store, so the rows' URLs stay
true after an import) and `board.json`, the description, written last (it carries each file's
SHA-256, computed while the file was written). Rows are written column by column under the
column's own name: UUIDs as text, timestamps as ISO 8601 in UTC, JSON documents as they are.

Version 2: a generation's result is written with its metadata in (as a download has it), and its
media item's `embedded` says how to get the stored original back (archives.embedded); its `size`
and `sha256` are the original's. A version 1 archive holds the stored files as they are, and
imports as it always did.

`FORMAT_VERSION` grows by one whenever a reader of the previous version would misread an archive
(a column renamed or given another meaning); a new optional key does not change it. An archive of
a newer version is refused: this app cannot know what it would lose.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from boards_desktop.db.types import UTCDateTime, UUIDText

FORMAT_NAME = "boards-desktop.board"
FORMAT_VERSION = 2
DESCRIPTION_NAME = "board.json"
MEDIA_FOLDER = "media/"

# Columns that belong to the installation, not to the board: the tenant is the importer's, the
# board's count is kept by triggers, a lease names an app of the exporting installation, and a job's
# media storage (schema file 012) is the exporting app's.
LEFT_OUT = frozenset({"tenant_id", "generation_count", "lease_owner", "lease_expires_at", "media_storage"})


class ArchiveError(ValueError):
    """The archive cannot be imported; the message says why and what to do. Nothing was changed."""


def encode_row(table: Table, row: Any) -> dict[str, Any]:
    """A row (a mapping of column name to value) as JSON values, without the installation's columns."""
    document: dict[str, Any] = {}
    for column in table.columns:
        if column.name in LEFT_OUT:
            continue
        value = row[column.name]
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        document[column.name] = value
    return document


def decode_row(table: Table, document: Any, what: str) -> dict[str, Any]:
    """A JSON object of the archive as values to insert into `table`; ArchiveError names what is wrong.

    Columns missing from the document take the table's defaults (an archive of an older app), keys
    the table does not know are ignored (an optional key added in this format version later).
    """
    if not isinstance(document, dict):
        raise ArchiveError(f"{what} is not a JSON object; the archive is damaged")
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in LEFT_OUT or column.name not in document:
            continue
        value = document[column.name]
        try:
            if value is not None and isinstance(column.type, UUIDText):
                value = uuid.UUID(str(value))
            elif value is not None and isinstance(column.type, UTCDateTime):
                value = datetime.fromisoformat(str(value))
                value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except ValueError:
            raise ArchiveError(
                f"{what}: {column.name} {str(value)[:60]!r} is not valid; the archive is damaged"
            ) from None
        values[column.name] = value
    for column in table.primary_key.columns:
        if column.name not in LEFT_OUT and values.get(column.name) is None:
            raise ArchiveError(f"{what} has no {column.name}; the archive is damaged")
    return values
