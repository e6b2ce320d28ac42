"""A schema as one engine sees it: the Schema/Table/Column model, read from a live database or
from the DDL files built in a scratch place.

The DDL is built instead of parsed: in an in-memory SQLite database, or on PostgreSQL in a schema
created inside a transaction that is rolled back, so nothing is left behind even if we crash.
Both sides are then reflected the same way, so a declared type compares equal to itself whatever
the engine reports for it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import warnings
from dataclasses import dataclass, field

from sqlalchemy import BLANK_SCHEMA, MetaData, create_engine, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql import ClauseElement

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_files import SchemaFile
from boards_desktop.db.schema_runner import RECORD_TABLE
from boards_desktop.db.schema_triggers import Quote, Trigger, reflect_functions, reflect_triggers

_IGNORED = {RECORD_TABLE}  # the runner's own bookkeeping, not part of the DDL


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

    def definition(self, quote: Quote) -> str:
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
    triggers: dict[str, Trigger] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()  # PostgreSQL: what a trigger may execute


async def reflect_database(database: Database) -> Schema:
    """The live database's schema, without the runner's bookkeeping table."""
    async with database.engine.connect() as connection:
        return await connection.run_sync(_reflect, None)


async def reflect_ddl(database: Database, files: list[SchemaFile]) -> Schema:
    """The schema `files` define, built in a scratch place of `database`'s engine and read back."""
    if database.is_sqlite:
        return await asyncio.to_thread(_ddl_schema_sqlite, files)
    return await _ddl_schema_postgresql(database, files)


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
    with warnings.catch_warnings():
        # SQLAlchemy cannot reflect SQLite's indexes on expressions and says so; they are read below.
        warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)
        return _reflect_tables(connection, schema)


def _reflect_tables(connection: Connection, schema: str | None) -> Schema:
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
            if index["name"] is None:
                continue  # never on SQLite or PostgreSQL, which name every index
            columns_or_expressions = index.get("expressions") or index["column_names"]
            options = tuple(sorted((k, str(v)) for k, v in index.get("dialect_options", {}).items() if _is_set(v)))
            indexes[index["name"]] = Index(
                index["name"],
                tuple(map(str, columns_or_expressions)),
                bool(index["unique"]),
                options,
                sql.get(("index", index["name"]), ""),
            )
        if dialect.name == "sqlite":
            indexes.update(_sqlite_expression_indexes(connection, name, indexes))
        tables[name] = Table(
            name,
            columns,
            tuple(primary["constrained_columns"]),
            primary.get("name"),
            uniques,
            foreign_keys,
            indexes,
            sql.get(("table", name), ""),
        )
    triggers = reflect_triggers(connection, schema, _IGNORED)
    return Schema(tables, triggers, reflect_functions(connection, schema))


def _is_set(option: object) -> bool:
    # A partial index's WHERE comes back as a SQL clause (SQLite), which has no truth value of its own.
    return True if isinstance(option, ClauseElement) else bool(option)


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


def _sqlite_expression_indexes(connection: Connection, table: str, reflected: dict[str, Index]) -> dict[str, Index]:
    """The table's indexes on expressions, which SQLAlchemy skips on SQLite: compared by their statement."""
    rows = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    )
    return {
        name: Index(name, (" ".join(text.split()),), text.lstrip().upper().startswith("CREATE UNIQUE"), (), text)
        for name, text in rows
        if name not in reflected
    }


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
        # SQLAlchemy documents schema=None and a BLANK_SCHEMA answer (no schema); its annotations omit both.
        table.to_metadata(plain, schema=None, referred_schema_fn=lambda *_: BLANK_SCHEMA)  # type: ignore[arg-type]
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
