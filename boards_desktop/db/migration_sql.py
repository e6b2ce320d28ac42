"""The statements that take one reflected schema to another, for `db diff --sql`.

Steps are ordered so that each can run: indexes and constraints that go are dropped before the
columns they cover, tables are created after the tables they reference and dropped in reverse,
triggers are dropped before anything else and created after everything else.
Where SQLite's ALTER TABLE cannot make a change, the table is rebuilt the way SQLite documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from boards_desktop.db.schema_compare import MISSING, Difference, compare, unmatched
from boards_desktop.db.schema_reflect import Column, ForeignKey, Schema, Table, Unique
from boards_desktop.db.schema_triggers import Quote, create_statements, drop_statement


def up_and_down(database: Schema, ddl: Schema, dialect: str) -> str:
    """The statements that bring the database to the DDL ("-- up") and back ("-- down")."""
    up = migration(database, ddl, dialect)
    down = migration(ddl, database, dialect)
    return "\n".join(["-- up", *up, "", "-- down", *down])


def migration(current: Schema, target: Schema, dialect_name: str) -> list[str]:
    """Statements that turn `current` into `target`, in an order each step can run in."""
    dialect = _dialect(dialect_name)
    quote = dialect.identifier_preparer.quote
    is_sqlite = dialect.name == "sqlite"
    differences: dict[str, list[Difference]] = {}
    for difference in compare(current, target):
        differences.setdefault(difference.table, []).append(difference)
    shared = [n for n in _dependency_order(target) if n in current.tables and n in differences]
    rebuilt: dict[str, list[str]] = {}
    if is_sqlite:
        for name in shared:
            reasons = _rebuild_reasons(current.tables[name], target.tables[name], differences[name])
            if reasons:
                rebuilt[name] = reasons
    kept = [n for n in shared if n not in rebuilt]

    out: list[str] = []
    # Triggers that go or change go first, while every table and column they use is still there.
    out += [drop_statement(t, quote, is_sqlite) for n, t in current.triggers.items() if target.triggers.get(n) != t]
    # Indexes that go or change go first, so that the columns they cover can go.
    for name in kept:
        wanted = target.tables[name].indexes
        for index_name, index in current.tables[name].indexes.items():
            if wanted.get(index_name) != index:
                out.append(f"DROP INDEX {quote(index_name)};")
    if not is_sqlite:
        out += _drop_constraints(current, target, kept, quote)
    for name in _dependency_order(target):
        if name not in current.tables:
            table = target.tables[name]
            out += [f"{table.sql};", *(f"{index.sql};" for index in table.indexes.values())]
    for name in shared:
        have, want = current.tables[name], target.tables[name]
        if name in rebuilt:
            triggers = [t.sql for t in target.triggers.values() if t.table == name]
            out += _sqlite_rebuild(have, want, rebuilt[name], triggers, quote)
        else:
            out += _alter_columns(have, want, quote, is_sqlite)
    if not is_sqlite:
        out += _add_constraints(current, target, kept, quote)
    for name in kept:
        existing = current.tables[name].indexes
        out += [f"{index.sql};" for i, index in target.tables[name].indexes.items() if existing.get(i) != index]
    for name in reversed(_dependency_order(current)):
        if name not in target.tables:
            out.append(f"DROP TABLE {quote(name)};")
    # Triggers come last, once every table and column they use is in place (a rebuild made its own).
    for name, trigger in target.triggers.items():
        if current.triggers.get(name) != trigger and trigger.table not in rebuilt:
            out += create_statements(trigger, current.functions, is_sqlite)

    if is_sqlite and rebuilt:
        # A rebuild drops a table that others may reference: with foreign keys on, that DROP would
        # delete (cascade) their rows. SQLite ignores this PRAGMA inside a transaction, hence outside.
        return [
            "PRAGMA foreign_keys = OFF;",
            "BEGIN;",
            *out,
            "PRAGMA foreign_key_check;",
            "COMMIT;",
            "PRAGMA foreign_keys = ON;",
        ]
    return ["BEGIN;", *out, "COMMIT;"]


def _drop_constraints(current: Schema, target: Schema, names: list[str], quote: Quote) -> list[str]:
    out = []
    for name in names:
        have, want = current.tables[name], target.tables[name]
        stale: list[Unique | ForeignKey] = [
            *unmatched(have.uniques, want.uniques),
            *unmatched(have.foreign_keys, want.foreign_keys),
        ]
        for item in stale:
            # PostgreSQL names every constraint, so a reflected one always has its name.
            assert item.name is not None
            out.append(f"ALTER TABLE {quote(name)} DROP CONSTRAINT {quote(item.name)};")
    return out


def _add_constraints(current: Schema, target: Schema, names: list[str], quote: Quote) -> list[str]:
    out = []
    for name in names:
        have, want = current.tables[name], target.tables[name]
        for unique in unmatched(want.uniques, have.uniques):
            out.append(
                f"ALTER TABLE {quote(name)} ADD {_constraint(unique.name, quote)}"
                f"UNIQUE ({_names(unique.columns, quote)});"
            )
        for fk in unmatched(want.foreign_keys, have.foreign_keys):
            out.append(
                f"ALTER TABLE {quote(name)} ADD {_constraint(fk.name, quote)}"
                f"FOREIGN KEY ({_names(fk.columns, quote)}) REFERENCES {quote(fk.referred_table)} "
                f"({_names(fk.referred_columns, quote)}) ON DELETE {fk.ondelete};"
            )
    return out


def _alter_columns(have: Table, want: Table, quote: Quote, is_sqlite: bool) -> list[str]:
    table = quote(want.name)
    out = [
        f"ALTER TABLE {table} ADD COLUMN {column.definition(quote)};"
        for name, column in want.columns.items()
        if name not in have.columns
    ]
    if not is_sqlite:  # on SQLite, _rebuild_reasons sends a table with such changes to a rebuild
        for name, new in want.columns.items():
            old, column = have.columns.get(name), quote(name)
            if old is not None and old.type != new.type:
                out.append(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {new.type} USING {column}::{new.type};")
            if old is not None and old.nullable != new.nullable:
                change = "DROP NOT NULL" if new.nullable else "SET NOT NULL"
                out.append(f"ALTER TABLE {table} ALTER COLUMN {column} {change};")
        if have.primary_key != want.primary_key:
            if have.primary_key:
                constraint = quote(have.primary_key_name or f"{want.name}_pkey")
                out.append(f"ALTER TABLE {table} DROP CONSTRAINT {constraint};")
            if want.primary_key:
                out.append(f"ALTER TABLE {table} ADD PRIMARY KEY ({_names(want.primary_key, quote)});")
    out += [f"ALTER TABLE {table} DROP COLUMN {quote(name)};" for name in have.columns if name not in want.columns]
    return out


def _rebuild_reasons(have: Table, want: Table, differences: list[Difference]) -> list[str]:
    """Why SQLite's ALTER TABLE cannot take `have` to `want` (empty when it can)."""
    # Worded without "database"/"DDL": the same reasons explain the up and the down rebuild.
    reasons = []
    for d in differences:
        if d.kind in ("type", "nullability"):
            reasons.append(f"the {d.kind} of {d.subject}")
        elif d.kind == "primary key":
            reasons.append("the primary key")
        elif d.kind in ("unique", "foreign key"):
            reasons.append(f"{'adding' if d.change == MISSING else 'dropping'} {d.subject}")
    for name, column in want.columns.items():
        if name not in have.columns and not _sqlite_can_add(column):
            reasons.append(f"column {want.name}.{name} cannot be added by ALTER TABLE ({column.declaration()})")
    return reasons


