"""The streaming form parser on its own: any chunking, limits, and no file left behind on refusal."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from boards_desktop.media.multipart_form import (
    FormError,
    boundary_of,
    check_announced_size,
    receive_upload_form,
)
from tests.uploads.samples import png_bytes


def encoded_form(fields: dict[str, str], file: bytes | None, filename: str = "a.png") -> tuple[bytes, str]:
    files = {"file": (filename, file, "image/png")} if file is not None else None
    request = httpx.Request("POST", "http://x/", data=fields, files=files)
    return request.read(), request.headers["content-type"]


async def chunked(body: bytes, size: int):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def paths_in(folder: Path):
    return sorted(folder.rglob("*")) if folder.exists() else []


async def receive(body: bytes, content_type: str, folder: Path, *, chunk: int = 65536, limit: int = 1 << 20, **kwargs):
    return await receive_upload_form(
        chunked(body, chunk),
        boundary=boundary_of(content_type),
        file_field="file",
        new_file_path=lambda: folder / uuid.uuid4().hex,
        max_file_bytes=limit,
        **kwargs,
    )


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096, 1 << 20])
async def test_fields_and_file_survive_any_chunking(tmp_path: Path, chunk: int) -> None:
    image = png_bytes() * 40  # a few KiB, with bytes that look like line breaks here and there
    body, content_type = encoded_form({"board_id": "b", "user_description": "ünï\r\n--not a boundary"}, image)
    form = await receive(body, content_type, tmp_path, chunk=chunk)
    assert form.fields == {"board_id": "b", "user_description": "ünï\r\n--not a boundary"}
    assert form.file is not None
    assert form.file.path.read_bytes() == image
    assert form.file.size == len(image)
    assert form.file.filename == "a.png"
    assert form.file.content_type == "image/png"


async def test_the_size_limit_stops_the_file_and_removes_it(tmp_path: Path) -> None:
    body, content_type = encoded_form({"board_id": "b"}, b"\0" * 5000)
    with pytest.raises(FormError) as refused:
        await receive(body, content_type, tmp_path, chunk=512, limit=4096)
    assert refused.value.status == 413
    assert "upload limit of 0.00390625 MB" in refused.value.message
    assert [p for p in paths_in(tmp_path) if p.is_file()] == []


async def test_a_file_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    body, content_type = encoded_form({}, b"\1" * 4096)
    form = await receive(body, content_type, tmp_path, chunk=100, limit=4096)
    assert form.file is not None and form.file.size == 4096


def test_an_announced_length_over_the_limit_is_refused_up_front() -> None:
    check_announced_size(None, 100)
    check_announced_size(str(100 + 1024), 100)
    with pytest.raises(FormError) as refused:
        check_announced_size(str(10 * 1024 * 1024), 100)
    assert refused.value.status == 413
    with pytest.raises(FormError, match="not a number"):
        check_announced_size("lots", 100)


async def test_a_check_before_the_file_stops_it_before_any_byte_is_written(tmp_path: Path) -> None:
    body, content_type = encoded_form({"board_id": "typo"}, png_bytes())
    seen: list[dict] = []

    def refuse(fields) -> None:
        seen.append(dict(fields))
        raise ValueError("board_id is wrong")

    with pytest.raises(ValueError, match="board_id is wrong"):
        await receive(body, content_type, tmp_path, on_file_start=refuse)
    assert seen == [{"board_id": "typo"}]
    assert paths_in(tmp_path) == []


async def test_a_long_text_field_is_refused(tmp_path: Path) -> None:
    body, content_type = encoded_form({"user_description": "x" * 70_000}, png_bytes())
    with pytest.raises(FormError, match="'user_description' is longer than 64 KiB"):
        await receive(body, content_type, tmp_path)


async def test_a_truncated_body_is_refused_and_its_file_removed(tmp_path: Path) -> None:
    body, content_type = encoded_form({}, b"\2" * 10_000)
    with pytest.raises(FormError, match="malformed"):
        await receive(body[:-200], content_type, tmp_path, chunk=1000)
    assert [p for p in paths_in(tmp_path) if p.is_file()] == []


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        (None, "no Content-Type"),
        ("application/json", "got application/json"),
        ("multipart/form-data", "no boundary"),
        ("multipart/form-data; boundary=", "no boundary"),
    ],
)
def test_the_content_type_must_be_a_form_with_a_boundary(content_type: str | None, said: str) -> None:
    with pytest.raises(FormError, match=said):
        boundary_of(content_type)


def test_a_quoted_boundary_is_read() -> None:
    assert boundary_of('multipart/form-data; charset=utf-8; boundary="a b"') == b"a b"
