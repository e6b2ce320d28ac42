"""How many rows an UPDATE or DELETE changed.

`AsyncSession.execute` is typed to answer a `Result`; for a DML statement it is a `CursorResult`,
the one that counts the rows the database changed.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy.engine import CursorResult, Result


def rows_changed(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount
