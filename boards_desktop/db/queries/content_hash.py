"""The SQL expression for a generation's content hash (`output_metadata.sha256`), as its index has it.

Schema file 013 indexes this exact expression. SQLAlchemy's `output_metadata["sha256"]` sends the
JSON path as a bound parameter, and an expression with a parameter in it never matches an index
on the one with the literal: every look-up by hash read the whole table. Rendered here with the
literal, per engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from boards_desktop.db.models import Generation


class ContentHash(FunctionElement[str]):
    """The SHA-256 of a generation's stored file, or NULL (failed, running and older rows)."""

    type = String()
    name = "content_hash"
    inherit_cache = True


def content_hash() -> ContentHash:
    return ContentHash()


@compiles(ContentHash, "sqlite")
def _sqlite(element: ContentHash, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(Generation.__table__.c.output_metadata, **kw)
    return f"CAST(JSON_EXTRACT({column}, '$.\"sha256\"') AS VARCHAR)"


@compiles(ContentHash, "postgresql")
def _postgresql(element: ContentHash, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(Generation.__table__.c.output_metadata, **kw)
    return f"CAST(({column} ->> 'sha256') AS VARCHAR)"
