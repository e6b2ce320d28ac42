"""The record of the schema files applied to a database, and whether it fits this version's files.

Without SQLAlchemy: the start-up checks an up-to-date SQLite database with the standard library
alone (boards_desktop.db.start_check), and the runner (boards_desktop.db.schema_runner) uses the same
rules before it applies anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from boards_desktop.db.schema_files import SchemaFile

RECORD_TABLE = "schema_migrations"
CREATE_RECORD_TABLE = f"""
CREATE TABLE IF NOT EXISTS {RECORD_TABLE} (
    name VARCHAR(255) NOT NULL PRIMARY KEY,
    version INTEGER NOT NULL,
    checksum VARCHAR(64) NOT NULL,
    applied_at VARCHAR(40) NOT NULL
)
"""
# How much of a failing statement's first line the error repeats, to keep it one readable line.
_SHOWN_STATEMENT_CHARS = 80


class SchemaError(RuntimeError):
    """The database cannot be brought to this version's schema; the message says what to do."""


@dataclass(frozen=True)
class AppliedFile:
    name: str
    version: int
    checksum: str
    applied_at: str


def check_applied(applied: list[AppliedFile], files: list[SchemaFile]) -> list[SchemaFile]:
    """The pending files, or a SchemaError when the recorded history does not fit these files."""
    known = {f.name: f for f in files}
    unknown = [a.name for a in applied if a.name not in known]
    if unknown:
        raise SchemaError(
            f"this database has schema files this version of Boards Desktop does not know "
            f"({', '.join(unknown)}): it was used by a newer version. Update Boards Desktop, "
            f"or point BOARDS_DATABASE_URL at another database. Nothing was changed."
        )
    edited = [a.name for a in applied if known[a.name].checksum != a.checksum]
    if edited:
        raise SchemaError(
            f"schema file(s) {', '.join(edited)} changed after they were applied to this database. "
            f"Applied files must never be edited: restore them, and put the change in a new file "
            f"(schemas/NNN_name.sql). Nothing was changed."
        )
    done = {a.name for a in applied}
    pending = [f for f in files if f.name not in done]
    newest = max((a.version for a in applied), default=0)
    stale = [f.name for f in pending if f.version <= newest]
    if stale:
        raise SchemaError(
            f"schema file(s) {', '.join(stale)} are numbered before files already applied; "
            f"renumber them after {newest:03d}. Nothing was changed."
        )
    return pending


def statement_failed(schema_file: SchemaFile, number: int, statement: str, reason: str) -> str:
    """What is said when statement `number` of `schema_file` was refused by the database for `reason`."""
    first_line = statement.splitlines()[0].strip()
    if len(first_line) > _SHOWN_STATEMENT_CHARS:
        first_line = first_line[: _SHOWN_STATEMENT_CHARS - 3] + "..."
    reason = " ".join(reason.split())  # the engine's own text, on one line
    name = schema_file.name
    return (
        f"schema file {name} failed at statement {number} ({first_line}): {reason}. "
        f"Nothing of {name} was applied (its transaction was rolled back); files before it stay applied. "
        f"Fix {name}, then run `boards-desktop db upgrade` or start the app again."
    )
