"""Opening a board archive: refused with a clear message when it is not one, is damaged or truncated,
or was written by a newer app. Nothing here writes anything."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from boards_desktop.archives.embedded import Embedded
from boards_desktop.archives.format import DESCRIPTION_NAME, FORMAT_NAME, FORMAT_VERSION, MEDIA_FOLDER, ArchiveError

_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ValueError)
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class ArchivedMedia:
    key: str
    size: int  # the original's (the stored file's), as its sha256
    sha256: str
    embedded: Embedded | None = None  # the entry carries metadata: how to get the original back

    @property
    def entry_size(self) -> int:
        return self.size if self.embedded is None else self.embedded.entry_size(self.size)


class BoardArchive:
    """An opened archive: its description and a way to copy out each file, checked against its hash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise ArchiveError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise ArchiveError(f"{path} is a folder; give the archive's file") from None
        except _DAMAGED:
            raise ArchiveError(
                f"{path.name} is not a complete board archive: it may be cut short (a download or copy that did "
                "not finish) or not be one at all. Export the board again; nothing was imported"
            ) from None
        try:
            self.description = self._read_description()
            self.media = self._media_list()
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def copy_media(self, media: ArchivedMedia, target: Path) -> None:
        """Write one file to `target`, the original when its entry carries metadata (archives.embedded);
        ArchiveError when its bytes are not those the description names."""
        digest = hashlib.sha256()
        size = 0
        try:
            with self._zip.open(MEDIA_FOLDER + media.key) as source, target.open("wb") as out:
                if media.embedded is not None:
                    size = media.embedded.restore(source, media.entry_size, out, digest, _COPY_CHUNK)
                while media.embedded is None and (chunk := source.read(_COPY_CHUNK)):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except _DAMAGED:
            raise ArchiveError(
                f"{self.path.name} is damaged: {media.key} cannot be read; nothing was imported"
            ) from None
        if size != media.size or digest.hexdigest() != media.sha256:
            raise ArchiveError(
                f"{self.path.name} is damaged: {media.key} is not the file that was exported; nothing was imported"
            )

    def _read_description(self) -> dict[str, Any]:
        try:
            with self._zip.open(DESCRIPTION_NAME) as handle:
                raw = handle.read()
        except KeyError:
            raise ArchiveError(
                f"{self.path.name} has no {DESCRIPTION_NAME}: it is not a board archive "
                "(one is made by `boards-desktop boards export` or the board's Export button)"
            ) from None
        except _DAMAGED:
            raise ArchiveError(
                f"{self.path.name} is damaged: its {DESCRIPTION_NAME} cannot be read; nothing was imported"
            ) from None
        try:
            description = json.loads(raw)
        except ValueError:
            raise ArchiveError(
                f"{self.path.name} is damaged: its {DESCRIPTION_NAME} is not JSON; nothing was imported"
            ) from None
        if not isinstance(description, dict) or description.get("format") != FORMAT_NAME:
            raise ArchiveError(
                f"{self.path.name} is not a board archive of Boards Desktop ({DESCRIPTION_NAME} names no such format)"
            )
        version = description.get("format_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise ArchiveError(
                f"{self.path.name} is damaged: its format_version {str(version)[:20]!r} is not a version number"
            )
        if version > FORMAT_VERSION:
            made_by = description.get("app_version")
            raise ArchiveError(
                f"{self.path.name} is a board archive of format version {version}"
                + (f" (made by Boards Desktop {made_by})" if isinstance(made_by, str) else "")
                + f"; this app reads versions up to {FORMAT_VERSION}. Update Boards Desktop, then import it again"
            )
        return description

    def _media_list(self) -> list[ArchivedMedia]:
        listed = self.description.get("media")
        if not isinstance(listed, list):
            raise ArchiveError(f"{self.path.name} is damaged: {DESCRIPTION_NAME} has no media list")
        present = {info.filename: info.file_size for info in self._zip.infolist()}
        media = []
        for item in listed:
            if not isinstance(item, dict) or not all(
                isinstance(item.get(name), kind) for name, kind in (("key", str), ("size", int), ("sha256", str))
            ):
                raise ArchiveError(f"{self.path.name} is damaged: a media entry of {DESCRIPTION_NAME} is malformed")
            key, size = item["key"], item["size"]
            embedded = None
            if "embedded" in item:
                try:
                    embedded = Embedded.parse(item["embedded"], size)
                except ValueError as exc:
                    raise ArchiveError(
                        f"{self.path.name} is damaged: the metadata written into {key} is described wrongly ({exc})"
                    ) from None
            found = ArchivedMedia(key, size, item["sha256"], embedded)
            if present.get(MEDIA_FOLDER + key) != found.entry_size:
                raise ArchiveError(f"{self.path.name} is damaged or incomplete: {key} is missing or has another size")
            media.append(found)
        return media
