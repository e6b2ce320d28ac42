"""What a board archive holds, read from the database in one transaction: rows and files.

The files are looked up through the media store's backend (the media folder or the bucket), all
of them in one call: one thread trip on the folder, parallel HEAD requests on a bucket.

Generations still pending or processing are left out (their job belongs to this installation's
queue, and their files do not exist yet); the description counts them under `left_out`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop import __version__
from boards_desktop.archives.format import FORMAT_NAME, FORMAT_VERSION, MEDIA_FOLDER, ArchiveError, encode_row
from boards_desktop.archives.roles import may_read
from boards_desktop.db.engine import Database
from boards_desktop.db.models import (
    Board,
    BoardMember,
    Favourite,
    Generation,
    GenerationLineage,
    GenerationTag,
    Tag,
    User,
)
from boards_desktop.db.queries.provenance import parent_facts
from boards_desktop.db.queries.users import Actor
from boards_desktop.db.types import utcnow
from boards_desktop.media.provenance import ParentFact
from boards_desktop.media.store import MediaKeyError, MediaStore, check_key

FINISHED = ("completed", "failed", "cancelled")
_USER_COLUMNS = ("id", "auth_provider", "auth_subject", "display_name", "email")
_CHUNK = 500


@dataclass(frozen=True)
class ArchivedFile:
    """One stored file going into the archive, with the row of the generation it belongs to."""

    key: str  # its key in the media store: `<board>/<generation>/<name>`
    size: int
    modified: float
    generation: dict[str, Any]  # the generation's row as the description has it
    # The generation's row and its inputs when this is its result: its entry carries the generation's
    # metadata (archives.embedded). None for a thumbnail or an additional file.
    record: Any = None
    parents: tuple[ParentFact, ...] = ()

    @property
    def name(self) -> str:
        return MEDIA_FOLDER + self.key


@dataclass
class BoardSnapshot:
    board_id: uuid.UUID
    title: str
    description: dict[str, Any]  # board.json without its `media` list (added as the files are written)
    files: list[ArchivedFile] = field(default_factory=list)

    @property
    def generation_count(self) -> int:
        return len(self.description["generations"])


async def snapshot_board(database: Database, store: MediaStore, actor: Actor, board_id: uuid.UUID) -> BoardSnapshot:
    """The board's rows and files; ArchiveError when it is not here or the actor may not read it.

    OSError (a BucketError) when the media bucket cannot be asked which files it has.
    """
    async with database.read() as session:
        board = (await session.execute(select(Board.__table__).where(Board.id == board_id))).first()
        if board is None or not await may_read(session, actor, board):
            raise ArchiveError(f"No board {board_id} that you may read; check the id (`boards` in GraphQL lists them)")
        mine = select(Generation.id).where(Generation.board_id == board_id, Generation.status.in_(FINISHED))
        generations = (
            await session.execute(
                select(Generation.__table__)
                .where(Generation.board_id == board_id)
                .order_by(Generation.created_at, Generation.id)
            )
        ).all()
        finished = [row for row in generations if row.status in FINISHED]
        lineage = await _rows(session, GenerationLineage, GenerationLineage.generation_id.in_(mine))
        links = await _rows(session, GenerationTag, GenerationTag.generation_id.in_(mine))
        tags = await _rows(
            session, Tag, Tag.id.in_(select(GenerationTag.tag_id).where(GenerationTag.generation_id.in_(mine)))
        )
        favourites = await _rows(session, Favourite, Favourite.generation_id.in_(mine))
        members = await _rows(session, BoardMember, BoardMember.board_id == board_id)
        people = {board.owner_id}
        people.update(row.user_id for row in finished)
        people.update(row.user_id for row in favourites)
        people.update(row.user_id for row in members)
        users = await _users(session, sorted(people, key=str))
        parents = await parent_facts(session, finished)
    encoded = [encode_row(Generation.__table__, row._mapping) for row in finished]
    description: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": __version__,
        "exported_at": utcnow().isoformat(),
        "board": encode_row(Board.__table__, board._mapping),
        "users": users,
        "members": [encode_row(BoardMember.__table__, row._mapping) for row in members],
        "tags": [encode_row(Tag.__table__, row._mapping) for row in tags],
        "generations": encoded,
        "lineage": [encode_row(GenerationLineage.__table__, row._mapping) for row in lineage],
        "generation_tags": [encode_row(GenerationTag.__table__, row._mapping) for row in links],
        "favourites": [encode_row(Favourite.__table__, row._mapping) for row in favourites],
        "left_out": {"running": len(generations) - len(finished)},
    }
    snapshot = BoardSnapshot(board_id=board_id, title=str(board.title), description=description)
    named = [(key, row, record) for row, record in zip(encoded, finished) for key in _named_keys(store, row)]
    # Named but gone (removed by hand) are left out: the rows still say what they were.
    found = await store.describe([key for key, _row, _record in named])
    snapshot.files = [
        ArchivedFile(key, facts.size, facts.modified, row)
        if key != media_key(store, row.get("storage_url"))
        else ArchivedFile(key, facts.size, facts.modified, row, record, tuple(parents.get(record.id, ())))
        for key, row, record in named
        if (facts := found.get(key))
    ]
    return snapshot


async def _rows(session: AsyncSession, model: Any, where: Any) -> list[Any]:
    return list((await session.execute(select(model.__table__).where(where))).all())


async def _users(session: AsyncSession, ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    """Who made, owns, starred or shares what is exported: enough to find them in another database."""
    found: list[dict[str, Any]] = []
    columns = [User.__table__.c[name] for name in _USER_COLUMNS]
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(select(*columns).where(User.id.in_(ids[start : start + _CHUNK])))
        found.extend(
            {name: str(value) if name == "id" else value for name, value in zip(_USER_COLUMNS, row)} for row in rows
        )
    return found


def _named_keys(store: MediaStore, generation: dict[str, Any]) -> Iterator[str]:
    """The media keys a generation's row names (each once); what cannot be a key of ours is skipped."""
    seen: set[str] = set()
    for value in (
        generation.get("storage_url"),
        generation.get("thumbnail_url"),
        *strings_in(generation.get("additional_files")),
    ):
        key = media_key(store, value)
        if key is None or key in seen:
            continue
        seen.add(key)
        try:
            check_key(key)
        except MediaKeyError:
            continue
        yield key


def media_key(store: MediaStore, value: Any) -> str | None:
    """The media key in a URL or bare key that a row holds (as `media gc` reads them), else None."""
    if not isinstance(value, str):
        return None
    key = store.key_of_url(value)
    if key is None and "/" in value and "://" not in value and not value.startswith("/"):
        key = value
    return key


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a JSON document (additional_files holds URLs, keys, or objects with them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
