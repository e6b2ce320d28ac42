"""Importing a board archive: all of it or nothing, keeping ids and lineage.

Order, so that a failure at any point leaves nothing behind:
1. The archive is opened and its description checked (reader): a truncated, damaged or newer
   archive is refused before anything is read from the database.
2. What is here already is looked up: the board, generations with the same ids (also in the
   Trash), tags, people. What exists is kept as it is; the report counts it.
3. The new generations' files are copied into the media store's temporary folder (on this
   machine, whatever the backend), each checked against the SHA-256 in the description.
4. One transaction inserts every row; the files are published through the media backend, as an
   upload's are: renamed to their keys in the media folder inside the transaction, just before it
   commits; uploaded to a bucket before it (seconds of network, not with the rows' locks held).
   When anything fails the transaction rolls back and what was published and staged is removed,
   except the files of generations another import of the same archive committed meanwhile.
   A crash between publishing and the commit leaves files no row names, which `media gc` removes.

People: the board is the importer's (its owner in the archive may not exist here). A person the
archive names is matched to a user of this database with the same id, else with the same
sign-in (provider and subject). What someone not found made, and their stars, become the
importer's (moving one's own library into a team database is the common case); their memberships
are dropped. The report says how many people that was.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.archives.format import ArchiveError, decode_row
from boards_desktop.archives.reader import ArchivedMedia, BoardArchive
from boards_desktop.archives.roles import may_add_to
from boards_desktop.db.engine import Database
from boards_desktop.db.models import (
    Board,
    BoardMember,
    Favourite,
    Generation,
    GenerationLineage,
    GenerationTag,
    Tag,
    TrashedGeneration,
    User,
)
from boards_desktop.db.queries.users import Actor
from boards_desktop.media.store import MediaKeyError, MediaStore, check_key, fsync_dir

log = logging.getLogger("boards.archives")

_CHUNK = 500


@dataclass
class ImportReport:
    board_id: uuid.UUID
    title: str
    board_added: bool = False
    generations_added: int = 0
    generations_kept: int = 0  # already here (same id): kept as they were
    files_added: int = 0
    lineage_added: int = 0
    lineage_without_parent: int = 0  # the input is neither in the archive nor here
    tags_added: int = 0
    tags_kept: int = 0
    favourites_added: int = 0
    members_added: int = 0
    people_not_here: int = 0
    running_left_out: int = 0  # by the export, counted in the archive

    def lines(self) -> list[str]:
        head = "added the board" if self.board_added else "the board was here already and is kept as it is"
        lines = [
            f"imported '{self.title}' ({self.board_id}): {head}",
            f"generations: {self.generations_added} added, {self.generations_kept} already here and kept",
            f"files: {self.files_added} added",
            f"lineage links: {self.lineage_added} added"
            + (
                f", {self.lineage_without_parent} to generations not in this database left out"
                if self.lineage_without_parent
                else ""
            ),
            f"tags: {self.tags_added} added, {self.tags_kept} already here and kept",
            f"stars: {self.favourites_added} added",
        ]
        if self.members_added:
            lines.append(f"members: {self.members_added} added")
        if self.people_not_here:
            lines.append(
                f"people: {self.people_not_here} named in the archive have no account in this database; "
                "what they made and starred is now yours"
            )
        if self.running_left_out:
            lines.append(
                f"not in the archive: {self.running_left_out} generation(s) still running when the board was exported"
            )
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "boardId": str(self.board_id),
            "title": self.title,
            "boardAdded": self.board_added,
            "generationsAdded": self.generations_added,
            "generationsKept": self.generations_kept,
            "filesAdded": self.files_added,
            "lineageAdded": self.lineage_added,
            "lineageWithoutParent": self.lineage_without_parent,
            "tagsAdded": self.tags_added,
            "tagsKept": self.tags_kept,
            "favouritesAdded": self.favourites_added,
            "membersAdded": self.members_added,
            "peopleNotHere": self.people_not_here,
            "runningLeftOut": self.running_left_out,
            "message": "; ".join(self.lines()),
        }


@dataclass
class _Plan:
    """The archive's rows, decoded, and what of them is new here."""

    board: dict[str, Any]
    generations: list[dict[str, Any]]
    lineage: list[dict[str, Any]]
    links: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    favourites: list[dict[str, Any]]
    members: list[dict[str, Any]]
    users: list[dict[str, Any]]
    board_exists: bool = False
    new_ids: set[uuid.UUID] = field(default_factory=set)
    known_ids: set[uuid.UUID] = field(default_factory=set)  # generations here before the import
    people: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # archive user -> user here
    tag_ids: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # archive tag -> tag here
    new_tags: list[dict[str, Any]] = field(default_factory=list)


