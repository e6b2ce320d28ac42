"""Keys, paths and URLs: a key never names a file outside the media root."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from boards_desktop.media.store import MediaKeyError, MediaStore
from tests.conftest import MEDIA_BACKENDS
from tests.media.stored_objects import stored_on

BOARD = "6f1c1f43-8c53-4c61-9d2f-2f4f7b1a9a01"
GENERATION = "0b7f9d5e-1f2a-4c3b-8d4e-5f6a7b8c9d0e"


# Folder only, but for deleting: paths, symbolic links and temporary files are the local folder's own
# (a bucket stages through the same folder, and its keys pass the same check_key).
@pytest.fixture
def store(tmp_path: Path) -> MediaStore:
    return MediaStore(tmp_path / "media")


def test_a_generation_has_a_folder_in_its_board(store: MediaStore) -> None:
    prefix = store.generation_prefix(uuid.UUID(BOARD), GENERATION.upper())
    assert prefix == f"{BOARD}/{GENERATION}"
    assert store.path_of(f"{prefix}/output.png") == store.root / BOARD / GENERATION / "output.png"


@pytest.mark.parametrize("bad", ["../etc", "not-a-uuid", "", "6f1c1f43/../.."])
def test_ids_must_be_uuids(store: MediaStore, bad: str) -> None:
    with pytest.raises(MediaKeyError, match="not a UUID"):
        store.generation_prefix(bad, GENERATION)
    with pytest.raises(MediaKeyError, match="not a UUID"):
        store.generation_prefix(BOARD, bad)


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("../secret.txt", "starting with '.'"),
        (f"{BOARD}/../../secret.txt", "starting with '.'"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("a\\..\\b", "backslash"),
        ("a/\x00/b", "NUL"),
        ("a//b", "empty folder name"),
        (".tmp/upload", "starting with '.'"),
        (f"{BOARD}/{GENERATION}/.output.1234.part", "starting with '.'"),
        ("", "empty"),
    ],
)
def test_keys_that_could_leave_the_root_are_refused(store: MediaStore, key: str, reason: str) -> None:
    with pytest.raises(MediaKeyError, match=reason):
        store.path_of(key)


def test_a_symbolic_link_pointing_out_is_refused(store: MediaStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    store.root.mkdir(parents=True)
    os.symlink(outside, store.root / BOARD)
    with pytest.raises(MediaKeyError, match="outside the media folder"):
        store.path_of(f"{BOARD}/secret.txt")
    # A link that stays inside the root is fine.
    inside = store.root / "shared"
    inside.mkdir()
    os.symlink(inside, store.root / "alias")
    assert store.path_of("alias/x.png") == inside / "x.png"


def test_urls_are_relative_and_round_trip(store: MediaStore) -> None:
    key = f"{BOARD}/{GENERATION}/my output #1.png"
    url = store.url_of(key)
    assert url == f"/api/storage/{BOARD}/{GENERATION}/my%20output%20%231.png"
    assert store.key_of_url(url) == key
    assert store.key_of_url(f"http://127.0.0.1:51234{url}?download=true") == key
    assert store.key_of_url("https://cdn.example.com/x.png") is None
    assert store.key_of_url(None) is None
    assert store.key_of_url("/api/storage/") is None


def test_temp_paths_are_fresh_and_on_the_roots_disk(store: MediaStore) -> None:
    first, second = store.temp_path(".upload"), store.temp_path(".upload")
    assert first != second
    assert first.parent == store.root / ".tmp" and first.parent.is_dir()
    assert first.name.endswith(".upload") and not first.exists()
    with pytest.raises(MediaKeyError):
        store.temp_path("/../escape")


@pytest.mark.parametrize("backend", MEDIA_BACKENDS)
async def test_deleting_a_generations_and_a_boards_files(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    objects = stored_on(backend, tmp_path / "media", request)
    store = objects.store
    other_generation, other_board = str(uuid.uuid4()), str(uuid.uuid4())
    kept = {f"{BOARD}/{other_generation}/output.png", f"{BOARD}/{other_generation}/output-thumb.webp"}
    # A board whose id begins like ours: a prefix is a folder, never the start of a name.
    kept_elsewhere = {f"{other_board}/{GENERATION}/output.png", f"{BOARD}0/{GENERATION}/output.png"}
    for key in [f"{BOARD}/{GENERATION}/output.png", f"{BOARD}/{GENERATION}/output-thumb.webp", *kept, *kept_elsewhere]:
        await objects.put(key)
    await store.delete_generation_files(BOARD, GENERATION)
    assert await objects.keys() == kept | kept_elsewhere
    assert not (store.root / BOARD / GENERATION).exists()
    await store.delete_generation_files(BOARD, GENERATION)  # already gone: nothing to do, no error
    await store.delete_board_files(BOARD)
    assert await objects.keys() == kept_elsewhere
    assert not (store.root / BOARD).exists()


async def test_deleting_a_linked_folder_removes_the_link_not_the_target(store: MediaStore, tmp_path: Path) -> None:
    target = store.root / "elsewhere"
    target.mkdir(parents=True)
    (target / "keep.png").write_bytes(b"x")
    os.symlink(target, store.root / BOARD)
    await store.delete_board_files(BOARD)
    assert not (store.root / BOARD).exists()
    assert (target / "keep.png").exists()
