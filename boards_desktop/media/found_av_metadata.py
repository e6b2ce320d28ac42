"""What a video or sound file says about how it was made: the same two forms an export writes into it.

Read with FFmpeg's demuxers (PyAV), which list an MP4's iTunes items, a WAV's INFO and ID3 chunks
and an MP3's ID3 `TXXX` frames by name (media.embed_video, media.embed_audio): our
`boards_provenance` (for lineage) first, else a `parameters` text in the WebUI's form (another
tool's, or ours from a file whose JSON was lost). Only the container's header is read; no frame
is decoded. What is found is read as a picture's is (media.found_metadata), with the same caps.
"""

from __future__ import annotations

from pathlib import Path

# The picture reader's own parsers of our JSON and of the WebUI's text: one reading for every kind of file.
from boards_desktop.media.found_metadata import BOARDS, MAX_BLOCK_CHARS, FoundMetadata
from boards_desktop.media.found_metadata import _ours as ours_of
from boards_desktop.media.found_metadata import _settings_of_ours as settings_of_ours
from boards_desktop.media.found_metadata import _webui as webui_of

PARAMETERS = "parameters"
PROVENANCE = "boards_provenance"


def read_av_metadata(path: Path) -> FoundMetadata | None:
    """Our provenance, or the WebUI's `parameters`, in the video or sound file at `path`; None without."""
    tags = _container_tags(path)
    ours = ours_of(tags.get(PROVENANCE), None)
    if ours is not None:
        return FoundMetadata(BOARDS, settings_of_ours(ours), provenance=ours)
    parameters = tags.get(PARAMETERS)
    return webui_of(parameters) if parameters else None


def _container_tags(path: Path) -> dict[str, str]:
    import av  # here: the server does not need FFmpeg before an upload

    try:
        with av.open(str(path), metadata_errors="replace") as container:
            tags = dict(container.metadata)
    except (av.FFmpegError, OSError, ValueError):
        return {}
    return {key: value for key, value in tags.items() if isinstance(value, str) and len(value) <= MAX_BLOCK_CHARS}
