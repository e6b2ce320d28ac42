"""Media in an S3-compatible bucket (a real S3 server on loopback): uploads, gc, reads, settings, failures.

The tests that run on both backends (storing, serving, roles, deleting, gc, zip export, moves) are in
their own modules; these are what only a bucket has: multipart uploads, the bucket's dates for gc's
grace period, the settings that choose it, and what the user sees when it does not answer.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from boards_desktop.media import store_media
from boards_desktop.media.gc import collect_garbage
from boards_desktop.settings import SettingsError, load_settings
from tests.app_harness import AppClient, running_app
from tests.media.samples import image_bytes
from tests.media.support import create_board, create_generation, files_under, finish, published, put_raw
from tests.s3_server import SECRET_KEY, ThrowawayS3
from tests.uploads.samples import write_large_wav
from tests.uploads.support import upload

# Where files go does not depend on the engine: the app on SQLite, its media in a fresh bucket.
ON_A_BUCKET = pytest.mark.parametrize(("engine_name", "media_backend"), [("sqlite", "bucket")])


def _bucket_of(client: AppClient) -> str:
    return client.services.settings.storage_url.removeprefix("s3://").split("/", 1)[0]


@ON_A_BUCKET
async def test_a_large_upload_goes_up_in_parts_and_is_served_with_ranges(
    client: AppClient, s3_server: ThrowawayS3, tmp_path: Path
) -> None:
    wav = write_large_wav(tmp_path / "long.wav", 20 * 1024 * 1024)
    board = await create_board(client)
    with wav.open("rb") as stream:
        response = await client.http.post(
            "/api/uploads/artifact",
            data={"board_id": board, "artifact_type": "audio"},
            files={"file": ("long.wav", stream, "audio/wav")},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    key = body["storageUrl"].split("/api/storage/", 1)[1].split("?", 1)[0]

    head = s3_server.client().head_object(Bucket=_bucket_of(client), Key=f"team/{key}")
    assert head["ContentLength"] == wav.stat().st_size
    assert head["ETag"].strip('"').endswith("-3"), "20 MB in 8 MB parts: a multipart upload of three parts"

    size = wav.stat().st_size
    with wav.open("rb") as original:
        original.seek(size - 1000)
        tail = original.read()
    ranged = await client.http.get(body["storageUrl"], headers={"Range": "bytes=-1000"})
    assert ranged.status_code == 206 and ranged.content == tail
    assert ranged.headers["content-range"] == f"bytes {size - 1000}-{size - 1}/{size}"
    # Nothing is left on the local disk: the staging folder only held the file until it went up.
    assert files_under(client.services.media.root) == set()


@ON_A_BUCKET
async def test_an_image_upload_and_its_thumbnail_are_in_the_bucket(client: AppClient) -> None:
    board = await create_board(client)
    response = await upload(client, board, image_bytes("PNG", (800, 600)), filename="photo.png", mime="image/png")
    assert response.status_code == 200, response.text
    body = response.json()
    generation = body["id"]
    assert await published(client.services.media) == {
        f"{board}/{generation}/output.png",
        f"{board}/{generation}/output-thumb.webp",
    }
    thumbnail = await client.http.get(body["thumbnailUrl"])
    assert thumbnail.status_code == 200 and thumbnail.content[8:12] == b"WEBP"


@ON_A_BUCKET
async def test_text_results_and_inputs_are_read_back_from_the_bucket(client: AppClient) -> None:
    store = client.services.media
    board = await create_board(client)
    text = await store_media(
        store, board_id=board, generation_id=uuid.uuid4(), source=b"a story\n", artifact_type="text"
    )
    assert store.read_text(text.storage_url) == "a story\n"
    image = await store_media(
        store, board_id=board, generation_id=uuid.uuid4(), source=image_bytes("PNG"), artifact_type="image"
    )
    local = await store.local_file(image.key)  # what a generator gets for an input image
    assert local is not None and local.read_bytes() == image_bytes("PNG")
    assert await store.local_file(f"{board}/{uuid.uuid4()}/output.png") is None


@ON_A_BUCKET
async def test_gc_removes_unnamed_objects_and_keeps_named_live_and_foreign_ones(client: AppClient) -> None:
    store, database = client.services.media, client.services.database
    board = await create_board(client)
    named = await create_generation(client, board)
    stored = await store_media(
        store, board_id=board, generation_id=named, source=image_bytes("PNG"), artifact_type="image"
    )
    await finish(client, named, stored)
    live = await create_generation(client, board)  # pending: its job may still write
    await put_raw(store, f"{board}/{live}/output.png", b"being written")
    await put_raw(store, f"{board}/{named}/scratch.png", b"unnamed")
    await put_raw(store, f"{board}/{uuid.uuid4()}/output.png", b"generation deleted")
    await put_raw(store, f"{uuid.uuid4()}/{uuid.uuid4()}/output.png", b"board deleted")
    await put_raw(store, "notes/README.txt", b"a person's file")

    recent = await collect_garbage(database, store)  # everything is younger than the grace period
    assert recent.orphans == [] and recent.recent == 3 and recent.live == 1 and recent.foreign == 1

    listed = await collect_garbage(database, store, grace_minutes=0, dry_run=True)
    reasons = {
        orphan.key.split("/", 1)[1] if orphan.key.startswith(board) else "other": orphan.reason
        for orphan in listed.orphans
    }
    assert reasons[f"{named}/scratch.png"] == "its generation does not name it"
    assert len(listed.orphans) == 3 and not listed.removed

    removed = await collect_garbage(database, store, grace_minutes=0)
    assert removed.removed and len(removed.orphans) == 3
    assert await published(store) == {
        f"{board}/{named}/output.png",
        f"{board}/{named}/output-thumb.webp",
        f"{board}/{live}/output.png",
        "notes/README.txt",
    }
    assert (await client.http.get(stored.thumbnail_url)).status_code == 200


@ON_A_BUCKET
async def test_a_bucket_that_does_not_answer_fails_the_read_with_a_reason(
    tmp_path: Path, database_url: str, storage_environment: dict[str, str]
) -> None:
    closed = {**storage_environment, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # nothing listens on port 9
    async with running_app(database_url, tmp_path / "data", **closed) as app:
        board = await create_board(app)
        response = await app.http.get(f"/api/storage/{board}/{uuid.uuid4()}/output.png")
        assert response.status_code == 502
        assert "could not be read" in response.text and SECRET_KEY not in response.text

        refused = await upload(app, board, image_bytes("PNG"), filename="photo.png", mime="image/png")
        assert refused.status_code == 502, refused.text
        body = refused.json()
        assert body["code"] == "STORAGE_UNAVAILABLE" and "nothing was kept" in body["error"]
        assert storage_environment["BOARDS_STORAGE_URL"] in body["error"] and SECRET_KEY not in refused.text
        assert files_under(app.services.media.root) == set(), "the staged files went too"
        count = await app.data("query($b: UUID!) { board(id: $b) { generationCount } }", {"b": board})
        assert count["board"]["generationCount"] == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("s3://", "name the bucket"),
        ("s3://key:secret@bucket/prefix", "holds credentials"),
        ("s3://bucket/a//b", "empty, '.' or '..' folder"),
        ("gs://bucket/prefix", "gs:// is not a storage we can use"),
    ],
)
def test_bad_storage_urls_are_refused_with_what_to_write(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace(".", r"\.")) as refused:
        load_settings({"BOARDS_STORAGE_URL": value, "BOARDS_CONFIG_FILE": "/nonexistent/none.toml"})
    assert "secret" not in str(refused.value)


def test_a_folder_a_file_url_and_a_bucket_are_understood(tmp_path: Path) -> None:
    base = {"BOARDS_DATA_DIR": str(tmp_path), "BOARDS_CONFIG_FILE": str(tmp_path / "none.toml")}
    assert load_settings(base).storage_url is None
    assert load_settings({**base, "BOARDS_STORAGE_URL": str(tmp_path / "m")}).media_dir == tmp_path / "m"
    assert load_settings({**base, "BOARDS_STORAGE_URL": f"file://{tmp_path}/n"}).media_dir == tmp_path / "n"
    settings = load_settings(
        {**base, "BOARDS_STORAGE_URL": "s3://team-media/boards/", "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "HOME": "/x"}
    )
    assert settings.storage_url == "s3://team-media/boards"
    assert settings.storage_environment == {"AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    assert SECRET_KEY not in repr(settings)