async def import_archive(database: Database, store: MediaStore, actor: Actor, path: Path) -> ImportReport:
    """Import the board archive at `path`; ArchiveError (nothing changed) when it cannot be."""
    archive = await asyncio.to_thread(BoardArchive, path)
    try:
        plan = _decode(archive.description)
        report = ImportReport(board_id=plan.board["id"], title=str(plan.board.get("title") or ""))
        left_out = archive.description.get("left_out")
        if isinstance(left_out, dict) and isinstance(left_out.get("running"), int):
            report.running_left_out = left_out["running"]
        async with database.read() as session:
            await _look_up(session, actor, plan, report)
        wanted = _media_to_write(archive.media, plan.new_ids)
        staged: list[tuple[Path, str]] = []  # (temporary file, key)
        try:
            await asyncio.to_thread(_stage, store, archive, wanted, staged)
            unpublished = list(staged)  # the backend takes each (file, key) off once it is published
            try:
                if not store.backend.is_local:
                    await store.backend.publish(unpublished)
                async with database.write() as session:
                    await _insert(session, actor, plan, report)
                    await store.backend.publish(unpublished)
            except IntegrityError as exc:
                await _unpublish(database, store, staged, unpublished)
                raise ArchiveError(
                    f"The archive's rows could not be added ({_first_line(exc)}): it holds a value this database "
                    "refuses, or the same board, generation or tag was added meanwhile. Nothing was imported; "
                    "import it again, or export the board again if it says the same"
                ) from None
            except (OperationalError, InterfaceError):
                await _unpublish(database, store, staged, unpublished)
                raise  # the database itself failed (locked, gone): not the archive's fault
            except StatementError as exc:  # a value of the wrong type or form (DataError, a bind that failed)
                await _unpublish(database, store, staged, unpublished)
                raise ArchiveError(
                    f"The archive is damaged: a row holds a value this database refuses ({_first_line(exc)}); "
                    "nothing was imported. Export the board again"
                ) from None
            except BaseException:
                await _unpublish(database, store, staged, unpublished)
                raise
            report.files_added = len(staged)
        finally:
            _remove(temp for temp, _key in staged)
    finally:
        archive.close()
    return report


def _decode(description: dict[str, Any]) -> _Plan:
    def rows(name: str, table: Any) -> list[dict[str, Any]]:
        items = description.get(name, [])
        if not isinstance(items, list):
            raise ArchiveError(f"the archive is damaged: {name} is not a list")
        return [decode_row(table, item, f"{name} #{index + 1}") for index, item in enumerate(items)]

    board = decode_row(Board.__table__, description.get("board"), "the board")
    if not str(board.get("title") or "").strip():
        raise ArchiveError("the archive is damaged: the board has no title")
    generations = rows("generations", Generation.__table__)
    for generation in generations:
        generation["board_id"] = board["id"]  # a generation of the archive is on its board, whatever it says
    users = description.get("users", [])
    if not isinstance(users, list) or not all(isinstance(user, dict) for user in users):
        raise ArchiveError("the archive is damaged: users is not a list of objects")
    return _Plan(
        board=board,
        generations=generations,
        lineage=rows("lineage", GenerationLineage.__table__),
        links=rows("generation_tags", GenerationTag.__table__),
        tags=rows("tags", Tag.__table__),
        favourites=rows("favourites", Favourite.__table__),
        members=rows("members", BoardMember.__table__),
        users=users,
    )


