"""The media store: files of generations under the media root, their thumbnails and facts.

`store` maps keys to paths and URLs, `ingest` puts files in (checked, probed, thumbnailed,
atomically), `gc` finds files no generation names.
"""

from boards_desktop.media.ingest import MediaTypeError, StoredMedia, store_media
from boards_desktop.media.store import MediaKeyError, MediaStore

__all__ = ["MediaKeyError", "MediaStore", "MediaTypeError", "StoredMedia", "store_media"]
