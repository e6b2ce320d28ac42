"""The start-up note about jobs this app will never run: queued by an app with another media storage.

On a shared database only apps with a job's storage run it (db.queries.jobs). A job whose storage no
running app has (the teammate who queued it is offline with a folder of their own, or this app's
`BOARDS_STORAGE_URL` changed since it was queued) waits with nothing said; this line says how many
there are and what ends the wait.
"""

from __future__ import annotations

import logging

from boards_desktop.db.engine import Database
from boards_desktop.db.queries import queue as queue_queries

log = logging.getLogger("boards.jobs")

# Storages named in the line; more are counted.
NAMED = 3


async def note_jobs_waiting_elsewhere(database: Database, storage: str) -> int:
    """Log one line when pending jobs were queued with a storage other than `storage`; returns how many."""
    async with database.read() as session:
        found = await queue_queries.pending_by_other_storage(session, storage)
    total = sum(found.values())
    if total:
        ordered = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        named = ", ".join(f"{name}: {count}" for name, count in ordered[:NAMED])
        more = f", and {len(ordered) - NAMED} more" if len(ordered) > NAMED else ""
        log.warning(
            "%d queued generation%s on this database wait%s for an app with another media storage (%s%s); "
            "this app (%s) does not run them: start the app that has that storage (or set BOARDS_STORAGE_URL "
            "back to it), or cancel them (the queue panel cancels your own)",
            total,
            "" if total == 1 else "s",
            "s" if total == 1 else "",
            named,
            more,
            storage,
        )
    return total