async def _look_up(session: AsyncSession, actor: Actor, plan: _Plan, report: ImportReport) -> None:
    board_id = plan.board["id"]
    here = (await session.execute(select(Board.__table__).where(Board.id == board_id))).first()
    if here is not None:
        if not await may_add_to(session, actor, here):
            raise ArchiveError(
                f"The archive's board {board_id} is in this database already and you may not add to it "
                "(that takes the editor role or higher); nothing was imported. Ask its owner for access"
            )
        plan.board_exists = True
        report.title = str(here.title)
    ids = [row["id"] for row in plan.generations]
    present = await _existing(session, Generation.id, ids) | await _existing(session, TrashedGeneration.id, ids)
    plan.new_ids = set(ids) - present
    report.generations_kept = len(set(ids) & present)
    # Parents outside the archive count when they are here (a board of this database that the archived one came from).
    outside = list({row["input_generation_id"] for row in plan.lineage} - set(ids))
    plan.known_ids = present | await _existing(session, Generation.id, outside)
    await _match_people(session, actor, plan)
    await _match_tags(session, actor, plan, report)
    report.people_not_here = sum(
        1 for user in plan.users if _uuid(user.get("id")) is not None and _uuid(user.get("id")) not in plan.people
    )


async def _existing(session: AsyncSession, column: Any, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _CHUNK):
        found.update(await session.scalars(select(column).where(column.in_(ids[start : start + _CHUNK]))))
    return found


async def _match_people(session: AsyncSession, actor: Actor, plan: _Plan) -> None:
    ids = [user_id for user in plan.users if (user_id := _uuid(user.get("id"))) is not None]
    for start in range(0, len(ids), _CHUNK):
        rows = await session.scalars(
            select(User.id).where(User.tenant_id == actor.tenant_id, User.id.in_(ids[start : start + _CHUNK]))
        )
        plan.people.update((user_id, user_id) for user_id in rows)
    for user in plan.users:
        user_id, provider, subject = _uuid(user.get("id")), user.get("auth_provider"), user.get("auth_subject")
        if user_id is None or user_id in plan.people or not isinstance(provider, str) or not isinstance(subject, str):
            continue
        match = await session.scalar(
            select(User.id).where(
                User.tenant_id == actor.tenant_id, User.auth_provider == provider, User.auth_subject == subject
            )
        )
        if match is not None:
            plan.people[user_id] = match


async def _match_tags(session: AsyncSession, actor: Actor, plan: _Plan, report: ImportReport) -> None:
    used = {link["tag_id"] for link in plan.links if link["generation_id"] in plan.new_ids}
    for tag in plan.tags:
        if tag["id"] not in used:
            continue
        by_id = await session.scalar(select(Tag.tenant_id).where(Tag.id == tag["id"]))
        if by_id == actor.tenant_id:
            plan.tag_ids[tag["id"]] = tag["id"]
            report.tags_kept += 1
            continue
        same_slug = await session.scalar(
            select(Tag.id).where(Tag.tenant_id == actor.tenant_id, Tag.slug == tag.get("slug"))
        )
        if same_slug is not None:
            plan.tag_ids[tag["id"]] = same_slug
            report.tags_kept += 1
            continue
        # An id taken in another tenant's space cannot be reused: the tag gets a new one.
        new_id = tag["id"] if by_id is None else uuid.uuid4()
        plan.tag_ids[tag["id"]] = new_id
        plan.new_tags.append({**tag, "id": new_id, "tenant_id": actor.tenant_id})


def _media_to_write(media: list[ArchivedMedia], new_ids: set[uuid.UUID]) -> list[ArchivedMedia]:
    """The files of the generations being added.

    A file goes only into a new generation's own folder (`<board>/<generation>/<name>`): an archive
    cannot write over the files of anything already here.
    """
    wanted = []
    for item in media:
        parts = item.key.split("/")
        if len(parts) != 3 or _uuid(parts[1]) not in new_ids:
            continue
        try:
            check_key(item.key)
        except MediaKeyError:
            continue
        wanted.append(item)
    return wanted


def _stage(
    store: MediaStore, archive: BoardArchive, wanted: list[ArchivedMedia], staged: list[tuple[Path, str]]
) -> None:
    for item in wanted:
        temp = store.temp_path(".import")
        staged.append((temp, item.key))
        archive.copy_media(item, temp)
    if store.backend.is_local:
        # On disk before they are renamed to their keys (a bucket's copies are the uploaded ones).
        _make_durable([temp for temp, _key in staged])


