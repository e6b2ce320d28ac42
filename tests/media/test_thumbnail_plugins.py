"""A thumbnail is written as WebP without Pillow importing every format it knows to find the writer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_PROBE = """
import io, json, sys
from pathlib import Path
from PIL import Image
from boards_desktop.media.thumbnails import image_thumbnail
Image.new("RGB", (900, 600), (200, 40, 40)).save(sys.argv[1])
out = io.BytesIO()
image_thumbnail(Path(sys.argv[1]), out)
print(json.dumps({"head": out.getvalue()[:12].hex(), "plugins": sorted(m for m in sys.modules if m.endswith("ImagePlugin"))}))
"""


def test_a_png_thumbnailed_to_webp_brings_in_only_those_two_formats_and_pillows_common_ones(tmp_path: Path) -> None:
    # In a fresh interpreter: this one may have imported every plugin already.
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / "red.png")], capture_output=True, text=True, check=True
    )
    facts = json.loads(probe.stdout)
    head = bytes.fromhex(facts["head"])
    assert head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    # Pillow's `preinit` set (BMP, GIF, JPEG, PPM, PNG) and WebP; not the forty others (DDS, PSD, TIFF, ...).
    assert "PIL.WebPImagePlugin" in facts["plugins"] and "PIL.PngImagePlugin" in facts["plugins"]
    assert not {"PIL.DdsImagePlugin", "PIL.PsdImagePlugin", "PIL.TiffImagePlugin"} & set(facts["plugins"])
    assert len(facts["plugins"]) <= 7
