"""Which storage an app's published media is in, as a string every app with the same storage agrees on.

A bucket is named by its URL (`s3://bucket/prefix`): teammates who set the same `BOARDS_STORAGE_URL`
share it. A local media folder is named by an id kept in the folder itself (`folder:<uuid>`, in
`.boards-storage-id`), made by the first app that needs it: apps that mount one folder (a network
share) read the same id, apps with folders of their own never do, whatever the folders' paths.

On a shared database a job records the storage of the app that queued it, and only apps with that
storage claim it (db.queries.jobs): its input files are there, and its results must land there.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

ID_FILE_NAME = ".boards-storage-id"
FOLDER_PREFIX = "folder:"


def folder_storage_id(root: Path) -> str:
    """The id of the media folder `root`, made (atomically, once, whichever app comes first) when it has none."""
    path = root / ID_FILE_NAME
    found = _read(path)
    if found is not None:
        return found
    root.mkdir(parents=True, exist_ok=True)
    made = f"{FOLDER_PREFIX}{uuid.uuid4()}"
    staged = root / f"{ID_FILE_NAME}.{uuid.uuid4().hex}.tmp"
    staged.write_text(made + "\n", encoding="ascii")
    try:
        # A hard link fails when the name exists: two apps starting at once on a shared folder keep the first id.
        os.link(staged, path)
    except OSError:
        # The name exists but holds no id (damaged), or the file system has no hard links: replace it.
        if _read(path) is None:
            os.replace(staged, path)
    finally:
        staged.unlink(missing_ok=True)
    return _read(path) or made


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith(FOLDER_PREFIX):
        return None
    try:
        uuid.UUID(text[len(FOLDER_PREFIX) :])
    except ValueError:
        return None
    return text
