"""`boards-desktop boards export <board id> <file>` and `boards-desktop boards import <file>`.

Both bring the database up to date first, as the app does when it starts (a fresh installation
can import straight away). The media are where the app keeps them (`MediaStore.for_settings`):
the media folder, or the bucket `BOARDS_STORAGE_URL` names. Refusals are one line on stderr with exit status 2, as the other
commands' are.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

from boards_desktop.archives.format import ArchiveError
from boards_desktop.archives.importer import import_archive
from boards_desktop.archives.snapshot import snapshot_board
from boards_desktop.archives.writer import archive_stream
from boards_desktop.db.commands import prepare_database
from boards_desktop.db.engine import Database
from boards_desktop.db.queries.users import ensure_local_user
from boards_desktop.db.schema_runner import SchemaError
from boards_desktop.identity import load_identity
from boards_desktop.media.gc_command import human_size
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings


async def run_export(settings: Settings, board: str, target: Path) -> int:
    try:
        board_id = uuid.UUID(board)
    except ValueError:
        print(
            f"boards-desktop: {board[:60]!r} is not a board id (a UUID, as the board's URL shows it)", file=sys.stderr
        )
        return 2
    if target.is_dir():
        print(f"boards-desktop: {target} is a folder; give the archive's file name (board.zip)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        await prepare_database(settings)
    except SchemaError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    partial = target.with_name(target.name + ".part")
    try:
        actor = await ensure_local_user(database, load_identity(settings.data_dir))
        store = MediaStore.for_settings(settings)
        try:
            snapshot = await snapshot_board(database, store, actor, board_id)
        except OSError as exc:  # the bucket refused or did not answer
            raise ArchiveError(
                f"cannot read the board's files from {store.location} ({exc}); nothing was exported"
            ) from None
        size = 0
        with partial.open("wb") as out:
            async for chunk in archive_stream(snapshot, store):
                out.write(chunk)
                size += len(chunk)
        os.replace(partial, target)
    except ArchiveError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"boards-desktop: cannot write {target} ({exc.strerror or exc}); nothing was exported", file=sys.stderr)
        return 2
    finally:
        partial.unlink(missing_ok=True)
        await database.dispose()
    running = snapshot.description["left_out"]["running"]
    print(
        f"exported '{snapshot.title}': {_generations(snapshot.generation_count)}, {len(snapshot.files)} files, "
        f"{human_size(size)} to {target} in {time.perf_counter() - started:.1f} s"
    )
    if running:
        when = "it has finished to include it" if running == 1 else "they have finished to include them"
        print(f"left out {_generations(running)} still running; export again when {when}")
    return 0


async def run_import(settings: Settings, source: Path) -> int:
    try:
        await prepare_database(settings)
    except SchemaError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    try:
        actor = await ensure_local_user(database, load_identity(settings.data_dir))
        report = await import_archive(database, MediaStore.for_settings(settings), actor, source)
    except ArchiveError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"boards-desktop: cannot import {source} ({exc.strerror or exc}); nothing was imported", file=sys.stderr)
        return 2
    finally:
        await database.dispose()
    for line in report.lines():
        print(line)
    return 0


def _generations(count: int) -> str:
    return f"{count} generation" if count == 1 else f"{count} generations"