def _sqlite_can_add(column: Column) -> bool:
    # SQLite's ADD COLUMN wants a constant default, and one at all for a NOT NULL column.
    default = (column.default or "").strip().upper()
    if default.startswith("(") or default in ("CURRENT_TIMESTAMP", "CURRENT_TIME", "CURRENT_DATE"):
        return False
    return column.nullable or column.default is not None


def _sqlite_rebuild(
    have: Table,
    want: Table,
    reasons: list[str],
    triggers: list[str],
    quote: Quote,
) -> list[str]:
    """SQLite's documented way to change a table: create the new one, copy, drop the old, rename.

    Dropping the old table drops its triggers too, so `triggers` (the CREATE TRIGGERs the table
    should have) are made again on the new one.
    """
    temporary = quote(f"_rebuild_{want.name}")
    create = re.sub(
        r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[^\s(]+)",
        f"CREATE TABLE {temporary}",
        want.sql,
        count=1,
        flags=re.IGNORECASE,
    )
    common = _names([c for c in want.columns if c in have.columns], quote)
    return [
        f"-- {want.name} is rebuilt (new table, copy the rows, drop the old, rename), as SQLite cannot ALTER "
        + "; ".join(reasons),
        f"{create};",
        f"INSERT INTO {temporary} ({common}) SELECT {common} FROM {quote(want.name)};",
        f"DROP TABLE {quote(want.name)};",
        f"ALTER TABLE {temporary} RENAME TO {quote(want.name)};",
        *(f"{index.sql};" for index in want.indexes.values()),
        *(f"{trigger};" for trigger in triggers),
    ]


def _dependency_order(schema: Schema) -> list[str]:
    """Table names, each after the tables it references (so creates succeed; drops go reversed)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in schema.tables:
            return
        seen.add(name)  # before the references: a cycle ends here instead of recursing forever
        for fk in schema.tables[name].foreign_keys:
            visit(fk.referred_table)
        order.append(name)

    for name in sorted(schema.tables):
        visit(name)
    return order


def _names(names: Iterable[str], quote: Quote) -> str:
    return ", ".join(quote(n) for n in names)


def _constraint(name: str | None, quote: Quote) -> str:
    return f"CONSTRAINT {quote(name)} " if name else ""


def _dialect(name: str) -> Dialect:
    if name == "sqlite":
        return sqlite.dialect()
    if name == "postgresql":
        return postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves its __init__ unannotated
    raise ValueError(f"unknown dialect {name!r}")
