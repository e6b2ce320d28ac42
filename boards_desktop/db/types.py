"""Column types that store one canonical form on SQLite and PostgreSQL alike.

The DDL keeps to the portable SQL subset, so the engines differ in what they hand back: SQLite
returns text for timestamps and has no UUID type. These decorators make both engines store and
return the same thing: UUIDs as lower-case dashed text, timestamps as UTC with an offset.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

# The one text form of a timestamp on SQLite: fixed width, so that text order is time order.
_SQLITE_FORMAT = "%Y-%m-%d %H:%M:%S.%f+00:00"


def utcnow() -> datetime:
    return datetime.now(UTC)


def canonical_uuid(value: uuid.UUID | str) -> str:
    """Lower-case dashed text, whatever form came in (raises ValueError when it is no UUID)."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


class UUIDText(TypeDecorator[uuid.UUID]):
    """A UUID stored as its canonical text in a VARCHAR(36) column."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else canonical_uuid(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid.UUID | None:
        return None if value is None else uuid_of_text(value)


_new_object = object.__new__
_set_slot = object.__setattr__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


def uuid_of_text(value: str | uuid.UUID) -> uuid.UUID:
    """`uuid.UUID(value)` for the canonical text this module stores, about ten times faster.

    A board page reads some two hundred ids; UUID's constructor accepts every spelling of one
    (braces, urn:, no dashes) and costs more than the rest of reading the row. The stored form has
    32 hex digits and four dashes at fixed places; anything else takes the constructor.
    """
    if type(value) is str and len(value) == 36 and value[8] == value[13] == value[18] == value[23] == "-":
        digits = value.replace("-", "")
        if len(digits) == 32:
            try:
                number = int(digits, 16)
            except ValueError:
                pass
            else:
                made = _new_object(uuid.UUID)
                _set_slot(made, "int", number)
                _set_slot(made, "is_safe", _UNKNOWN_SAFETY)
                return made
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


class UTCDateTime(TypeDecorator[datetime]):
    """TIMESTAMP WITH TIME ZONE: timezone-aware UTC datetimes in and out, on both engines."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.strftime(_SQLITE_FORMAT) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # Rows written by DEFAULT CURRENT_TIMESTAMP read 'YYYY-MM-DD HH:MM:SS', in UTC.
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def sqlite_timestamp(value: datetime) -> str:
    """The stored text of a timestamp on SQLite, for raw SQL that compares against the column."""
    return value.astimezone(UTC).strftime(_SQLITE_FORMAT)


class JSONDocument(TypeDecorator[Any]):
    """JSONB on PostgreSQL, JSON text on SQLite.

    Chosen when the dialect is known rather than with `JSON().with_variant(JSONB(), ...)`: that
    would import SQLAlchemy's PostgreSQL dialect (some 40 ms of start-up) on SQLite too.
    """

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())
