"""The type of a file comes from its bytes: each supported format, text kinds, and what we refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from boards_desktop.media.sniff import UnsupportedMedia, sniff_file
from tests.media.samples import animated_gif, image_bytes, media_files


@pytest.fixture(scope="module")
def av_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return media_files(tmp_path_factory.mktemp("av"))


def _file(tmp_path: Path, data: bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "artifact_type", "fmt", "content_type"),
    [
        (image_bytes("PNG"), "image", "png", "image/png"),
        (image_bytes("JPEG"), "image", "jpg", "image/jpeg"),
        (image_bytes("WEBP"), "image", "webp", "image/webp"),
        (image_bytes("GIF"), "image", "gif", "image/gif"),
        (animated_gif(), "image", "gif", "image/gif"),
        (image_bytes("BMP"), "image", "bmp", "image/bmp"),
        (image_bytes("TIFF"), "image", "tiff", "image/tiff"),
        (image_bytes("AVIF"), "image", "avif", "image/avif"),
    ],
    ids=["png", "jpeg", "webp", "gif", "animated-gif", "bmp", "tiff", "avif"],
)
def test_images_are_known_by_their_magic_number(
    tmp_path: Path, data: bytes, artifact_type: str, fmt: str, content_type: str
) -> None:
    kind = sniff_file(_file(tmp_path, data))
    assert (kind.artifact_type, kind.format, kind.content_type) == (artifact_type, fmt, content_type)


@pytest.mark.parametrize(
    ("name", "artifact_type", "fmt"),
    [
        ("mp4", "video", "mp4"),
        ("webm", "video", "webm"),
        ("mov", "video", "mov"),
        ("wav", "audio", "wav"),
        ("mp3", "audio", "mp3"),
        ("flac", "audio", "flac"),
        ("m4a", "audio", "m4a"),
        ("ogg", "audio", "ogg"),
    ],
)
def test_audio_and_video_are_known_by_their_magic_number(
    av_files: dict[str, Path], name: str, artifact_type: str, fmt: str
) -> None:
    kind = sniff_file(av_files[name])
    assert (kind.artifact_type, kind.format) == (artifact_type, fmt)


def test_a_lying_extension_changes_nothing(tmp_path: Path, av_files: dict[str, Path]) -> None:
    assert sniff_file(_file(tmp_path, image_bytes("PNG"), "photo.jpg")).format == "png"
    assert sniff_file(_file(tmp_path, av_files["wav"].read_bytes(), "movie.mp4")).format == "wav"
    assert sniff_file(_file(tmp_path, b"just words\n", "picture.png")).format == "txt"


@pytest.mark.parametrize(
    ("text", "fmt", "content_type"),
    [
        ("A quiet harbour at dawn, fog over the water.\n", "txt", "text/plain; charset=utf-8"),
        ("# Shot list\n\n- wide\n- close\n", "md", "text/markdown; charset=utf-8"),
        ('{"prompt": "a cat", "seed": 7}', "json", "application/json"),
        ("Ünïcödé ✓ 日本語", "txt", "text/plain; charset=utf-8"),
        ("\ufeffwith a byte order mark", "txt", "text/plain; charset=utf-8"),
        ("{not json", "txt", "text/plain; charset=utf-8"),
        ("#hashtag is not a heading", "txt", "text/plain; charset=utf-8"),
    ],
    ids=["plain", "markdown", "json", "unicode", "bom", "broken-json", "hashtag"],
)
def test_utf8_text(tmp_path: Path, text: str, fmt: str, content_type: str) -> None:
    kind = sniff_file(_file(tmp_path, text.encode("utf-8")))
    assert (kind.artifact_type, kind.format, kind.content_type) == ("text", fmt, content_type)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00", "a ZIP archive"),
        (b"\x7fELF\x02\x01\x01\x00", "a program"),
        (b"", "an empty file"),
        (b"\x00\x01\x02\x03binary", "starts with the bytes 00 01 02 03"),
        ("latin-1 café".encode("latin-1"), "not a kind of file we recognise"),
        (b"....ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
    ],
    ids=["pdf", "zip", "elf", "empty", "binary", "latin-1", "heic"],
)
def test_what_we_do_not_store_is_named(tmp_path: Path, data: bytes, says: str) -> None:
    with pytest.raises(UnsupportedMedia) as refused:
        sniff_file(_file(tmp_path, data))
    assert says in str(refused.value)


def test_a_large_text_file_is_read_in_chunks(tmp_path: Path) -> None:
    # Three megabytes of text with a multi-byte character across every chunk boundary.
    path = _file(tmp_path, ("é" * 1_500_000).encode("utf-8"))
    assert sniff_file(path).format == "txt"
    _file(tmp_path, ("é" * 1_500_000).encode("utf-8") + b"\xff", "bad.txt")
    with pytest.raises(UnsupportedMedia):
        sniff_file(tmp_path / "bad.txt")
