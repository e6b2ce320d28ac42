"""GET /api/exports/zip: readable generations' files in one streamed zip, each named readably."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from PIL import Image
from sqlalchemy import update

from boards_desktop.db import models
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient, app_environment
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import add_member, create_board, create_generation, my_id
from tests.grid.support import completed_with_files
from tests.media.support import put_raw, read_raw

EXPORT = "/api/exports/zip"
REPO = Path(__file__).resolve().parents[2]


async def _with_file(client: AppClient, board_id: str, name: str, data: bytes, params: dict | None = None) -> str:
    """A completed generation whose stored file is `data` under `name`, named by its row."""
    generation_id = (await create_generation(client, board_id, params if params is not None else {}))["id"]
    store = client.services.media
    key = f"{store.generation_prefix(board_id, generation_id)}/{name}"
    await put_raw(store, key, data)
    async with client.services.database.write() as session:
        await session.execute(
            update(models.Generation)
            .where(models.Generation.id == uuid.UUID(generation_id))
            .values(status="completed", storage_url=store.url_of(key))
        )
    return generation_id


def _zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.text
    return zipfile.ZipFile(io.BytesIO(response.content))


@ENGINES_AND_BACKENDS
async def test_a_zip_of_the_generations_files_named_by_prompt_and_id(client):
    board = await create_board(client, "Export")
    image = await completed_with_files(client, board, {"prompt": "A lighthouse at dusk, study #3"})
    text = await _with_file(client, board, "output.txt", b"a story\n" * 500, {"prompt": "Été à la plage"})
    nameless = await _with_file(client, board, "output.wav", b"RIFF" + bytes(4000), {})
    pending = (await create_generation(client, board))["id"]

    ids = ",".join([image["id"], text, nameless, pending])
    response = await client.http.get(EXPORT, params={"ids": ids, "filename": "My picks.zip"})
    archive = _zip_of(response)
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="My picks.zip"'
    assert response.headers["x-boards-skipped"] == "1"  # the pending one has no file yet
    entries = {info.filename: info for info in archive.infolist()}
    assert list(entries) == [
        f"a-lighthouse-at-dusk-study-3-{image['id'][:8]}.png",
        f"été-à-la-plage-{text[:8]}.txt",
        f"test-generator-{nameless[:8]}.wav",
    ]
    png, txt, wav = entries.values()
    assert png.compress_type == zipfile.ZIP_STORED  # compressed already
    assert txt.compress_type == wav.compress_type == zipfile.ZIP_DEFLATED
    stored = await read_raw(client.services.media, MediaStore.key_of_url(image["storageUrl"]))
    # The picture as stored, with how it was made written in (tests/metadata checks what it says).
    exported = archive.read(png)
    with Image.open(io.BytesIO(exported)) as picture, Image.open(io.BytesIO(stored)) as original:
        assert picture.tobytes() == original.tobytes()
        assert picture.text["parameters"].startswith("A lighthouse at dusk, study #3\n")  # type: ignore[attr-defined]
    assert archive.read(txt) == b"a story\n" * 500
    assert archive.testzip() is None


@ENGINES_AND_BACKENDS
async def test_a_name_beyond_ascii_and_the_default_name(client):
    board = await create_board(client)
    image = await completed_with_files(client, board)
    response = await client.http.get(EXPORT, params={"ids": image["id"], "filename": "Sélection/../été"})
    _zip_of(response)
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_t_.zip\"; filename*=UTF-8''%C3%A9t%C3%A9.zip"  # no folders, an extension
    )
    default = await client.http.get(EXPORT, params={"ids": image["id"]})
    assert default.headers["content-disposition"] == 'attachment; filename="boards-export.zip"'
    assert len(_zip_of(default).namelist()) == 1


@ENGINES_AND_BACKENDS
async def test_refusals_come_before_any_byte(client, other_client, media_backend):
    board = await create_board(client)
    image = await completed_with_files(client, board)
    private = await create_board(other_client, "Private")
    hidden = await completed_with_files(other_client, private)
    unknown = str(uuid.uuid4())
    pending = (await create_generation(client, board))["id"]
    cases = [
        ({"ids": f"{image['id']},{unknown}"}, 404, "NOT_FOUND", unknown),
        ({"ids": f"{image['id']},{hidden['id']}"}, 403, "FORBIDDEN", hidden["id"]),
        ({"ids": f"{image['id']},not-an-id"}, 400, "BAD_USER_INPUT", "'not-an-id' is not a generation id"),
        ({}, 400, "BAD_USER_INPUT", "ids is empty"),
        ({"ids": ",".join(str(uuid.uuid4()) for _ in range(1001))}, 400, "BAD_USER_INPUT", "at most 1000"),
        ({"ids": pending}, 404, "NOT_FOUND", "has a file to download yet"),
    ]
    for params, status, code, mention in cases:
        response = await client.http.get(EXPORT, params=params)
        assert response.status_code == status, (params, response.text)
        body = response.json()
        assert body["code"] == code and mention in body["error"], body
        assert "Private" not in body["error"]
    # Readable once they share the board: no longer refused. With a media folder per app its file is in
    # the other app's folder; with media in a bucket, every teammate's app has it.
    await add_member(other_client, private, await my_id(client), "VIEWER")
    shared = await client.http.get(EXPORT, params={"ids": hidden["id"]})
    if media_backend == "folder":
        assert shared.status_code == 404 and "has a file to download" in shared.json()["error"]
    else:
        assert _zip_of(shared).namelist() == [f"a-red-square-{hidden['id'][:8]}.png"]


@ENGINES_AND_BACKENDS
async def test_the_export_is_behind_the_security_gate(client):
    board = await create_board(client)
    image = await completed_with_files(client, board)
    no_token = await client.http.get(EXPORT, params={"ids": image["id"]}, headers={"Authorization": ""})
    assert no_token.status_code == 401
    foreign = await client.http.get(EXPORT, params={"ids": image["id"]}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403


async def _through_asgi(client: AppClient, path: str) -> tuple[int, dict[str, str], int, int]:
    """(status, headers, body messages, body bytes) of a GET straight through ASGI, the body discarded as it comes."""
    path_part, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path_part, "raw_path": path_part.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {client.token}".encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    answer = {"status": 0, "headers": {}, "messages": 0, "bytes": 0}
    requested = False
    done = asyncio.Event()

    async def receive() -> dict:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # as a server does: the next message is the client leaving
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["messages"] += 1
            answer["bytes"] += len(message.get("body", b""))
            if not message.get("more_body"):
                done.set()

    await client.app(scope, receive, send)
    return answer["status"], answer["headers"], answer["messages"], answer["bytes"]


@ENGINES_AND_BACKENDS
async def test_a_large_archive_streams_without_being_held_in_memory(client):
    board = await create_board(client)
    size = 24 * 1024 * 1024
    ids = [await _with_file(client, board, "output.mp4", os.urandom(size), {"prompt": f"clip {i}"}) for i in range(3)]
    path = f"{EXPORT}?ids={','.join(ids)}"
    await _through_asgi(client, f"{EXPORT}?ids={ids[0]}")  # warm up
    tracemalloc.start()
    status, headers, messages, sent = await _through_asgi(client, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status == 200 and "content-length" not in headers
    assert sent > 3 * size and messages > 100
    print(f"zip export: {peak / 1e6:.1f} MB peak for a {sent / 1e6:.0f} MB archive in {messages} chunks")
    assert peak < 8 * 1024 * 1024, f"{peak / 1e6:.1f} MB held for a {sent / 1e6:.0f} MB archive"


def test_a_thousand_ids_fit_in_the_served_url(tmp_path: Path) -> None:
    """The real server (uvicorn, h11) takes a URL naming 1,000 generations; it answers for each one."""
    data_dir = tmp_path / "data"
    environment = {**os.environ, **app_environment(f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}", data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "boards_desktop", "serve", "--port", "0"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _served_url(process)
        token = (data_dir / "api-token").read_text().strip()
        ids = [str(uuid.uuid4()) for _ in range(1000)]
        request = Request(f"{url}{EXPORT}?ids={','.join(ids)}", headers={"Authorization": f"Bearer {token}"})
        with pytest.raises(HTTPError) as refused:
            urlopen(request, timeout=30)
        assert refused.value.code == 404
        body = json.loads(refused.value.read())
        assert body["code"] == "NOT_FOUND" and "1000 more" not in body["error"] and "997 more" in body["error"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _served_url(process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "running at" in line:
            return line.rsplit(" ", 1)[-1].strip()
        if process.poll() is not None:
            raise AssertionError(process.stderr.read())
    raise AssertionError("the server did not print its URL")
