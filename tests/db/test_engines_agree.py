"""One DDL, two engines: fresh databases on SQLite and PostgreSQL have the same schema.

Reflected here with SQLAlchemy's inspector directly (not through `db diff`), so a mistake shared
by the diff's own reflection cannot hide a difference between the engines.
"""

from __future__ import annotations

import re
import warnings

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

from boards_desktop.db.engine import Database
from boards_desktop.db.schema_runner import RECORD_TABLE, upgrade
from tests.conftest import create_postgres_database, drop_postgres_database

# The portable subset's types, each with the form both engines must agree on.
_FAMILIES = [
    (r"VARCHAR\((\d+)\)", "VARCHAR({})"),
    (r"CHARACTER VARYING\((\d+)\)", "VARCHAR({})"),
    (r"TEXT", "TEXT"),
    (r"BOOLEAN", "BOOLEAN"),
    (r"NUMERIC\((\d+), ?(\d+)\)", "NUMERIC({},{})"),
    (r"TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE"),
    (r"JSONB", "JSONB"),
    (r"INTEGER", "INTEGER"),
]


def _family(declared: str) -> str:
    text = re.sub(r"\s+", " ", declared.strip().upper())
    for pattern, form in _FAMILIES:
        match = re.fullmatch(pattern, text)
        if match:
            return form.format(*match.groups())
    raise AssertionError(f"type {declared!r} is outside the portable subset")


def _normalised(connection: Connection) -> dict[str, dict]:
    with warnings.catch_warnings():
        # SQLAlchemy cannot reflect SQLite's indexes on expressions and says so; `_indexes` reads them.
        warnings.filterwarnings("ignore", message=".*expression-based index", category=SAWarning)
        return _normalised_tables(connection)


def _normalised_tables(connection: Connection) -> dict[str, dict]:
    inspector = inspect(connection)
    dialect = connection.dialect
    schema: dict[str, dict] = {}
    for table in sorted(set(inspector.get_table_names()) - {RECORD_TABLE}):
        if dialect.name == "sqlite":
            declared = {row[1]: row[2] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')}
        else:
            declared = {c["name"]: c["type"].compile(dialect=dialect) for c in inspector.get_columns(table)}
        primary_key = inspector.get_pk_constraint(table)["constrained_columns"]
        schema[table] = {
            "columns": {
                c["name"]: (_family(declared[c["name"]]), c["nullable"] and c["name"] not in primary_key)
                for c in inspector.get_columns(table)
            },
            "primary key": tuple(primary_key),
            "indexes": _indexes(connection, table),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            "foreign keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    (fk["options"].get("ondelete") or "NO ACTION").upper(),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
        }
    return schema


def _indexes(connection: Connection, table: str) -> list[tuple[str, tuple[str, ...], bool]]:
    """Name, columns and uniqueness; an index on an expression has "<expression>" for its columns
    (SQLAlchemy reflects it on PostgreSQL, with no column, and skips it on SQLite)."""
    found = [i for i in inspect(connection).get_indexes(table) if not i.get("duplicates_constraint")]
    indexes = {
        i["name"]: (
            i["name"],
            ("<expression>",) if None in i["column_names"] else tuple(i["column_names"]),
            bool(i["unique"]),
        )
        for i in found
    }
    if connection.dialect.name == "sqlite":
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
        ):
            indexes.setdefault(name, (name, ("<expression>",), False))
    return sorted(indexes.values())


async def _reflect(url: str) -> dict[str, dict]:
    database = Database(url)
    try:
        await upgrade(database)
        async with database.engine.connect() as connection:
            return await connection.run_sync(_normalised)
    finally:
        await database.dispose()


@pytest.mark.postgres
async def test_fresh_databases_on_both_engines_have_the_same_schema(tmp_path, postgres_admin_url):
    on_sqlite = await _reflect(f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}")
    postgres_url = await create_postgres_database(postgres_admin_url)
    try:
        on_postgres = await _reflect(postgres_url)
    finally:
        await drop_postgres_database(postgres_admin_url, postgres_url)

    assert sorted(on_sqlite) == sorted(on_postgres)
    for table in on_sqlite:
        for part in ("columns", "primary key", "indexes", "unique", "foreign keys"):
            assert on_sqlite[table][part] == on_postgres[table][part], f"{table}: {part} differ"
    # The comparison saw the schema's substance, not an empty shell.
    assert on_sqlite["tenants"]["unique"] == [("slug",)]
    assert on_sqlite["generations"]["columns"]["progress"] == ("NUMERIC(5,2)", False)
    assert on_sqlite["generations"]["columns"]["completed_at"] == ("TIMESTAMP WITH TIME ZONE", True)
    assert ("ix_generations_board_created", ("board_id", "created_at", "id"), False) in on_sqlite["generations"][
        "indexes"
    ]
    assert ((("invited_by_id",), "users", ("id",), "SET NULL")) in on_sqlite["board_members"]["foreign keys"]
