"""What one reflected schema lacks, has in excess, or has otherwise than another."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from boards_desktop.db.schema_reflect import Column, ForeignKey, Schema, Table, Unique

_Item = TypeVar("_Item")

MISSING = "missing"  # in the DDL, not in the database
EXTRA = "extra"  # in the database, not in the DDL
CHANGED = "changed"
_WHERE = {MISSING: "missing from the database", EXTRA: "not in the DDL"}


@dataclass(frozen=True)
class Difference:
    kind: str  # table, column, type, nullability, primary key, unique, foreign key, index, trigger
    table: str
    change: str  # MISSING, EXTRA or CHANGED
    subject: str  # what it is about, e.g. "column boards.title"
    detail: str  # how it differs

    def describe(self) -> str:
        return f"{self.subject}: {self.detail}"


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
    return found + _compare_triggers(current, target)


def unmatched(items: Sequence[_Item], others: Sequence[_Item]) -> list[_Item]:
    """Items of `items` without a match in `others`, counting duplicates."""
    left = list(others)
    result = []
    for item in items:
        if item in left:
            left.remove(item)
        else:
            result.append(item)
    return result


def _compare_table(have: Table, want: Table) -> list[Difference]:
    name = have.name
    found: list[Difference] = []
    for column in [*want.columns, *(c for c in have.columns if c not in want.columns)]:
        subject = f"column {name}.{column}"
        old, new = have.columns.get(column), want.columns.get(column)
        if old is None or new is None:
            change = MISSING if old is None else EXTRA
            shown = (new or old).declaration()  # type: ignore[union-attr]  # one of them is there
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
    constraints: list[tuple[str, Sequence[Unique | ForeignKey], Sequence[Unique | ForeignKey]]] = [
        ("unique", have.uniques, want.uniques),
        ("foreign key", have.foreign_keys, want.foreign_keys),
    ]
    for kind, old_items, new_items in constraints:
        for change, items in ((MISSING, unmatched(new_items, old_items)), (EXTRA, unmatched(old_items, new_items))):
            for item in items:
                label = "unique constraint" if kind == "unique" else kind
                found.append(Difference(kind, name, change, f"{label} on {name} {item.describe()}", _WHERE[change]))
    for index in sorted(have.indexes.keys() | want.indexes.keys()):
        old_index, new_index = have.indexes.get(index), want.indexes.get(index)
        subject = f"index {index} on {name}"
        if old_index is None or new_index is None:
            change = MISSING if old_index is None else EXTRA
            shown = (new_index or old_index).describe()  # type: ignore[union-attr]  # one of them is there
            found.append(Difference("index", name, change, subject, f"{_WHERE[change]} {shown}"))
        elif old_index != new_index:
            detail = f"{old_index.describe()} in the database, {new_index.describe()} in the DDL"
            found.append(Difference("index", name, CHANGED, subject, detail))
    return found


def _compare_triggers(current: Schema, target: Schema) -> list[Difference]:
    # Triggers of a missing or extra table are listed too: the SQL has to create or drop them as well.
    found: list[Difference] = []
    names = current.triggers.keys() | target.triggers.keys()
    for name in sorted(names, key=lambda n: ((current.triggers.get(n) or target.triggers[n]).table, n)):
        have, want = current.triggers.get(name), target.triggers.get(name)
        table = (want or have).table  # type: ignore[union-attr]  # a name of either side: one is there
        subject = f"trigger {name} on {table}"
        if have is None or want is None:
            change = MISSING if have is None else EXTRA
            found.append(Difference("trigger", table, change, subject, _WHERE[change]))
        elif have != want:
            found.append(Difference("trigger", table, CHANGED, subject, "differs from the DDL"))
    return found


def _nullability(column: Column) -> str:
    return "nullable" if column.nullable else "NOT NULL"
