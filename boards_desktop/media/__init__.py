"""The media store: files of generations under the media root, their thumbnails and facts.

`store` maps keys to paths and URLs, `ingest` puts files in (checked, probed, thumbnailed,
atomically), `gc` finds files no generation names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boards_desktop.media.ingest import MediaTypeError, StoredMedia, store_media
    from boards_desktop.media.store import MediaKeyError, MediaStore

__all__ = ["MediaKeyError", "MediaStore", "MediaTypeError", "StoredMedia", "store_media"]
_HOMES = {"MediaKeyError": "store", "MediaStore": "store"}


def __getattr__(name: str) -> Any:
    # Imported on first use, not with the package: `ingest` brings Pillow and PyAV, which the server
    # does not need to answer its first request (media.disk_space, read by the GraphQL errors, is light).
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"boards_desktop.media.{_HOMES.get(name, 'ingest')}"), name)
    globals()[name] = value
    return value
