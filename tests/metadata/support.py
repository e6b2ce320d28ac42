"""Independent readers of what an exported file carries: Pillow, an XML parser, and exiftool when installed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PIL import Image

from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient

XMP_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "boards": "https://boards-desktop.app/ns/provenance/1.0/",
}
EXIFTOOL = shutil.which("exiftool")


def png_texts(data: bytes) -> dict[str, str]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return dict(image.text)  # type: ignore[attr-defined]


def xmp_of(data: bytes) -> ElementTree.Element:
    with Image.open(io.BytesIO(data)) as image:
        raw = image.info["xmp"]
    return ElementTree.fromstring(raw)


def xmp_fields(data: bytes) -> dict[str, Any]:
    root = xmp_of(data)
    description = root.find(".//dc:description/rdf:Alt/rdf:li", XMP_NS)
    provenance = root.find(".//boards:provenance", XMP_NS)
    parameters = root.find(".//boards:parameters", XMP_NS)
    tool = root.find(".//xmp:CreatorTool", XMP_NS)
    return {
        "description": description.text if description is not None else None,
        "provenance": json.loads(provenance.text) if provenance is not None and provenance.text else None,
        "parameters": parameters.text if parameters is not None else None,
        "tool": tool.text if tool is not None else None,
    }


def user_comment(data: bytes) -> str | None:
    """EXIF UserComment as the WebUI reads it: b"UNICODE\\0" then UTF-16 big-endian."""
    with Image.open(io.BytesIO(data)) as image:
        raw = image.getexif().get_ifd(0x8769).get(0x9286)
    if raw is None:
        return None
    assert raw[:8] == b"UNICODE\x00"
    return raw[8:].decode("utf-16-be")


def exiftool(path: Path) -> dict[str, Any]:
    assert EXIFTOOL is not None
    out = subprocess.run([EXIFTOOL, "-j", "-G1", "-struct", str(path)], capture_output=True, check=True, text=True)
    return json.loads(out.stdout)[0]


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA").tobytes()


def stored_path(client: AppClient, storage_url: str) -> Path:
    key = MediaStore.key_of_url(storage_url)
    assert key is not None
    return client.services.media.path_of(key)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {info.filename: archive.read(info) for info in archive.infolist()}
