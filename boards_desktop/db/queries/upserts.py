"""Statements whose SQL is the same on both engines but which SQLAlchemy builds per dialect."""

from __future__ import annotations

from typing import Any


def insert_ignoring_duplicates(session: Any, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, for the engine behind `session`.

    For links (a star, a tag on a generation): one made twice, or by two requests in the same
    instant, is the outcome both wanted, not an error.
    """
    # The dialect's module imported here: the other engine's stays unimported (start-up time).
    if session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model).on_conflict_do_nothing()
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model).on_conflict_do_nothing()
