"""Taking stock after a drill: the rows, the files, and whether each still agrees with the other.

Read straight from the database and the media folder while no server runs (a killed server leaves
SQLite's WAL behind; opening the file replays it, as the next start of the app would). Works on
SQLite and PostgreSQL alike, through SQLAlchemy with the app's own URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from boards_desktop.media.storage_identity import ID_FILE_NAME as STORAGE_ID_FILE
from boards_desktop.media.store import TMP_DIR, MediaStore
from tests.s3_server import ThrowawayS3

# Rows that point at a row that is not there (the foreign keys should make each of these 0).
ORPHAN_QUERIES = {
    "generations without their board": "SELECT count(*) FROM generations g "
    "LEFT JOIN boards b ON b.id = g.board_id WHERE b.id IS NULL",
    "lineage without its generation": "SELECT count(*) FROM generation_lineage l "
    "LEFT JOIN generations g ON g.id = l.generation_id WHERE g.id IS NULL",
    "lineage without its input": "SELECT count(*) FROM generation_lineage l "
    "LEFT JOIN generations g ON g.id = l.input_generation_id WHERE g.id IS NULL",
    "tags on a missing generation": "SELECT count(*) FROM generation_tags t "
    "LEFT JOIN generations g ON g.id = t.generation_id WHERE g.id IS NULL",
    "favourites of a missing generation": "SELECT count(*) FROM favourites f "
    "LEFT JOIN generations g ON g.id = f.generation_id WHERE g.id IS NULL",
    "board generation counts that disagree": "SELECT count(*) FROM boards b WHERE b.generation_count <> "
    "(SELECT count(*) FROM generations g WHERE g.board_id = b.id)",
}


async def query(url: str, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(text(sql), params or {})]
    finally:
        await engine.dispose()


async def generations(url: str) -> dict[str, dict[str, Any]]:
    """Every generation row, whole, by id (as text), for before-and-after comparisons."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT * FROM generations"))
            return {str(row["id"]): {k: _plain(v) for k, v in row.items()} for row in result.mappings()}
    finally:
        await engine.dispose()


def _plain(value: Any) -> Any:
    # JSON columns come back as text from SQLite and as Python values from asyncpg: text for both.
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return str(value) if value is not None and not isinstance(value, (int, float, str, bool)) else value


async def orphan_rows(url: str) -> dict[str, int]:
    """The kinds of dangling rows found, with their counts (empty when there are none)."""
    found = {}
    for what, sql in ORPHAN_QUERIES.items():
        count = (await query(url, sql))[0][0]
        if count:
            found[what] = count
    return found


async def integrity(url: str) -> list[str]:
    """What SQLite's own checks say is wrong (empty when `integrity_check` is ok); PostgreSQL: nothing to run."""
    if not url.startswith("sqlite"):
        return []
    problems = [str(row[0]) for row in await query(url, "PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"foreign key: {row}" for row in await query(url, "PRAGMA foreign_key_check")]
    return problems


def media_files(root: Path) -> set[str]:
    """Every file below the media root, as keys (paths with '/')."""
    if not root.exists():
        return set()
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if (path.is_file() or path.is_symlink()) and path.name != STORAGE_ID_FILE  # the folder's own id
    }


def is_unfinished_write(key: str) -> bool:
    """A streaming upload in `.tmp/`, or a hidden `.part` file in a generation's folder."""
    name = key.rsplit("/", 1)[-1]
    return key.startswith(TMP_DIR + "/") or (name.startswith(".") and name.endswith(".part"))


def named_files(rows: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The files the rows name (key -> generation id): the result and its thumbnail."""
    named = {}
    for row in rows:
        for column in ("storage_url", "thumbnail_url"):
            key = MediaStore.key_of_url(row.get(column))
            if key:
                named[key] = row["id"]
    return named


@dataclass(frozen=True)
class MediaAudit:
    missing: dict[str, str]  # key a row names -> its generation, with no file
    unnamed: set[str]  # files no row names that are not unfinished writes
    leftovers: set[str]  # unfinished writes


def audit_media(root: Path | set[str], rows: Iterable[dict[str, Any]]) -> MediaAudit:
    """The media folder's files (or the keys given: a bucket's objects and the folder's) against the rows."""
    named = named_files(rows)
    files = media_files(root) if isinstance(root, Path) else root
    return MediaAudit(
        missing={key: generation for key, generation in named.items() if key not in files},
        unnamed={key for key in files - named.keys() if not is_unfinished_write(key)},
        leftovers={key for key in files - named.keys() if is_unfinished_write(key)},
    )


class PublishedFiles:
    """Every file of the installation, as keys: the media folder's, and with a bucket its objects too
    (read with the test server's own client, under the app's prefix)."""

    def __init__(self, media_root: Path, storage_environment: dict[str, str], server: ThrowawayS3 | None) -> None:
        self.media_root = media_root
        self.server = server
        self.bucket: str | None = None
        self.prefix = ""
        if server is not None:
            self.bucket, _, prefix = storage_environment["BOARDS_STORAGE_URL"].removeprefix("s3://").partition("/")
            self.prefix = prefix + "/" if prefix else ""

    def files(self) -> set[str]:
        local = media_files(self.media_root)
        if self.server is None or self.bucket is None:
            return local
        return local | self.server.keys(self.bucket, self.prefix)
