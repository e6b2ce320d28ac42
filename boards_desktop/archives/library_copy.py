"""`boards-desktop library copy --to <database URL> [--to-storage <where>]`: a whole library moved.

Every board this installation's user may read goes, one at a time, through a board archive (the
same export and import as `boards export` and `boards import`, so ids, lineage, tags, stars and
files are kept, and each board is all or nothing): written to a temporary file beside the target's
media, imported into the target database and storage, removed. A lineage link to a generation on
a board copied later (an input taken from another board) is added once every board is there.

Copying again is safe: what the target has already is kept as it is, and the counts say so; an
interrupted copy is finished by running it again. The source is read, never changed (but for its
schema, brought up to date first as every command does).
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, tuple_

from boards_desktop.archives.format import ArchiveError
from boards_desktop.archives.importer import ImportReport, import_archive
from boards_desktop.archives.snapshot import snapshot_board
from boards_desktop.archives.writer import archive_stream
from boards_desktop.db.commands import prepare_database
from boards_desktop.db.engine import Database
from boards_desktop.db.models import Board, Generation, GenerationLineage
from boards_desktop.db.queries.users import Actor, ensure_local_user
from boards_desktop.db.schema_runner import SchemaError
from boards_desktop.identity import load_identity
from boards_desktop.media.store import MediaStore
from boards_desktop.settings import Settings, redact_url

_CHUNK = 500


@dataclass
class CopyTotals:
    boards_added: int = 0
    boards_kept: int = 0
    boards_refused: int = 0
    generations_added: int = 0
    generations_kept: int = 0
    files_added: int = 0
    lineage_added: int = 0

    def add(self, report: ImportReport) -> None:
        if report.board_added:
            self.boards_added += 1
        else:
            self.boards_kept += 1
        self.generations_added += report.generations_added
        self.generations_kept += report.generations_kept
        self.files_added += report.files_added
        self.lineage_added += report.lineage_added


async def run_library_copy(source: Settings, target: Settings) -> int:
    if source.database_url == target.database_url:
        print(
            f"boards-desktop: the library is in {redact_url(source.database_url)} already; "
            "give --to the team's database URL",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    try:
        await prepare_database(source)
        await prepare_database(target)
    except SchemaError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    identity = load_identity(source.data_dir)
    from_database, to_database = Database(source.database_url), Database(target.database_url)
    try:
        from_actor = await ensure_local_user(from_database, identity)
        to_actor = await ensure_local_user(to_database, identity)
        from_store, to_store = MediaStore.for_settings(source), MediaStore.for_settings(target)
        async with from_database.read() as session:
            boards = list(await session.execute(select(Board.id, Board.title).order_by(Board.created_at, Board.id)))
        totals = CopyTotals()
        for board_id, title in boards:
            try:
                report = await _copy_board(
                    from_database, from_store, from_actor, to_database, to_store, to_actor, board_id
                )
            except ArchiveError as exc:
                totals.boards_refused += 1
                print(f"'{title}': not copied: {exc}", file=sys.stderr)
                continue
            except OSError as exc:  # a bucket that refused or did not answer, a full disk
                totals.boards_refused += 1
                print(f"'{title}': not copied: {exc}; run the copy again to finish it", file=sys.stderr)
                continue
            totals.add(report)
            print("; ".join(report.lines()))
        totals.lineage_added += await _link_across_boards(from_database, to_database)
    finally:
        await from_database.dispose()
        await to_database.dispose()
    print(
        f"copied {len(boards)} board(s) to {redact_url(target.database_url)} and {to_store.location} in "
        f"{time.perf_counter() - started:.1f} s: {totals.boards_added} added, {totals.boards_kept} there already; "
        f"generations: {totals.generations_added} added, {totals.generations_kept} there already; "
        f"{totals.files_added} files; {totals.lineage_added} lineage links"
    )
    if totals.boards_refused:
        print(f"{totals.boards_refused} board(s) were not copied (said above); nothing of them was added")
        return 1
    return 0


async def _copy_board(
    from_database: Database,
    from_store: MediaStore,
    from_actor: Actor,
    to_database: Database,
    to_store: MediaStore,
    to_actor: Actor,
    board_id: uuid.UUID,
) -> ImportReport:
    """One board through an archive in the target's temporary folder (on the same disk as its staging)."""
    snapshot = await snapshot_board(from_database, from_store, from_actor, board_id)
    path = to_store.temp_path(".zip")
    try:
        with path.open("wb") as out:
            async for chunk in archive_stream(snapshot, from_store):
                out.write(chunk)
        return await import_archive(to_database, to_store, to_actor, path)
    finally:
        path.unlink(missing_ok=True)


async def _link_across_boards(from_database: Database, to_database: Database) -> int:
    """The lineage links a board's import left out because their input was on a board copied later."""
    async with from_database.read() as session:
        links = [dict(row._mapping) for row in await session.execute(select(GenerationLineage.__table__))]
    if not links:
        return 0
    added = 0
    async with to_database.write() as session:
        for start in range(0, len(links), _CHUNK):
            chunk = links[start : start + _CHUNK]
            keys = [(row["generation_id"], row["position"]) for row in chunk]
            lineage = GenerationLineage.__table__.c
            present = set(
                (
                    await session.execute(
                        select(lineage.generation_id, lineage.position).where(
                            tuple_(lineage.generation_id, lineage.position).in_(keys)
                        )
                    )
                ).all()
            )
            ends = {row["generation_id"] for row in chunk} | {row["input_generation_id"] for row in chunk}
            here = set(await session.scalars(select(Generation.id).where(Generation.id.in_(list(ends)))))
            missing = [
                row
                for row in chunk
                if (row["generation_id"], row["position"]) not in present
                and row["generation_id"] in here
                and row["input_generation_id"] in here
            ]
            if missing:
                await session.execute(GenerationLineage.__table__.insert(), missing)
                added += len(missing)
    return added
