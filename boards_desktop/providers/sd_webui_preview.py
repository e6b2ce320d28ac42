"""The WebUI's live preview (`current_image`), made small enough to travel in a progress event.

The WebUI sends the image being sampled as a base64 PNG (or JPEG/WebP, its setting), full size.
A tile shows it a few hundred pixels wide, and each progress event carries it to every open page:
so it is cut down to a small JPEG `data:` URL (a few kilobytes) before it is published.
"""

from __future__ import annotations

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

PREVIEW_PIXELS = 320  # the longest side: a tile is about this wide
PREVIEW_QUALITY = 70


def shrink_preview(raw: str) -> str | None:
    """`raw` (base64, or a `data:` URL) as a small JPEG `data:` URL; None when it is not an image."""
    text = raw.split(",", 1)[1] if raw.startswith("data:") else raw
    try:
        data = base64.b64decode(text, validate=False)
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PREVIEW_PIXELS, PREVIEW_PIXELS))  # JPEG: decode at a smaller scale
            small = image.convert("RGB")
            small.thumbnail((PREVIEW_PIXELS, PREVIEW_PIXELS))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=PREVIEW_QUALITY)
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")
