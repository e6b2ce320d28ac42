"""Helpers for the database tests: schema folders made to order, raw SQL, the CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy import text

from boards_desktop.db.engine import Database

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
FIRST = "001_initial.sql"
LINEAGE = "002_generation_lineage.sql"
ALL_FILES = tuple(sorted(path.name for path in SCHEMAS.glob("*.sql")))  # the shipped schema, every engine
# A later file only the tests know (numbered after the shipped ones): one new column and an index.
TEST_003 = (
    "900_board_colour.sql",
    "ALTER TABLE boards ADD COLUMN colour VARCHAR(20);\nCREATE INDEX ix_boards_colour ON boards (colour);\n",
)


class SchemaFolder:
    """A schemas folder of the test's own, filled file by file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def copy(self, *names: str) -> SchemaFolder:
        for name in names:
            shutil.copy(SCHEMAS / name, self.path / name)
        return self

    def write(self, name: str, sql: str) -> SchemaFolder:
        (self.path / name).write_text(sql, encoding="utf-8")
        return self


async def table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sync.dialect.get_table_names(sync)))


async def fetch(database: Database, sql: str, params: dict | None = None) -> list[tuple]:
    async with database.read() as session:
        return [tuple(row) for row in await session.execute(text(sql), params or {})]


async def execute(database: Database, *statements: str) -> None:
    async with database.write() as session:
        for statement in statements:
            await session.execute(text(statement))


def sqlite_path(url: str) -> Path | None:
    return Path(url.split(":///", 1)[1]) if url.startswith("sqlite") else None


def backups_of(url: str) -> list[Path]:
    path = sqlite_path(url)
    return sorted(path.parent.glob(f"{path.name}.*.bak")) if path else []


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -m boards_desktop ...` with the given BOARDS_* settings and no user config file."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BOARDS_")}
    full_env.update(env)
    full_env.setdefault("BOARDS_CONFIG_FILE", str(Path(env.get("BOARDS_DATA_DIR", REPO)) / "no-config.toml"))
    return subprocess.run(
        [sys.executable, "-m", "boards_desktop", *args],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,  # the tests read the exit status and the output themselves
    )


async def populate(database: Database, *, boards: int, generations: int) -> dict[str, list[str]]:
    """A tenant, its user, `boards` boards and `generations` generations spread over them."""
    tenant, user = str(uuid.uuid4()), str(uuid.uuid4())
    board_ids = [str(uuid.uuid4()) for _ in range(boards)]
    generation_ids = [str(uuid.uuid4()) for _ in range(generations)]
    statements = [
        f"INSERT INTO tenants (id, name, slug) VALUES ('{tenant}', 'Studio', 'studio-{tenant[:8]}')",
        f"INSERT INTO users (id, tenant_id, auth_provider, auth_subject) VALUES ('{user}', '{tenant}', 'local', 'me')",
        *(
            f"INSERT INTO boards (id, tenant_id, owner_id, title) VALUES ('{b}', '{tenant}', '{user}', 'Board {i}')"
            for i, b in enumerate(board_ids)
        ),
        *(
            f"INSERT INTO generations (id, tenant_id, board_id, user_id, generator_name, artifact_type) "
            f"VALUES ('{g}', '{tenant}', '{board_ids[i % boards]}', '{user}', 'test', 'image')"
            for i, g in enumerate(generation_ids)
        ),
    ]
    await execute(database, *statements)
    return {"tenant": [tenant], "user": [user], "boards": board_ids, "generations": generation_ids}


def sql_sections(sql: str) -> tuple[str, str]:
    """The "-- up" and "-- down" halves of `db diff --sql`."""
    assert sql.startswith("-- up\n"), sql
    up, down = sql.removeprefix("-- up\n").split("\n-- down\n")
    return up, down


async def run_script(url: str, script: str) -> None:
    """Run the SQL as a user would paste it into sqlite3 or psql."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(sqlite_path(url), isolation_level=None)
        try:
            connection.executescript(script)
        finally:
            connection.close()
        return
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(script)
    finally:
        await connection.close()