async def _unpublish(
    database: Database, store: MediaStore, staged: list[tuple[Path, str]], unpublished: list[tuple[Path, str]]
) -> None:
    """Remove what was published of `staged` (its first files: the backend publishes in order).

    Except the files of generations that are in the database now: another import of the same
    archive (a second click, a teammate) put them under the same keys and committed first, which is
    why this one was refused. Deleting them would leave its rows without files.
    """
    published = [key for _temp, key in staged[: len(staged) - len(unpublished)]]
    if not published:
        return
    # Shielded: an import cancelled (the client went away) must still take its files back.
    with anyio.CancelScope(shield=True):
        try:
            committed = await _committed_generations(database, {_uuid(key.split("/")[1]) for key in published})
        except (OperationalError, InterfaceError) as exc:
            # Unsure what is committed: files left over are gc's to remove, files deleted would be lost.
            log.warning("a failed import left %d files in %s (%s)", len(published), store.location, exc)
            return
        doomed = [key for key in published if _uuid(key.split("/")[1]) not in committed]
        if not doomed:
            return
        try:
            await store.backend.delete(doomed)
        except (OSError, MediaKeyError) as exc:
            log.warning(
                "a failed import left %d files in %s (%s); `boards-desktop media gc` removes them",
                len(doomed),
                store.location,
                exc,
            )


async def _committed_generations(database: Database, ids: set[uuid.UUID | None]) -> set[uuid.UUID]:
    wanted = [generation_id for generation_id in ids if generation_id is not None]
    async with database.read() as session:
        return await _existing(session, Generation.id, wanted) | await _existing(session, TrashedGeneration.id, wanted)


def _make_durable(paths: list[Path]) -> None:
    """Files or folders on disk, as an upload's are before its row commits.

    One `sync` for a whole import where the system has it: thousands of fsyncs (one per file and
    folder) made an import of 2,000 generations four times slower on a virtual machine's disk.
    """
    if not paths:
        return
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:
        if path.is_dir():
            fsync_dir(path)
        else:
            with path.open("rb+") as handle:
                os.fsync(handle.fileno())


def _remove(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def _insert(session: AsyncSession, actor: Actor, plan: _Plan, report: ImportReport) -> None:
    board_id = plan.board["id"]
    if not plan.board_exists:
        await session.execute(
            insert(Board.__table__).values(**{**plan.board, "tenant_id": actor.tenant_id, "owner_id": actor.user_id})
        )
        report.board_added = True
        members = []
        for member in plan.members:
            user_id = plan.people.get(member["user_id"])
            if user_id is None or user_id == actor.user_id:
                continue
            invited_by = plan.people.get(member["invited_by_id"]) if member.get("invited_by_id") else None
            members.append({**member, "board_id": board_id, "user_id": user_id, "invited_by_id": invited_by})
        await _insert_many(session, BoardMember, members)
        report.members_added = len(members)
    await _insert_many(session, Tag, plan.new_tags)
    report.tags_added = len(plan.new_tags)
    generations = [
        {**row, "tenant_id": actor.tenant_id, "user_id": plan.people.get(row["user_id"], actor.user_id)}
        for row in plan.generations
        if row["id"] in plan.new_ids
    ]
    await _insert_many(session, Generation, generations)
    report.generations_added = len(generations)
    here = plan.new_ids | plan.known_ids
    lineage = [row for row in plan.lineage if row["generation_id"] in plan.new_ids]
    linked = [row for row in lineage if row["input_generation_id"] in here]
    await _insert_many(session, GenerationLineage, linked)
    report.lineage_added = len(linked)
    report.lineage_without_parent = len(lineage) - len(linked)
    links = [
        {**row, "tag_id": plan.tag_ids[row["tag_id"]]}
        for row in plan.links
        if row["generation_id"] in plan.new_ids and row["tag_id"] in plan.tag_ids
    ]
    await _insert_many(session, GenerationTag, links)
    stars: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
    for row in plan.favourites:
        user_id = plan.people.get(row["user_id"], actor.user_id)
        if row["generation_id"] in plan.new_ids:
            stars.setdefault((row["generation_id"], user_id), {**row, "user_id": user_id, "board_id": board_id})
    await _insert_many(session, Favourite, list(stars.values()))
    report.favourites_added = len(stars)


async def _insert_many(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        await session.execute(insert(model.__table__), rows[start : start + _CHUNK])


def _first_line(exc: Exception) -> str:
    reason = getattr(exc, "orig", None) or exc
    return str(reason).strip().splitlines()[0][:200] if str(reason).strip() else type(reason).__name__


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
