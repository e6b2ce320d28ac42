"""Downloads saved under a name: a name safe for the user's Downloads folder, and the header that gives it."""

from __future__ import annotations

import re
from pathlib import PurePath
from urllib.parse import quote

_UNSAFE_FILENAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def download_name(filename: str | None, fallback: str) -> str:
    """`filename` without folders or characters a file system refuses; `fallback` when nothing is left.

    A name without an extension gets the fallback's (`holiday` for `output.png` is `holiday.png`).
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_FILENAME.sub("_", name).strip(" .")[:200].strip(" .")
    if not name:
        return fallback
    stem, dot, _extension = name.rpartition(".")
    if not dot or not stem:
        name = f"{name}{PurePath(fallback).suffix}"
    return name


def attachment(name: str) -> str:
    """The Content-Disposition of a download saved as `name` (a name from `download_name`)."""
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    if ascii_name == name:
        return f'attachment; filename="{name}"'
    # RFC 6266: old clients read the ASCII fallback, every current browser reads `filename*`.
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
