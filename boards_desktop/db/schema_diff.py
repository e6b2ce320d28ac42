"""How a live database differs from the schema its DDL files define: `boards-desktop db diff`.

Instead of parsing SQL, the DDL is built in a scratch place of the same engine (an in-memory
SQLite database; on PostgreSQL a schema created inside a transaction that is rolled back, so
nothing is left behind even if we crash), and both sides are reflected the same way. Comparing
two reflections made by one engine means a declared type compares equal to itself, whatever that
engine reports for it. `render_sql` writes the statements that take the database to the DDL
("-- up") and back ("-- down"); where SQLite cannot ALTER, it rebuilds the table.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import BLANK_SCHEMA, MetaData, create_engine, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_files import SchemaFile, load_schema_files
from boards_desktop.db.schema_runner import RECORD_TABLE

NO_DIFFERENCE = "no difference"
MISSING = "missing"  # in the DDL, not in the database
EXTRA = "extra"  # in the database, not in the DDL
CHANGED = "changed"
_WHERE = {MISSING: "missing from the database", EXTRA: "not in the DDL"}
_IGNORED = {RECORD_TABLE}  # the runner's own bookkeeping, not part of the DDL


# --- snapshots: one engine's reflection of a schema --------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # normalised declared type, e.g. VARCHAR(36), NUMERIC(5,2)
    nullable: bool
    default: str | None  # as the engine reports it; not compared (engines spell defaults freely)

    def declaration(self) -> str:
        parts = [self.type]
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        if not self.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def definition(self, quote) -> str:  # noqa: ANN001
        return f"{quote(self.name)} {self.declaration()}"


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool
    options: tuple[tuple[str, str], ...]  # dialect options that change meaning (USING gin, WHERE)
    sql: str = field(compare=False)

    def describe(self) -> str:
        text = ("UNIQUE " if self.unique else "") + f"({', '.join(self.columns)})"
        return text + "".join(f" {key}={value}" for key, value in self.options)


@dataclass(frozen=True)
class Unique:
    columns: tuple[str, ...]
    name: str | None = field(compare=False)

    def describe(self) -> str:
        return f"({', '.join(self.columns)})"


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    ondelete: str
    name: str | None = field(compare=False)

    def describe(self) -> str:
        return (
            f"({', '.join(self.columns)}) -> {self.referred_table} ({', '.join(self.referred_columns)})"
            f" ON DELETE {self.ondelete}"
        )


@dataclass
class Table:
    name: str
    columns: dict[str, Column]
    primary_key: tuple[str, ...]
    primary_key_name: str | None
    uniques: list[Unique]
    foreign_keys: list[ForeignKey]
    indexes: dict[str, Index]
    sql: str  # CREATE TABLE for this engine


@dataclass
class Schema:
    tables: dict[str, Table]


# --- differences ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    kind: str  # table, column, type, nullability, primary key, unique, foreign key, index
    table: str
    change: str  # MISSING, EXTRA or CHANGED
    subject: str  # what it is about, e.g. "column boards.title"
    detail: str  # how it differs

    def describe(self) -> str:
        return f"{self.subject}: {self.detail}"


@dataclass
class SchemaDiff:
    dialect: str
    database: Schema
    ddl: Schema
    differences: list[Difference]

    @property
    def is_empty(self) -> bool:
        return not self.differences


def compare(current: Schema, target: Schema) -> list[Difference]:
    """What `current` lacks (MISSING), has in excess (EXTRA) or has otherwise (CHANGED) than `target`."""
    found: list[Difference] = []
    for name in sorted(current.tables.keys() | target.tables.keys()):
        have, want = current.tables.get(name), target.tables.get(name)
        if have is None or want is None:
            change = MISSING if have is None else EXTRA
            found.append(Difference("table", name, change, f"table {name}", _WHERE[change]))
        else:
            found += _compare_table(have, want)
    return found


def _compare_table(have: Table, want: Table) -> list[Difference]:
    name = have.name
    found: list[Difference] = []
    for column in [*want.columns, *(c for c in have.columns if c not in want.columns)]:
        subject = f"column {name}.{column}"
        old, new = have.columns.get(column), want.columns.get(column)
        if old is None or new is None:
            change = MISSING if old is None else EXTRA
            shown = (new or old).declaration()  # type: ignore[union-attr]
            found.append(Difference("column", name, change, subject, f"{_WHERE[change]} ({shown})"))
            continue
        if old.type != new.type:
            detail = f"type is {old.type} in the database, {new.type} in the DDL"
            found.append(Difference("type", name, CHANGED, subject, detail))
        if old.nullable != new.nullable:
            detail = f"{_nullability(old)} in the database, {_nullability(new)} in the DDL"
            found.append(Difference("nullability", name, CHANGED, subject, detail))
    if have.primary_key != want.primary_key:
        detail = f"({', '.join(have.primary_key)}) in the database, ({', '.join(want.primary_key)}) in the DDL"
        found.append(Difference("primary key", name, CHANGED, f"primary key of {name}", detail))
    for kind, old_items, new_items in (
        ("unique", have.uniques, want.uniques),
        ("foreign key", have.foreign_keys, want.foreign_keys),
    ):
        for change, items in ((MISSING, _minus(new_items, old_items)), (EXTRA, _minus(old_items, new_items))):
            for item in items:
                label = "unique constraint" if kind == "unique" else kind
                found.append(Difference(kind, name, change, f"{label} on {name} {item.describe()}", _WHERE[change]))
    for index in sorted(have.indexes.keys() | want.indexes.keys()):
        old_index, new_index = have.indexes.get(index), want.indexes.get(index)
        subject = f"index {index} on {name}"
        if old_index is None or new_index is None:
            change = MISSING if old_index is None else EXTRA
            shown = (new_index or old_index).describe()  # type: ignore[union-attr]
            found.append(Difference("index", name, change, subject, f"{_WHERE[change]} {shown}"))
        elif old_index != new_index:
            detail = f"{old_index.describe()} in the database, {new_index.describe()} in the DDL"
            found.append(Difference("index", name, CHANGED, subject, detail))
    return found


def _nullability(column: Column) -> str:
    return "nullable" if column.nullable else "NOT NULL"


def _minus(items: list, others: list) -> list:  # noqa: ANN001
    """Items of `items` without a match in `others`, counting duplicates."""
    left = list(others)
    result = []
    for item in items:
        if item in left:
            left.remove(item)
        else:
            result.append(item)
    return result


# --- building and reflecting both sides --------------------------------------------------------


async def diff_database(database: Database, directory: Path | None = None) -> SchemaDiff:
    """Compare the live database with the schema the DDL files (of `directory`) define."""
    files = load_schema_files(database.dialect, directory)
    async with database.engine.connect() as connection:
        current = await connection.run_sync(_reflect, None)
    if database.is_sqlite:
        target = await asyncio.to_thread(_ddl_schema_sqlite, files)
    else:
        target = await _ddl_schema_postgresql(database, files)
    return SchemaDiff(database.dialect, current, target, compare(current, target))


def _ddl_schema_sqlite(files: list[SchemaFile]) -> Schema:
    engine = create_engine("sqlite://")  # in memory, gone with the engine
    try:
        with engine.connect() as connection:
            for schema_file in files:
                for statement in schema_file.statements:
                    connection.exec_driver_sql(statement)
            return _reflect(connection, None)
    finally:
        engine.dispose()


async def _ddl_schema_postgresql(database: Database, files: list[SchemaFile]) -> Schema:
    scratch = f"boards_ddl_{secrets.token_hex(6)}"
    async with database.engine.connect() as connection:
        try:
            path = (await connection.exec_driver_sql("SELECT current_setting('search_path')")).scalar_one()
            await connection.exec_driver_sql(f'CREATE SCHEMA "{scratch}"')
            # Unqualified names in the DDL now create and find the scratch tables; the rest of the
            # path stays so that extensions' types and functions still resolve.
            await connection.exec_driver_sql(f'SET LOCAL search_path TO "{scratch}", {path}')
            for schema_file in files:
                for statement in schema_file.statements:
                    await connection.exec_driver_sql(statement)
            return await connection.run_sync(_reflect, scratch)
        finally:
            await connection.rollback()  # DDL is transactional on PostgreSQL: the scratch schema vanishes


def _reflect(connection: Connection, schema: str | None) -> Schema:
    inspector = inspect(connection)
    dialect = connection.dialect
    names = [n for n in inspector.get_table_names(schema=schema) if n not in _IGNORED]
    sql = _sqlite_sql(connection) if dialect.name == "sqlite" else _compiled_sql(connection, schema, names)
    declared = _sqlite_declared_types(connection, names) if dialect.name == "sqlite" else {}
    tables: dict[str, Table] = {}
    for name in names:
        columns = {}
        for column in inspector.get_columns(name, schema=schema):
            key = (name, column["name"])
            # A SQLite column may declare no type at all (FTS5 tables): that empty text is its type.
            type_text = declared[key] if key in declared else column["type"].compile(dialect=dialect)
            columns[column["name"]] = Column(
                column["name"], _normal_type(type_text), column["nullable"], column["default"]
            )
        primary = inspector.get_pk_constraint(name, schema=schema)
        uniques = [
            Unique(tuple(u["column_names"]), u.get("name"))
            for u in inspector.get_unique_constraints(name, schema=schema)
        ]
        foreign_keys = [
            ForeignKey(
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
                (fk.get("options", {}).get("ondelete") or "NO ACTION").upper(),
                fk.get("name"),
            )
            for fk in inspector.get_foreign_keys(name, schema=schema)
        ]
        indexes = {}
        for index in inspector.get_indexes(name, schema=schema):
            if index.get("duplicates_constraint"):
                continue  # PostgreSQL's index behind a UNIQUE constraint, compared as the constraint
            columns_or_expressions = index.get("expressions") or index["column_names"]
            options = tuple(sorted((k, str(v)) for k, v in index.get("dialect_options", {}).items() if v))
            indexes[index["name"]] = Index(
                index["name"], tuple(map(str, columns_or_expressions)), bool(index["unique"]), options,
                sql.get(("index", index["name"]), ""),
            )
        tables[name] = Table(
            name, columns, tuple(primary["constrained_columns"]), primary.get("name"),
            uniques, foreign_keys, indexes, sql.get(("table", name), ""),
        )
    return Schema(tables)


def _normal_type(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().upper())
    return re.sub(r"\s*([(),])\s*", r"\1", text)


def _sqlite_declared_types(connection: Connection, names: list[str]) -> dict[tuple[str, str], str]:
    # SQLite reports a type affinity through the inspector (JSONB reads back as NUMERIC); the
    # declared text is what the DDL said, so that is what we compare.
    declared: dict[tuple[str, str], str] = {}
    for name in names:
        for row in connection.exec_driver_sql(f'PRAGMA main.table_info("{name}")'):
            declared[(name, row[1])] = row[2]
    return declared


def _sqlite_sql(connection: Connection) -> dict[tuple[str, str], str]:
    # SQLite keeps each CREATE statement as written: the best DDL to recreate it from.
    rows = connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {(kind, name): text for kind, name, text in rows}


def _compiled_sql(connection: Connection, schema: str | None, names: list[str]) -> dict[tuple[str, str], str]:
    metadata = MetaData()
    metadata.reflect(connection, schema=schema, only=names)
    # Tables of the scratch schema are written without it, for the schema the app uses.
    plain = MetaData()
    tables = [
        table.to_metadata(plain, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)
        for table in metadata.tables.values()
    ]
    sql: dict[tuple[str, str], str] = {}
    for table in tables:
        sql[("table", table.name)] = _tidy(CreateTable(table).compile(dialect=connection.dialect))
        for index in table.indexes:
            sql[("index", str(index.name))] = _tidy(CreateIndex(index).compile(dialect=connection.dialect))
    return sql


def _tidy(compiled: object) -> str:
    lines = str(compiled).replace("\t", "    ").splitlines()
    return "\n".join(line.rstrip() for line in lines).strip()


# --- rendering -----------------------------------------------------------------------------------


def render_text(diff: SchemaDiff) -> str:
    if diff.is_empty:
        return NO_DIFFERENCE
    return "\n".join(difference.describe() for difference in diff.differences)


def render_sql(diff: SchemaDiff, dialect: str) -> str:
    """The statements that bring the database to the DDL ("-- up") and back ("-- down")."""
    if diff.is_empty:
        return f"-- {NO_DIFFERENCE}"
    up = _migration(diff.database, diff.ddl, dialect)
    down = _migration(diff.ddl, diff.database, dialect)
    return "\n".join(["-- up", *up, "", "-- down", *down])


def _migration(current: Schema, target: Schema, dialect_name: str) -> list[str]:
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
            out += _sqlite_rebuild(have, want, rebuilt[name], quote)
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

    if is_sqlite and rebuilt:
        # A rebuild drops a table that others may reference: with foreign keys on, that DROP would
        # delete (cascade) their rows. SQLite ignores this PRAGMA inside a transaction, hence outside.
        return [
            "PRAGMA foreign_keys = OFF;", "BEGIN;", *out,
            "PRAGMA foreign_key_check;", "COMMIT;", "PRAGMA foreign_keys = ON;",
        ]
    return ["BEGIN;", *out, "COMMIT;"]


def _drop_constraints(current: Schema, target: Schema, names: list[str], quote) -> list[str]:  # noqa: ANN001
    out = []
    for name in names:
        have, want = current.tables[name], target.tables[name]
        for item in [*_minus(have.uniques, want.uniques), *_minus(have.foreign_keys, want.foreign_keys)]:
            # PostgreSQL names every constraint, so a reflected one always has its name.
            out.append(f"ALTER TABLE {quote(name)} DROP CONSTRAINT {quote(item.name)};")
    return out


def _add_constraints(current: Schema, target: Schema, names: list[str], quote) -> list[str]:  # noqa: ANN001
    out = []
    for name in names:
        have, want = current.tables[name], target.tables[name]
        for unique in _minus(want.uniques, have.uniques):
            out.append(
                f"ALTER TABLE {quote(name)} ADD {_constraint(unique.name, quote)}"
                f"UNIQUE ({_names(unique.columns, quote)});"
            )
        for fk in _minus(want.foreign_keys, have.foreign_keys):
            out.append(
                f"ALTER TABLE {quote(name)} ADD {_constraint(fk.name, quote)}"
                f"FOREIGN KEY ({_names(fk.columns, quote)}) REFERENCES {quote(fk.referred_table)} "
                f"({_names(fk.referred_columns, quote)}) ON DELETE {fk.ondelete};"
            )
    return out


def _alter_columns(have: Table, want: Table, quote, is_sqlite: bool) -> list[str]:  # noqa: ANN001
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


def _sqlite_rebuild(have: Table, want: Table, reasons: list[str], quote) -> list[str]:  # noqa: ANN001
    """SQLite's documented way to change a table: create the new one, copy, drop the old, rename."""
    temporary = quote(f"_rebuild_{want.name}")
    create = re.sub(
        r"^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:\"[^\"]+\"|`[^`]+`|\[[^\]]+\]|[^\s(]+)",
        f"CREATE TABLE {temporary}", want.sql, count=1, flags=re.IGNORECASE,
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


def _names(names, quote) -> str:  # noqa: ANN001
    return ", ".join(quote(n) for n in names)


def _constraint(name: str | None, quote) -> str:  # noqa: ANN001
    return f"CONSTRAINT {quote(name)} " if name else ""


def _dialect(name: str) -> Dialect:
    if name == "sqlite":
        return sqlite.dialect()
    if name == "postgresql":
        return postgresql.dialect()
    raise ValueError(f"unknown dialect {name!r}")
