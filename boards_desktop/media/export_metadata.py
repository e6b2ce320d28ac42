"""Provenance for the copies that leave the app: the zip export, downloads and the window's "Save as".

One place decides what an exported file says (media.provenance) and how it is written in
(media.embed), so every way out gives the same file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from boards_desktop.media.embed import Splice, splice_for
from boards_desktop.media.provenance import ParentFact, provenance_of


def export_splice(row: Any, path: Path, parents: list[ParentFact]) -> Splice | None:
    """How to write the generation's provenance into a copy of its stored file (reads the file's head)."""
    if row.status != "completed":
        return None
    return splice_for(path, path.suffix.lstrip("."), provenance_of(row, parents))
