"""The DDL files under `schemas/`: which apply to an engine, their checksums, their statements.

A file is `NNN_name.sql` (both engines) or `NNN_name.sqlite.sql` / `NNN_name.postgresql.sql`
(one engine, for what the portable subset cannot say: full-text search, GIN indexes).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

DIALECTS = ("sqlite", "postgresql")
_NAME = re.compile(r"^(?P<version>\d{3})_(?P<slug>[a-z0-9_]+?)(?:\.(?P<dialect>sqlite|postgresql))?\.sql$")


class SchemaFileError(ValueError):
    """A file in the schemas folder does not follow the naming rule."""


@dataclass(frozen=True)
class SchemaFile:
    version: int
    name: str  # the file name, which is what the database records
    dialect: str | None
    sql: str

    @property
    def checksum(self) -> str:
        # Line endings are normalised so that a checkout on Windows has the same checksum.
        return hashlib.sha256(self.sql.replace("\r\n", "\n").encode("utf-8")).hexdigest()

    @property
    def statements(self) -> list[str]:
        return split_statements(self.sql)


def schemas_dir() -> Path:
    """Where the DDL lives: `BOARDS_SCHEMAS_DIR`, a copy inside the package (bundles), or the checkout."""
    if os.environ.get("BOARDS_SCHEMAS_DIR"):
        return Path(os.environ["BOARDS_SCHEMAS_DIR"])
    packaged = Path(__file__).resolve().parent.parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def load_schema_files(dialect: str, directory: Path | None = None) -> list[SchemaFile]:
    """The files that apply to `dialect`, in order; a malformed name or a duplicate is an error."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
    folder = directory or schemas_dir()
    files: list[SchemaFile] = []
    seen: dict[int, str] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise SchemaFileError(
                f"{path.name}: schema files are named NNN_name.sql or NNN_name.<sqlite|postgresql>.sql"
            )
        file_dialect = match["dialect"]
        if file_dialect not in (None, dialect):
            continue
        version = int(match["version"])
        if version in seen:
            raise SchemaFileError(f"{path.name}: version {version:03d} is also used by {seen[version]}")
        seen[version] = path.name
        files.append(SchemaFile(version, path.name, file_dialect, path.read_text(encoding="utf-8")))
    return files


def split_statements(sql: str) -> list[str]:
    """Split a script into statements at semicolons outside quotes, comments and bodies.

    Bodies are PostgreSQL dollar quotes and `BEGIN ATOMIC ... END` function bodies, and SQLite
    trigger blocks (`BEGIN ... END`), with any `CASE ... END` inside them. Comments are
    dropped, so a file that is only comments yields no statement.
    """
    statements: list[str] = []
    current: list[str] = []
    i, n = 0, len(sql)
    block_depth = 0
    while i < n:
        ch = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 2
            continue
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch and not (end + 1 < n and sql[end + 1] == ch):
                    break
                end += 2 if sql[end] == ch else 1
            current.append(sql[i : end + 1])
            i = end + 1
            continue
        dollar = re.match(r"\$[A-Za-z_]*\$", sql[i:]) if ch == "$" else None
        if dollar:
            tag = dollar.group(0)
            end = sql.find(tag, i + len(tag))
            end = n if end == -1 else end + len(tag)
            current.append(sql[i:end])
            i = end
            continue
        word = re.match(r"[A-Za-z_]+", sql[i:]) if ch.isalpha() and (i == 0 or not _is_word(sql[i - 1])) else None
        if word:
            token = word.group(0).upper()
            text = "".join(current).upper()
            if (
                token == "BEGIN"
                and (
                    re.search(r"\bCREATE\s+(TEMP\w*\s+)?TRIGGER\b", text)
                    # PostgreSQL's SQL-standard body: CREATE FUNCTION ... BEGIN ATOMIC ...; END
                    or (
                        re.search(r"\bCREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b", text)
                        and re.match(r"BEGIN\s+ATOMIC\b", sql[i:], re.IGNORECASE)
                    )
                )
            ):
                block_depth += 1
            elif token == "CASE" and block_depth:
                # CASE ... END inside a trigger body: its END must not close the body.
                block_depth += 1
            elif token == "END" and block_depth:
                block_depth -= 1
            current.append(word.group(0))
            i += len(word.group(0))
            continue
        if ch == ";" and not block_depth:
            statement = "".join(current).strip()
            if statement:
                statements.append(statement)
            current = []
        else:
            current.append(ch)
        i += 1
    tail = "".join(current).strip()
    if tail:
        statements.append(tail)
    return statements


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"
