"""Refold the search text of generations made before schemas/011 (accents dropped, names added).

Neither engine drops accents in plain SQL, so file 009 marks the older rows (`search_version` 1)
and this refolds them in Python, batch by batch, right after the upgrade: a one-time cost, a few
hundred milliseconds for a board of 10,000 generations. Text results made before keep their
prompt-only text (their content is in files, not in the row).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import bindparam, select, update

from boards_desktop.db.engine import Database
from boards_desktop.db.models import Generation
from boards_desktop.db.search_text import SEARCH_VERSION, search_text_of

log = logging.getLogger("boards.db")

BATCH = 500  # rows per short write transaction: SQLite's one writer is never held for long


# Built once, run as one executemany per batch: a statement per row cost 2 ms each (measured).
_REFOLD = (
    update(Generation.__table__)
    .where(Generation.__table__.c.id == bindparam("v_id"))
    .values(search_text=bindparam("v_text"), search_version=SEARCH_VERSION)
)


async def refold_search_text(database: Database) -> int:
    """Bring every row's search text to SEARCH_VERSION; returns how many rows were refolded."""
    done = 0
    while True:
        async with database.write() as session:
            rows = (
                await session.execute(
                    select(
                        Generation.id, Generation.generator_name, Generation.input_params, Generation.output_metadata
                    )
                    .where(Generation.search_version < SEARCH_VERSION)
                    .limit(BATCH)
                )
            ).all()
            if rows:
                await session.execute(
                    _REFOLD,
                    [
                        {
                            "v_id": row.id,
                            "v_text": search_text_of(
                                row.input_params,
                                generator_name=row.generator_name,
                                file_name=_file_name(row.output_metadata),
                            ),
                        }
                        for row in rows
                    ],
                )
        done += len(rows)
        if len(rows) < BATCH:
            break
    if done:
        log.info("search text refolded for %d generations", done)
    return done


def _file_name(output_metadata: Any) -> str | None:
    name = output_metadata.get("original_filename") if isinstance(output_metadata, dict) else None
    return name if isinstance(name, str) else None
