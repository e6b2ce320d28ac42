"""GET /api/storage/{key} through the real app: types, ranges, caching, downloads, and refusals."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest

from boards_desktop.media import store_media
from tests.app_harness import AppClient
from tests.conftest import MEDIA_BACKENDS
from tests.media.samples import image_bytes, write_video
from tests.media.support import create_board

# The database plays no part in serving files: these run on SQLite only, on both media backends.
pytestmark = [
    pytest.mark.parametrize("engine_name", ["sqlite"]),
    pytest.mark.parametrize("media_backend", MEDIA_BACKENDS),
]

BOARD = str(uuid.uuid4())


async def _stored(client: AppClient, source: bytes | Path, artifact_type: str = "image", name: str = "output"):
    # On a board of the database: a file is served only to someone who may read its board.
    return await store_media(
        client.services.media,
        board_id=await create_board(client),
        generation_id=uuid.uuid4(),
        source=source,
        artifact_type=artifact_type,
        name=name,
    )


async def test_a_stored_image_and_its_thumbnail_are_served(client: AppClient) -> None:
    data = image_bytes("PNG", (900, 600))
    stored = await _stored(client, data)
    response = await client.http.get(stored.storage_url)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"].startswith('"') and response.headers["last-modified"].endswith("GMT")
    assert "content-disposition" not in response.headers
    thumb = await client.http.get(stored.thumbnail_url)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert thumb.content[:4] == b"RIFF" and thumb.content[8:12] == b"WEBP"


async def test_text_is_served_as_text_even_when_it_looks_like_html(client: AppClient) -> None:
    stored = await _stored(client, b"<html><script>alert(1)</script></html>", "text")
    response = await client.http.get(stored.storage_url)
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_range_requests_return_exact_bytes(client: AppClient, tmp_path: Path) -> None:
    clip = write_video(tmp_path / "clip.mp4", frames=48)
    data = clip.read_bytes()
    size = len(data)
    stored = await _stored(client, clip, "video")
    url = stored.storage_url

    for header, start, end in [
        ("bytes=0-99", 0, 99),  # the first bytes
        (f"bytes={size // 3}-{2 * size // 3}", size // 3, 2 * size // 3),  # the middle
        ("bytes=100-", 100, size - 1),
        ("bytes=-50", size - 50, size - 1),
        (f"bytes=10-{size + 1000}", 10, size - 1),  # an end past the file is cut to the file
        (f"bytes={size - 1}-{size - 1}", size - 1, size - 1),
    ]:
        response = await client.http.get(url, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == data[start : end + 1], header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}", header
        assert response.headers["content-length"] == str(end - start + 1), header
        assert response.headers["content-type"] == "video/mp4"


async def test_ranges_of_a_large_file_cross_its_chunks_exactly(client: AppClient) -> None:
    data = os.urandom(1024 * 1024).hex().encode()  # two megabytes, eight of the readers' 256 KB chunks
    stored = await _stored(client, data, "text")
    size = len(data)
    chunk = 256 * 1024
    for start, end in [(chunk - 7, 3 * chunk + 5), (size - chunk - 1, size - 1), (0, chunk)]:
        response = await client.http.get(stored.storage_url, headers={"Range": f"bytes={start}-{end}"})
        assert response.status_code == 206 and response.content == data[start : end + 1], (start, end)
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}"
    suffix = await client.http.get(stored.storage_url, headers={"Range": f"bytes=-{chunk + 3}"})
    assert suffix.status_code == 206 and suffix.content == data[-(chunk + 3) :]


async def test_unsatisfiable_and_ignored_ranges(client: AppClient) -> None:
    data = image_bytes("PNG")
    stored = await _stored(client, data)
    size = len(data)
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        response = await client.http.get(stored.storage_url, headers={"Range": header})
        assert response.status_code == 416, header
        assert response.headers["content-range"] == f"bytes */{size}"
        assert response.content != data
    # Several ranges, or nonsense, get the whole file (a server may ignore Range).
    for header in ("bytes=0-1,5-6", "lines=1-2", "bytes=5-2", "bytes=x-y"):
        response = await client.http.get(stored.storage_url, headers={"Range": header})
        assert (response.status_code, response.content) == (200, data), header
    # If-Range with another version's tag: the whole (current) file.
    response = await client.http.get(stored.storage_url, headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert (response.status_code, response.content) == (200, data)
    etag = response.headers["etag"]
    response = await client.http.get(stored.storage_url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert (response.status_code, response.content) == (206, data[:4])


async def test_conditional_requests(client: AppClient) -> None:
    stored = await _stored(client, image_bytes("PNG"))
    first = await client.http.get(stored.storage_url)
    again = await client.http.get(stored.storage_url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    since = await client.http.get(stored.storage_url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert since.status_code == 304
    stale = await client.http.get(stored.storage_url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


async def test_head_gives_the_headers_only(client: AppClient) -> None:
    data = image_bytes("PNG")
    stored = await _stored(client, data)
    response = await client.http.head(stored.storage_url)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("filename", "disposition"),
    [
        ("sunset.png", 'attachment; filename="sunset.png"'),
        ("sunset", 'attachment; filename="sunset.png"'),  # the stored file's extension is added
        ("../../etc/passwd", 'attachment; filename="passwd.png"'),
        ('a"b<c>d|e?.png', 'attachment; filename="a_b_c_d_e_.png"'),
        ("C:\\Users\\x\\évé.png", "attachment; filename=\"_v_.png\"; filename*=UTF-8''%C3%A9v%C3%A9.png"),
        ("日本.png", "attachment; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png"),
        ("line\r\nInjected: yes.png", 'attachment; filename="line__Injected_ yes.png"'),
        (" ... ", 'attachment; filename="output.png"'),
    ],
)
async def test_downloads_get_a_safe_file_name(client: AppClient, filename: str, disposition: str) -> None:
    stored = await _stored(client, image_bytes("PNG"))
    response = await client.http.get(stored.storage_url, params={"download": "true", "filename": filename})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == disposition
    assert "injected" not in {name.lower() for name in response.headers}


async def test_download_without_a_name_uses_the_stored_one(client: AppClient) -> None:
    stored = await _stored(client, image_bytes("JPEG"), name="portrait")
    response = await client.http.get(stored.storage_url, params={"download": "true"})
    assert response.headers["content-disposition"] == 'attachment; filename="portrait.jpg"'
    response = await client.http.get(stored.storage_url, params={"download": "maybe"})
    assert response.status_code == 400 and "download=true or download=false" in response.text


async def test_a_missing_file_is_404(client: AppClient) -> None:
    response = await client.http.get(f"/api/storage/{BOARD}/{uuid.uuid4()}/output.png")
    assert response.status_code == 404
    response = await client.http.get(f"/api/storage/{BOARD}")  # a folder is not a file
    assert response.status_code == 404


async def test_keys_outside_the_media_root_are_refused(client: AppClient, tmp_path: Path) -> None:
    media = client.services.media.root
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    (tmp_path / "data" / "secret.txt").write_text("TOP SECRET")  # the data folder holds the media folder
    media.mkdir(parents=True, exist_ok=True)
    os.symlink(tmp_path, media / "escape")
    os.symlink(secret, media / "secret-link.txt")
    upload = client.services.media.temp_path(".upload")
    upload.write_text("TOP SECRET")  # a half-finished upload is not served either
    attempts = [
        "/api/storage/%2e%2e/secret.txt",
        "/api/storage/%2E%2E/%2E%2E/secret.txt",
        "/api/storage/..%2fsecret.txt",
        "/api/storage/..%2F..%2Fsecret.txt",
        "/api/storage/%2fetc%2fpasswd",
        f"/api/storage/{'%2f' + str(tmp_path).lstrip('/').replace('/', '%2f')}%2fsecret.txt",
        "/api/storage/..%5c..%5csecret.txt",
        "/api/storage/escape/secret.txt",
        "/api/storage/secret-link.txt",
        f"/api/storage/.tmp/{upload.name}",
        "/api/storage/%00",
    ]
    for url in attempts:
        response = await client.http.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
        assert "TOP SECRET" not in response.text, url


async def test_a_large_file_is_streamed_in_chunks(client: AppClient) -> None:
    text = os.urandom(3 * 1024 * 1024).hex().encode()  # six megabytes of text
    stored = await _stored(client, text, "text")
    # Spoken to at the ASGI level: an HTTP client would gather the body before handing it over.
    token = client.http.headers["authorization"].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": stored.storage_url,
        "raw_path": stored.storage_url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", token)],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    messages = []
    requested, finished = False, asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await finished.wait()  # as a server does: the client is gone once the response is complete
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            finished.set()

    await client.app(scope, receive, send)
    assert messages[0]["status"] == 200
    bodies = [len(message.get("body", b"")) for message in messages[1:]]
    assert sum(bodies) == len(text)
    assert len(bodies) > 1 and max(bodies) <= 256 * 1024, "sent a chunk at a time, never the whole file at once"


async def test_a_malformed_or_overlong_key_is_a_404_that_touches_nothing(client: AppClient) -> None:
    attempts = [
        "/api/storage/" + "/".join(["a" * 200] * 30),  # longer than any path the file system takes
        "/api/storage/" + "a" * 300,  # a name longer than a file system's 255 bytes
        "/api/storage/" + "/".join(["abc"] * 30),
        "/api/storage/" + "/".join(["\u00e9"] * 30),
        "/api/storage/a/%00b",
        "/api/storage/a//b",
        "/api/storage/%ED%A0%80/x.png",  # the UTF-8 bytes of a lone surrogate
    ]
    for url in attempts:
        response = await client.http.get(url)
        assert response.status_code == 404, (url, response.status_code, response.text[:200])
        assert response.json()["detail"].startswith("No media at"), url
        assert len(response.text) < 600, url  # the key is shown shortened


async def test_odd_query_strings_on_a_stored_file_are_the_callers_error(client: AppClient) -> None:
    stored = await _stored(client, b"hello", "text")
    for query in ("download=true&filename=%ED%A0%80.txt", "download=true&filename=" + "n" * 5000, "download=%FF"):
        response = await client.http.get(f"{stored.storage_url}?{query}")
        assert response.status_code in (200, 400), (query, response.status_code, response.text[:200])
