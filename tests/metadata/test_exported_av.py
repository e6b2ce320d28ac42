"""Video and audio leave the app with how they were made and signed Content Credentials, through the real
app: a download and the zip export, on SQLite and PostgreSQL, from the media folder and a bucket. The
stored files never change. A signed video that comes back as an upload shows who signed it."""

from __future__ import annotations

import io
import json
import uuid

import c2pa
import pytest
from sqlalchemy import update

from boards_desktop.db.models import Generation
from boards_desktop.media import store_media
from boards_desktop.media.content_credentials import AI_SOURCE_TYPE, MIME_TYPES
from boards_desktop.media.export_metadata import SIGNED_IN_MEMORY
from boards_desktop.media.store import TMP_DIR, MediaStore
from tests.app_harness import AppClient
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import create_board, create_generation
from tests.media.samples import image_bytes
from tests.media.support import finish, read_raw
from tests.metadata.av_files import (
    decoded,
    large_video_bytes,
    mp3_bytes,
    mutagen_tags,
    pyav_tags,
    video_bytes,
    wav_bytes,
)
from tests.metadata.support import sha256, zip_entries
from tests.uploads.support import upload

FOUND = "query($id: UUID!) { generation(id: $id) { inputParams outputMetadata } }"
PARAMS = {"prompt": "Gulls over a grey sea, slow pan", "seed": 41, "steps": 24}
SOUND = "Gulls over a grey sea, slow pan\nSteps: 24, Seed: 41, Model: test-generator, Generator: test-generator"
VIDEO = SOUND.replace("Seed: 41, ", "Seed: 41, Size: 64x48, ")  # a video's size is known


def credentials(data: bytes, fmt: str) -> tuple[dict, str]:
    reader = c2pa.Reader(MIME_TYPES[fmt], io.BytesIO(data))
    report = json.loads(reader.json())
    state = str(reader.get_validation_state())
    reader.close()
    return report["manifests"][report["active_manifest"]], state


