"""Triggers, for `db diff`: read from a live database or the scratch-built DDL, and the SQL that
drops or creates one.

Kept apart from schema_reflect because SQLAlchemy's inspector knows nothing of triggers: they are
read from the engines' catalogues (sqlite_master, pg_trigger) and compared by their definition text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

Quote = Callable[[str], str]  # a dialect's identifier quoting: name -> "name" where needed


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    definition: str  # normalised text: what is compared
    sql: str = field(compare=False)  # the CREATE TRIGGER that makes it (without the final ";")
    # PostgreSQL: the function it executes, when that lives in the trigger's own schema (one from
    # elsewhere, an extension's say, is not ours to check).
    function: str | None = field(default=None, compare=False)


def reflect_triggers(connection: Connection, schema: str | None, ignored: set[str]) -> dict[str, Trigger]:
    """The triggers of the tables in `schema` (None: the connection's own), by name."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
        )
        # SQLite keeps the CREATE TRIGGER as written: the same text, spaced differently, is the same trigger.
        triggers = [Trigger(name, table, " ".join(sql.split()), sql) for name, table, sql in rows]
    else:
        triggers = _postgresql_triggers(connection, schema)
    return {t.name: t for t in sorted(triggers, key=lambda t: (t.table, t.name)) if t.table not in ignored}


def reflect_functions(connection: Connection, schema: str | None) -> frozenset[str]:
    """PostgreSQL: the names of the functions in `schema`, so a trigger's missing function is noticed."""
    if connection.dialect.name == "sqlite":
        return frozenset()
    rows = connection.execute(
        text("SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s"),
        {"s": _schema_name(connection, schema)},
    )
    return frozenset(row[0] for row in rows)


def drop_statement(trigger: Trigger, quote: Quote, is_sqlite: bool) -> str:
    if is_sqlite:
        return f"DROP TRIGGER {quote(trigger.name)};"
    return f"DROP TRIGGER {quote(trigger.name)} ON {quote(trigger.table)};"


def create_statements(trigger: Trigger, functions: frozenset[str], is_sqlite: bool) -> list[str]:
    """CREATE TRIGGER, or on PostgreSQL, if the database lacks its function, a note to make that first."""
    if is_sqlite or trigger.function is None or trigger.function in functions:
        return [f"{trigger.sql};"]
    # The function's body lives in a schema file; its text is not compared, so it is not rewritten here.
    return [
        f"-- trigger {trigger.name} on {trigger.table} needs function {trigger.function}(), which is missing:",
        f"-- recreate {trigger.function}() from its schema file, then run:",
        f"-- {trigger.sql};",
    ]


def _postgresql_triggers(connection: Connection, schema: str | None) -> list[Trigger]:
    name = _schema_name(connection, schema)
    rows = connection.execute(
        text(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid), "
            "CASE WHEN p.pronamespace = n.oid THEN p.proname END FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND n.nspname = :s"
        ),
        {"s": name},
    )
    # pg_get_triggerdef qualifies the table (and a function off the search path) with its schema:
    # the scratch schema on the DDL side, the app's on the live side. Without it, both read alike
    # and the text creates the trigger in whatever schema the migration runs in.
    qualifier = re.compile(rf'(?<![\w"])(?:"{re.escape(name)}"|{re.escape(name)})\.')
    triggers = []
    for trigger, table, definition, function in rows:
        plain = qualifier.sub("", definition)
        triggers.append(Trigger(trigger, table, " ".join(plain.split()), plain, function))
    return triggers


def _schema_name(connection: Connection, schema: str | None) -> str:
    return schema or connection.exec_driver_sql("SELECT current_schema()").scalar_one()
