"""store_media: the type from the bytes, facts probed, thumbnails made, files written atomically.

On both backends (the `store` fixture): what is stored is checked through tests.media.stored_objects.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image

from boards_desktop.media import MediaKeyError, MediaStore, MediaTypeError, store_media
from tests.conftest import MEDIA_BACKENDS
from tests.media.samples import animated_gif, image_bytes, jpeg_with_orientation, media_files, write_audio, write_video
from tests.media.stored_objects import StoredObjects, stored_on

BOARD = str(uuid.uuid4())


@pytest.fixture(params=MEDIA_BACKENDS, name="objects")
def objects_on_each_backend(tmp_path: Path, request: pytest.FixtureRequest) -> StoredObjects:
    return stored_on(request.param, tmp_path / "media", request)


FOLDER_ONLY = pytest.mark.parametrize("objects", ["folder"], indirect=True)


@pytest.fixture
def store(objects: StoredObjects) -> MediaStore:
    return objects.store


@pytest.fixture(scope="module")
def av_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return media_files(tmp_path_factory.mktemp("av"))


async def _store(store: MediaStore, source: Path | bytes, artifact_type: str, **kwargs):
    return await store_media(
        store, board_id=BOARD, generation_id=uuid.uuid4(), source=source, artifact_type=artifact_type, **kwargs
    )


async def _files(objects: StoredObjects) -> list[str]:
    """What is stored, and any file left on the local disk (staging included)."""
    return sorted((await objects.keys()) | objects.staged())


async def _thumbnail(objects: StoredObjects, url: str | None) -> Image.Image:
    key = objects.store.key_of_url(url)
    assert key is not None
    image = Image.open(io.BytesIO(await objects.read(key)))
    assert image.format == "WEBP"
    return image


@pytest.mark.parametrize(
    ("data", "fmt", "content_type"),
    [
        (image_bytes("PNG", (300, 200)), "png", "image/png"),
        (image_bytes("JPEG", (300, 200)), "jpg", "image/jpeg"),
        (image_bytes("WEBP", (300, 200)), "webp", "image/webp"),
        (image_bytes("GIF", (300, 200)), "gif", "image/gif"),
        (image_bytes("AVIF", (300, 200)), "avif", "image/avif"),
    ],
    ids=["png", "jpeg", "webp", "gif", "avif"],
)
async def test_images_are_stored_under_the_extension_of_their_content(
    store: MediaStore, objects: StoredObjects, data: bytes, fmt: str, content_type: str
) -> None:
    generation = uuid.uuid4()
    stored = await store_media(store, board_id=BOARD, generation_id=generation, source=data, artifact_type="image")
    assert stored.key == f"{BOARD}/{generation}/output.{fmt}"
    assert stored.storage_url == f"/api/storage/{stored.key}"
    assert stored.thumbnail_url == f"/api/storage/{BOARD}/{generation}/output-thumb.webp"
    assert (stored.artifact_type, stored.format, stored.content_type) == ("image", fmt, content_type)
    assert (stored.width, stored.height, stored.size_bytes) == (300, 200, len(data))
    assert await objects.read(stored.key) == data
    assert (await _thumbnail(objects, stored.thumbnail_url)).size == (300, 200)
    assert stored.metadata() == {
        "format": fmt,
        "content_type": content_type,
        "size_bytes": len(data),
        "width": 300,
        "height": 200,
        "sha256": hashlib.sha256(data).hexdigest(),  # an upload of the same bytes is told so
        "dhash": stored.dhash,  # the perceptual hash (tests/metadata)
    }
    assert stored.dhash is not None and len(stored.dhash) == 16


async def test_thumbnails_are_512_on_the_longest_side_and_never_upscaled(
    store: MediaStore, objects: StoredObjects
) -> None:
    wide = await _store(store, image_bytes("PNG", (2048, 1024)), "image")
    assert (await _thumbnail(objects, wide.thumbnail_url)).size == (512, 256)
    tall = await _store(store, image_bytes("JPEG", (600, 1200)), "image")
    assert (await _thumbnail(objects, tall.thumbnail_url)).size == (256, 512)
    small = await _store(store, image_bytes("PNG", (100, 50)), "image")
    assert (await _thumbnail(objects, small.thumbnail_url)).size == (100, 50)


async def test_thumbnails_keep_transparency(store: MediaStore, objects: StoredObjects) -> None:
    stored = await _store(store, image_bytes("PNG", (800, 800), mode="RGBA", color=(0, 128, 0, 0)), "image")
    thumb = (await _thumbnail(objects, stored.thumbnail_url)).convert("RGBA")
    assert thumb.size == (512, 512)
    assert thumb.getpixel((10, 10))[3] == 0


async def test_thumbnails_are_turned_as_the_camera_said(store: MediaStore, objects: StoredObjects) -> None:
    # Stored 400x200, left half red; EXIF orientation 6 turns it a quarter clockwise: 200x400, red on top.
    stored = await _store(store, jpeg_with_orientation((400, 200), 6), "image")
    assert (stored.width, stored.height) == (200, 400)
    thumb = (await _thumbnail(objects, stored.thumbnail_url)).convert("RGB")
    assert thumb.size == (200, 400)
    top, bottom = thumb.getpixel((100, 50)), thumb.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


async def test_an_animated_gif_gets_its_first_frame(store: MediaStore, objects: StoredObjects) -> None:
    stored = await _store(store, animated_gif(), "image")
    assert stored.format == "gif" and (await _thumbnail(objects, stored.thumbnail_url)).size == (40, 30)


async def test_a_video_is_probed_and_gets_a_poster_frame(
    store: MediaStore, objects: StoredObjects, av_files: dict[str, Path]
) -> None:
    stored = await _store(store, av_files["mp4"], "video")
    assert (stored.format, stored.content_type) == ("mp4", "video/mp4")
    assert (stored.width, stored.height, stored.duration, stored.fps) == (96, 64, 2.0, 12.0)
    assert stored.sample_rate is None
    poster = (await _thumbnail(objects, stored.thumbnail_url)).convert("L")
    assert poster.size == (96, 64)
    # The clip fades from black to white over two seconds; the poster is taken about one second in.
    assert 80 < poster.getpixel((48, 32)) < 200
    assert stored.metadata()["duration"] == 2.0


@pytest.mark.parametrize(("name", "fmt"), [("webm", "webm"), ("mov", "mov")])
async def test_other_video_containers(
    store: MediaStore, objects: StoredObjects, av_files: dict[str, Path], name: str, fmt: str
) -> None:
    stored = await _store(store, av_files[name], "video")
    assert (stored.format, stored.width, stored.height, stored.fps) == (fmt, 96, 64, 12.0)
    assert stored.duration == pytest.approx(2.0, abs=0.1)
    assert (await _thumbnail(objects, stored.thumbnail_url)).size == (96, 64)


@pytest.mark.parametrize(
    ("name", "fmt", "content_type", "rate"),
    [
        ("wav", "wav", "audio/wav", 44100),
        ("mp3", "mp3", "audio/mpeg", 44100),
        ("flac", "flac", "audio/flac", 44100),
        ("m4a", "m4a", "audio/mp4", 44100),
        ("ogg", "ogg", "audio/ogg", 48000),
    ],
)
async def test_audio_is_probed(
    store: MediaStore, av_files: dict[str, Path], name: str, fmt: str, content_type: str, rate: int
) -> None:
    stored = await _store(store, av_files[name], "audio")
    assert (stored.format, stored.content_type, stored.thumbnail_url) == (fmt, content_type, None)
    assert (stored.sample_rate, stored.channels) == (rate, 2)
    assert stored.duration == pytest.approx(0.5, abs=0.06)
    assert stored.width is None and "width" not in stored.metadata()


async def test_mono_audio_and_an_audio_only_mp4(store: MediaStore, tmp_path: Path) -> None:
    mono = await _store(store, write_audio(tmp_path / "mono.wav", layout="mono", rate=22050, seconds=1.0), "audio")
    assert (mono.channels, mono.sample_rate, mono.duration) == (1, 22050, 1.0)
    # An MP4 holding only sound is audio, stored as .m4a, and refused as a video.
    sound = write_audio(tmp_path / "sound.mp4", container="mp4", codec="aac")
    assert (await _store(store, sound, "audio")).format == "m4a"
    with pytest.raises(MediaTypeError, match="the file is an M4A audio file, not a video"):
        await _store(store, sound, "video")


@pytest.mark.parametrize(
    ("source", "artifact_type", "message"),
    [
        ("png", "video", "the file is a PNG image, not a video"),
        ("png", "audio", "the file is a PNG image, not an audio file"),
        ("mp4", "image", "the file is an MP4 video, not an image"),
        ("mp4", "audio", "the file is an MP4 video, not an audio file"),
        ("wav", "video", "the file is a WAV audio file, not a video"),
        ("text", "image", "the file is a text file, not an image"),
        ("png", "text", "the file is a PNG image, not a text file"),
        ("pdf", "image", "the file is a PDF document, not an image"),
    ],
)
async def test_a_mismatch_is_refused_and_leaves_nothing(
    store: MediaStore, objects: StoredObjects, av_files: dict[str, Path], source: str, artifact_type: str, message: str
) -> None:
    data = {
        "png": image_bytes("PNG"),
        "text": b"a prompt, not a picture",
        "pdf": b"%PDF-1.7\n",
    }.get(source) or av_files[source].read_bytes()
    with pytest.raises(MediaTypeError) as refused:
        await _store(store, data, artifact_type)
    assert str(refused.value) == message
    assert (await _files(objects)) == []
    assert not any(store.root.glob("*/*")), "no empty generation folder is left either"


async def test_a_lying_file_name_does_not_matter(store: MediaStore, tmp_path: Path) -> None:
    fake = tmp_path / "holiday.mp4"
    fake.write_bytes(image_bytes("JPEG"))
    stored = await _store(store, fake, "image")
    assert stored.format == "jpg" and stored.key.endswith("/output.jpg")
    with pytest.raises(MediaTypeError, match="JPEG image, not a video"):
        await _store(store, fake, "video")


@pytest.mark.parametrize(
    ("data", "artifact_type", "message"),
    [
        (image_bytes("PNG", (400, 400))[:300], "image", "looks like a PNG image but cannot be read"),
        (image_bytes("JPEG")[:40], "image", "looks like a JPEG image but cannot be read"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + os.urandom(2000), "video", "cannot be read"),
        (b"RIFF\x24\x00\x00\x00WAVEjunkjunk", "audio", "cannot be read"),
    ],
    ids=["truncated-png", "truncated-jpeg", "garbage-mp4", "garbage-wav"],
)
async def test_a_corrupt_file_is_a_readable_refusal(
    store: MediaStore, objects: StoredObjects, data: bytes, artifact_type: str, message: str
) -> None:
    with pytest.raises(MediaTypeError, match=message):
        await _store(store, data, artifact_type)
    assert (await _files(objects)) == []


async def test_text_is_kept_whole(store: MediaStore, objects: StoredObjects) -> None:
    prose = "A lighthouse keeper's log, day 1.\n" * 2000
    stored = await _store(store, prose.encode(), "text", name="story")
    assert (stored.format, stored.thumbnail_url, stored.key.rsplit("/", 1)[1]) == ("txt", None, "story.txt")
    assert (await objects.read(stored.key)).decode() == prose
    assert (await _store(store, b'{"seed": 1}', "text")).format == "json"


async def test_move_consumes_the_source(store: MediaStore, objects: StoredObjects, tmp_path: Path) -> None:
    upload = store.temp_path(".upload")
    upload.write_bytes(image_bytes("PNG"))
    stored = await _store(store, upload, "image", move=True)
    assert not upload.exists() and await objects.read(stored.key) == image_bytes("PNG")
    # The moved file counts as new: garbage collection spares recent files only.
    assert time.time() - (await store.describe([stored.key]))[stored.key].modified < 60

    refused = store.temp_path(".upload")
    refused.write_bytes(b"not an image")
    with pytest.raises(MediaTypeError):
        await _store(store, refused, "image", move=True)
    assert not refused.exists(), "a refused upload leaves no file behind"

    kept = tmp_path / "mine.png"
    kept.write_bytes(image_bytes("PNG"))
    await _store(store, kept, "image")
    assert kept.exists(), "without move the source is copied"


async def test_bad_arguments_are_refused_before_anything_is_written(store: MediaStore, objects: StoredObjects) -> None:
    with pytest.raises(MediaKeyError, match="file name"):
        await _store(store, b"text", "text", name="../escape")
    with pytest.raises(MediaKeyError, match="file name"):
        await _store(store, b"text", "text", name="out.txt")
    with pytest.raises(MediaTypeError, match="not one of image, video, audio, text"):
        await _store(store, b"text", "lora")
    with pytest.raises(MediaKeyError, match="not a UUID"):
        await store_media(store, board_id="..", generation_id=uuid.uuid4(), source=b"x", artifact_type="text")
    assert not store.root.exists() or (await _files(objects)) == []


# Folder only: it watches the folder's renames; a bucket's object appears whole by one PUT (S3's promise).
@FOLDER_ONLY
async def test_no_partial_file_is_ever_visible_under_the_final_name(store: MediaStore) -> None:
    generation = uuid.uuid4()
    folder = store.root / store.generation_prefix(BOARD, generation)
    payload = b"0123456789abcdef\n" * (24 * 1024 * 1024 // 17)  # 24 MB of text
    seen: list[tuple[str, int]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            try:
                seen.extend((entry.name, entry.stat().st_size) for entry in os.scandir(folder))
            except FileNotFoundError:
                pass

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        stored = await store_media(
            store, board_id=BOARD, generation_id=generation, source=payload, artifact_type="text"
        )
    finally:
        done.set()
        watcher.join()
    final = [size for name, size in seen if name == "output.txt"]
    assert all(size == len(payload) for size in final), "the final name only ever held the whole file"
    assert any(name.startswith(".output.") and name.endswith(".part") for name, _ in seen), "the write was staged"
    assert os.listdir(folder) == ["output.txt"] and stored.size_bytes == len(payload)


# Folder only: the picture is decoded on the local disk whatever the backend; publishing is not timed here.
@FOLDER_ONLY
async def test_the_event_loop_keeps_running_while_a_large_image_is_processed(store: MediaStore) -> None:
    data = image_bytes("PNG", (3000, 3000), color=(10, 20, 30))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    await _store(store, data, "image")
    elapsed = time.perf_counter() - started
    ticker.cancel()
    assert ticks >= min(5, int(elapsed / 0.005) // 4), (ticks, elapsed)


async def test_two_outputs_of_one_generation_share_its_folder(
    store: MediaStore, objects: StoredObjects, tmp_path: Path
) -> None:
    generation = uuid.uuid4()
    clip = write_video(tmp_path / "clip.mp4", frames=6)
    first, second = await asyncio.gather(
        store_media(store, board_id=BOARD, generation_id=generation, source=image_bytes("PNG"), artifact_type="image"),
        store_media(store, board_id=BOARD, generation_id=generation, source=clip, artifact_type="video", name="clip"),
    )
    assert (await _files(objects)) == sorted(
        [
            first.key,
            first.key.replace("output.png", "output-thumb.webp"),
            second.key,
            second.key.replace(".mp4", "-thumb.webp"),
        ]
    )