def created(active: dict) -> dict:
    actions = next(a for a in active["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]
    return next(action for action in actions if action["action"] == "c2pa.created")


async def generated(client: AppClient, board: str, original: bytes, artifact_type: str, parent: str | None = None):
    # The test generator makes pictures: the row is made a video's or a sound's as a job's would be.
    generation = await create_generation(client, board, PARAMS)
    stored = await store_media(
        client.services.media,
        board_id=board,
        generation_id=generation["id"],
        source=original,
        artifact_type=artifact_type,
    )
    await finish(client, generation["id"], stored)
    inputs = [] if parent is None else [{"generation_id": parent, "role": "image", "artifact_type": "image"}]
    async with client.services.database.write() as session:
        await session.execute(
            update(Generation)
            .where(Generation.id == uuid.UUID(generation["id"]))
            .values(artifact_type=artifact_type, input_artifacts=inputs)
        )
    return generation["id"], stored


@ENGINES_AND_BACKENDS
async def test_an_exported_video_carries_its_settings_and_signed_credentials_with_its_parent(client: AppClient):
    board = await create_board(client, "Sea")
    picture, _ = await generated(client, board, image_bytes("PNG"), "image")
    original = video_bytes("mp4")
    video, stored = await generated(client, board, original, "video", parent=picture)

    download = await client.http.get(stored.storage_url, params={"download": "true"})
    assert download.status_code == 200, download.text
    assert int(download.headers["content-length"]) == len(download.content)
    archive = await client.http.get("/api/exports/zip", params={"ids": f"{picture},{video}"})
    assert archive.status_code == 200, archive.text
    (in_zip,) = [data for name, data in zip_entries(archive.content).items() if name.endswith(".mp4")]

    for exported in (download.content, in_zip):
        tags = pyav_tags(exported)
        assert tags["parameters"] == tags["comment"] == VIDEO
        document = json.loads(tags["boards_provenance"])
        assert document["generation_id"] == video and document["board_id"] == board
        assert document["sha256"] == sha256(original)
        assert [parent["generation_id"] for parent in document["parents"]] == [picture]
        assert mutagen_tags(exported, "mp4")["----:com.apple.iTunes:parameters"] == VIDEO
        active, state = credentials(exported, "mp4")
        assert state == "Valid"
        assert created(active)["digitalSourceType"] == AI_SOURCE_TYPE
        assert created(active)["softwareAgent"]["name"] == "test-generator"
        assert [i["instance_id"] for i in active["ingredients"]] == [f"urn:boards-desktop:generation:{picture}"]
        assert decoded(exported) == decoded(original)

    # The stored file is the one that was generated, byte for byte, and the page plays it as stored.
    kept = await read_raw(client.services.media, stored.key)
    assert kept == original and sha256(kept) == stored.metadata()["sha256"]
    assert (await client.http.get(stored.storage_url)).content == original

    # The signed copy dropped back in: who signed it and with what it was made, shown as for a picture,
    # its settings read back, and linked into the lineage as a child of the video it was exported from.
    body = (await upload(client, board, download.content, filename="sea.mp4", artifact_type="video")).json()
    assert body["metadataFrom"] == "Boards Desktop" and body["linkedTo"] == [video]
    assert body["duplicateOf"] is None  # not the same bytes: the copy carries its metadata
    back = (await client.data(FOUND, {"id": body["id"]}))["generation"]
    assert back["inputParams"]["prompt"] == PARAMS["prompt"] and back["inputParams"]["seed"] == 41
    metadata = back["outputMetadata"]
    assert metadata["metadata_from"] == "Boards Desktop" and metadata["embedded_generation_id"] == video
    assert metadata["content_credentials"] == {
        "signed_by": "Boards Desktop on this computer",
        "issuer": "Boards Desktop",
        "claim_generator": "Boards Desktop",
        "state": "Valid",
        "problems": ["signingCredential.untrusted"],
        "ai_generated": True,
        "made_with": "test-generator",
    }


@ENGINES_AND_BACKENDS
async def test_a_video_too_large_to_sign_in_memory_is_signed_through_temporary_files(client: AppClient):
    board = await create_board(client, "Long takes")
    original = large_video_bytes()
    assert len(original) > SIGNED_IN_MEMORY
    video, stored = await generated(client, board, original, "video")
    download = await client.http.get(stored.storage_url, params={"download": "true"})
    assert download.status_code == 200 and int(download.headers["content-length"]) == len(download.content)
    archive = await client.http.get("/api/exports/zip", params={"ids": video})
    (in_zip,) = zip_entries(archive.content).values()
    for exported in (download.content, in_zip):
        assert credentials(exported, "mp4")[1] == "Valid"
        assert json.loads(pyav_tags(exported)["boards_provenance"])["generation_id"] == video
    assert decoded(download.content) == decoded(original)
    assert await read_raw(client.services.media, stored.key) == original
    assert not list((client.services.media.root / TMP_DIR).iterdir())  # the temporary copies are gone


@ENGINES_AND_BACKENDS
@pytest.mark.parametrize("fmt", ["wav", "mp3"])
async def test_exported_audio_carries_its_settings_and_signed_credentials(client: AppClient, fmt):
    board = await create_board(client, "Sounds")
    original = wav_bytes() if fmt == "wav" else mp3_bytes()
    generation_id, stored = await generated(client, board, original, "audio")
    assert stored.key.endswith(f".{fmt}")
    download = await client.http.get(stored.storage_url, params={"download": "true"})
    assert download.status_code == 200, download.text
    exported = download.content
    read = mutagen_tags(exported, fmt)
    assert read["TXXX:parameters"] == SOUND
    assert json.loads(read["TXXX:boards_provenance"])["generation_id"] == generation_id
    assert pyav_tags(exported)["parameters"] == SOUND
    active, state = credentials(exported, fmt)
    assert state == "Valid" and created(active)["softwareAgent"]["name"] == "test-generator"
    assert decoded(exported) == decoded(original)
    assert await read_raw(client.services.media, stored.key) == original


@ENGINES_AND_BACKENDS
@pytest.mark.parametrize("faststart", [False, True], ids=["moov-last", "moov-first"])
async def test_an_uploaded_video_streams_out_with_our_tags_but_no_credentials(client: AppClient, faststart):
    """An upload says nothing of how it was made: no credential claims an AI made it, and its copy is
    streamed from the stored file (from a bucket too): up to its moov and then the new one when the
    moov comes last, the new moov and then the rest when it comes first."""
    board = await create_board(client, "Uploads")
    original = video_bytes("mp4", faststart=faststart)
    body = (await upload(client, board, original, filename="mine.mp4", artifact_type="video")).json()
    download = await client.http.get(body["storageUrl"], params={"download": "true"})
    assert int(download.headers["content-length"]) == len(download.content)
    archive = await client.http.get("/api/exports/zip", params={"ids": body["id"]})
    (in_zip,) = zip_entries(archive.content).values()
    assert in_zip == download.content
    exported = download.content
    assert json.loads(pyav_tags(exported)["boards_provenance"])["generation_id"] == body["id"]
    # No prompt: the WebUI's text is an empty first line, then the settings known (the video's size).
    assert (
        mutagen_tags(exported, "mp4")["©cmt"] == "\nSize: 64x48, Model: user-upload-video, Generator: user-upload-video"
    )
    with pytest.raises(c2pa.C2paError):
        c2pa.Reader("video/mp4", io.BytesIO(exported))
    assert decoded(exported) == decoded(original)
    assert await read_raw(client.services.media, MediaStore.key_of_url(body["storageUrl"])) == original


async def test_a_sound_from_another_tool_brings_its_webui_parameters(client: AppClient):
    board = await create_board(client, "Found sounds")
    said = "rain on a tin roof\nNegative prompt: thunder\nSteps: 50, Seed: 1234, CFG scale: 7, Model: stable-audio-open"
    body = (
        await upload(client, board, mp3_bytes(tags={"parameters": said}), filename="rain.mp3", artifact_type="audio")
    ).json()
    assert body["metadataFrom"] == "Stable Diffusion WebUI" and body["linkedTo"] == []
    found = (await client.data(FOUND, {"id": body["id"]}))["generation"]["inputParams"]
    assert found["prompt"] == "rain on a tin roof" and found["negative_prompt"] == "thunder"
    assert found["seed"] == 1234 and found["steps"] == 50 and found["model"] == "stable-audio-open"
