"""What leaves the app carries how it was made: read back with Pillow, an XML parser and exiftool.

Real generations through the real app (a title card and a resize of it run by the queue), exported
by the zip export and by a download, on SQLite and PostgreSQL. The stored files never change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from boards_desktop import __version__
from boards_desktop.media import store_media
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient, running_app
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import create_board, create_generation
from tests.jobs.support import new_board, queue, wait_for
from tests.media.samples import image_bytes
from tests.media.support import finish, read_raw
from tests.metadata.support import (
    EXIFTOOL,
    exiftool,
    pixels,
    png_texts,
    sha256,
    stored_path,
    user_comment,
    xmp_fields,
    zip_entries,
)
from tests.metadata.tool_files import WEBUI_PARAMETERS, webui_png
from tests.uploads.support import upload

EXPORT = "/api/exports/zip"


async def test_an_exported_png_carries_webui_parameters_and_its_provenance_with_its_parents_hashes(
    database_url, tmp_path
):
    async with running_app(database_url, tmp_path / "data") as client:
        board = await new_board(client, "Harbour")
        card = await queue(
            client, board, "local-title-card", {"prompt": "Harbour, at dawn", "width": 320, "height": 200}
        )
        card = await wait_for(client, card["id"], timeout=60)
        resized = await queue(
            client, board, "local-image-resize", {"image": card["id"], "mode": "longest_side", "size": 160}
        )
        resized = await wait_for(client, resized["id"], timeout=60)
        assert resized["status"] == "COMPLETED", resized
        stored = stored_path(client, resized["storageUrl"])
        original = stored.read_bytes()
        # Every stored result keeps its bytes' hash and, for a picture, its perceptual hash.
        for done in (card, resized):
            assert done["outputMetadata"]["sha256"] == sha256(stored_path(client, done["storageUrl"]).read_bytes())
            assert re.fullmatch(r"[0-9a-f]{16}", done["outputMetadata"]["dhash"])

        archive = await client.http.get(EXPORT, params={"ids": f"{card['id']},{resized['id']}"})
        assert archive.status_code == 200, archive.text
        entries = zip_entries(archive.content)
        exported = next(data for name, data in entries.items() if resized["id"][:8] in name)
        download = await client.http.get(resized["storageUrl"], params={"download": "true"})
        assert download.status_code == 200
        # Every way out gives the same file (but for the Content Credentials' signature, made anew each time).
        assert png_texts(download.content) == png_texts(exported)
        assert pixels(download.content) == pixels(exported)
        assert int(download.headers["content-length"]) == len(download.content)
        assert download.headers["cache-control"] == "no-store"

        texts = png_texts(exported)
        assert set(texts) == {"parameters", "boards_provenance"}
        card_texts = png_texts(next(data for name, data in entries.items() if card["id"][:8] in name))
        assert card_texts["parameters"].startswith("Harbour, at dawn\n")
        assert "Size: 320x200, Model: local-title-card" in card_texts["parameters"]
        provenance = json.loads(texts["boards_provenance"])
        assert provenance == {
            "format": "boards-desktop/provenance",
            "version": 1,
            "app": {"name": "Boards Desktop", "version": __version__},
            "generation_id": resized["id"],
            "board_id": board,
            "generator": "local-image-resize",
            "artifact_type": "image",
            "inputs": {"image": card["id"], "mode": "longest_side", "size": 160},
            "parents": [{"generation_id": card["id"], "role": "image", "sha256": card["outputMetadata"]["sha256"]}],
            "sha256": sha256(original),
            "created_at": provenance["created_at"],
        }
        assert pixels(exported) == pixels(original)  # the same picture; only blocks were added
        assert stored.read_bytes() == original  # and the stored file is as it was

        if EXIFTOOL:
            path = tmp_path / "exported.png"
            path.write_bytes(exported)
            read = exiftool(path)
            assert "ExifTool:Warning" not in read and "ExifTool:Error" not in read, read
            assert read["PNG:Parameters"] == texts["parameters"]
            assert json.loads(read["PNG:Boards_provenance"])["generation_id"] == resized["id"]


@ENGINES_AND_BACKENDS
@pytest.mark.parametrize("fmt", ["JPEG", "WEBP"])
async def test_an_exported_jpeg_or_webp_carries_xmp_and_the_webuis_exif_user_comment(client: AppClient, fmt, tmp_path):
    """Also with media in a bucket: the header is read by ranges, the signed copy from the object."""
    board = await create_board(client, "Photos")
    params = {
        "prompt": "Rain on a tin roof, close up",
        "negative_prompt": "people",
        "seed": 77,
        "steps": 12,
        "cfg": 4.5,
    }
    generation = await create_generation(client, board, params)
    original = image_bytes(fmt)
    stored = await store_media(
        client.services.media, board_id=board, generation_id=generation["id"], source=original, artifact_type="image"
    )
    await finish(client, generation["id"], stored)

    download = await client.http.get(stored.storage_url, params={"download": "true"})
    assert download.status_code == 200
    exported = download.content
    expected = (
        "Rain on a tin roof, close up\nNegative prompt: people\n"
        "Steps: 12, CFG scale: 4.5, Seed: 77, Size: 64x48, Model: test-generator, Generator: test-generator"
    )
    assert user_comment(exported) == expected  # what the WebUI's "PNG Info" reads from a JPEG or WebP
    fields = xmp_fields(exported)
    assert fields["description"] == fields["parameters"] == expected
    assert fields["tool"] == "Boards Desktop"
    assert fields["provenance"]["generation_id"] == generation["id"]
    assert fields["provenance"]["inputs"] == params
    assert fields["provenance"]["sha256"] == sha256(original)
    assert pixels(exported) == pixels(original)
    # The page's own display (no download) and the stored file are the stored bytes.
    assert (await client.http.get(stored.storage_url)).content == original
    assert await read_raw(client.services.media, stored.key) == original

    if EXIFTOOL:
        path = tmp_path / f"exported.{stored.format}"
        path.write_bytes(exported)
        read = exiftool(path)
        assert "ExifTool:Warning" not in read and "ExifTool:Error" not in read, read
        assert read["ExifIFD:UserComment"] == expected
        assert read["XMP-dc:Description"] == expected
        assert json.loads(read["XMP-boards:Provenance"])["generation_id"] == generation["id"]


@ENGINES_AND_BACKENDS
async def test_an_upload_keeps_the_parameters_it_came_with_and_gains_only_our_provenance(client: AppClient):
    """Also with media in a bucket: an upload is not signed, so its copy streams from the object."""
    board = await create_board(client, "Uploads")
    original = webui_png()
    response = await upload(client, board, original, filename="from-webui.png", mime="image/png")
    body = response.json()
    download = await client.http.get(body["storageUrl"], params={"download": "true"})
    exported = download.content
    assert int(download.headers["content-length"]) == len(exported)
    texts = png_texts(exported)
    assert texts["parameters"] == WEBUI_PARAMETERS  # the WebUI's own words, not ours on top
    assert json.loads(texts["boards_provenance"])["generation_id"] == body["id"]
    assert pixels(exported) == pixels(original)
    assert await read_raw(client.services.media, MediaStore.key_of_url(body["storageUrl"])) == original


async def test_thumbnails_and_unknown_formats_leave_as_stored(client: AppClient):
    board = await create_board(client, "Thumbs")
    generation = await create_generation(client, board, {"prompt": "a red square"})
    stored = await store_media(
        client.services.media,
        board_id=board,
        generation_id=generation["id"],
        source=image_bytes("PNG"),
        artifact_type="image",
    )
    await finish(client, generation["id"], stored)
    assert stored.thumbnail_url is not None
    thumbnail = await client.http.get(stored.thumbnail_url, params={"download": "true"})
    assert thumbnail.content == stored_path(client, stored.thumbnail_url).read_bytes()
    gif = await client.http.get(stored.storage_url, params={"download": "true"}, headers={"Range": "bytes=0-9"})
    assert gif.status_code == 200  # a download with provenance is sent whole, whatever range was asked
    assert "parameters" in png_texts(gif.content)


def test_the_bridge_saves_what_the_apps_download_sends(tmp_path: Path) -> None:
    import httpx

    from boards_desktop.desktop.bridge import BridgeError, DesktopBridge, bind_window
    from boards_desktop.settings import load_settings

    settings = load_settings({"BOARDS_DATA_DIR": str(tmp_path / "data"), "BOARDS_CONFIG_FILE": str(tmp_path / "none")})
    key = "0b6c1d7e-3f7b-4a55-9d6a-8f1f2b0c9e11/6a1e0f43-2c55-4d8c-b1c3-0e9b5d4a7f20/output.png"
    stored = settings.media_dir / key
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"stored bytes")
    (settings.data_dir / "api-token").write_text("t" * 43 + "\n")
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, content=b"bytes with provenance")

    class Window:
        def get_current_url(self) -> str:
            return "http://127.0.0.1:8123/#/boards/x"

    bridge = DesktopBridge(settings, "http://127.0.0.1:8123")
    bind_window(bridge, Window())
    bridge._transport = httpx.MockTransport(handler)
    target = tmp_path / "copy.png"
    bridge._ask_save_path = lambda name: str(target)
    assert bridge.save_as(f"/api/storage/{key}", "copy.png") == {"saved": str(target)}
    assert target.read_bytes() == b"bytes with provenance"
    assert asked[0].url.path == f"/api/storage/{key}" and asked[0].url.params["download"] == "true"
    assert asked[0].headers["authorization"] == "Bearer " + "t" * 43
    assert stored.read_bytes() == b"stored bytes"

    bridge._ask_save_path = lambda name: str(stored)
    with pytest.raises(BridgeError, match="the stored file itself"):
        bridge.save_as(key, "copy.png")
    assert stored.read_bytes() == b"stored bytes"


def test_the_bridge_saves_a_download_with_provenance_when_media_is_in_a_bucket(tmp_path: Path) -> None:
    """Save as asks the app for the download, which reads the bucket: no file on this disk is needed."""
    import httpx

    from boards_desktop.desktop.bridge import DesktopBridge, bind_window
    from boards_desktop.settings import load_settings

    settings = load_settings(
        {
            "BOARDS_DATA_DIR": str(tmp_path / "data"),
            "BOARDS_CONFIG_FILE": str(tmp_path / "none"),
            "BOARDS_STORAGE_URL": "s3://team-media/boards",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # never asked: the app reads the bucket, not the bridge
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "api-token").write_text("t" * 43 + "\n")
    key = "0b6c1d7e-3f7b-4a55-9d6a-8f1f2b0c9e11/6a1e0f43-2c55-4d8c-b1c3-0e9b5d4a7f20/output.png"
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, content=b"bytes with provenance")

    class Window:
        def get_current_url(self) -> str:
            return "http://127.0.0.1:8123/#/boards/x"

    bridge = DesktopBridge(settings, "http://127.0.0.1:8123")
    bind_window(bridge, Window())
    bridge._transport = httpx.MockTransport(handler)
    target = tmp_path / "copy.png"
    suggested: list[str] = []
    bridge._ask_save_path = lambda name: suggested.append(name) or str(target)
    assert bridge.save_as(f"/api/storage/{key}") == {"saved": str(target)}
    assert suggested == ["output.png"]
    assert target.read_bytes() == b"bytes with provenance"
    assert asked[0].url.path == f"/api/storage/{key}" and asked[0].url.params["download"] == "true"
