"""Emptying the Trash: removing emptied generations' files, and the daily emptying of old entries.

A trashed generation keeps its files in its folder (so a restore is a row insert, nothing on disk
moves); they go only when its entry is emptied, by hand (`emptyTrash`) or once it is older than
`KEEP_DAYS` days. The app empties old entries at start-up and then once a day. Rows first, files
after the commit: a crash in between leaves folders without a row, which `boards-desktop media gc`
removes; never a row without its files.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from boards_desktop.db.engine import Database
from boards_desktop.db.queries import trash as trash_queries
from boards_desktop.db.queries.trash import TrashedPlace
from boards_desktop.media.store import MediaStore

log = logging.getLogger("boards.trash")

DAY_SECONDS = 24 * 60 * 60


async def remove_files(store: MediaStore, places: Sequence[TrashedPlace]) -> None:
    for place in places:
        try:
            await store.delete_generation_files(place.board_id, place.generation_id)
        except OSError as exc:
            log.warning("could not remove the files of %s: %s (media gc will)", place.generation_id, exc)


async def empty_expired(database: Database, store: MediaStore) -> int:
    """Empty every entry older than KEEP_DAYS days, files included; returns how many."""
    async with database.write() as session:
        removed = await trash_queries.remove_expired(session)
    await remove_files(store, removed)
    if removed:
        log.info("emptied %d generations from the trash after %d days", len(removed), trash_queries.KEEP_DAYS)
    return len(removed)


async def keep_emptying(database: Database, store: MediaStore, *, every_seconds: float = DAY_SECONDS) -> None:
    """Empty old entries now and then every day, until cancelled (the app's lifespan owns the task)."""
    while True:
        try:
            await empty_expired(database, store)
        except Exception:  # a failed round is logged and tried again the next day; the app carries on
            log.exception("emptying the trash failed")
        await asyncio.sleep(every_seconds)
