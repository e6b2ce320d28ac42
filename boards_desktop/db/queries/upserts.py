"""Statements whose SQL is the same on both engines but which SQLAlchemy builds per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(session: Any, model: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING, for the engine behind `session`.

    For links (a star, a tag on a generation): one made twice, or by two requests in the same
    instant, is the outcome both wanted, not an error.
    """
    dialect = session.bind.dialect.name
    statement = postgresql.insert(model) if dialect == "postgresql" else sqlite.insert(model)
    return statement.on_conflict_do_nothing()
