"""The id of a media folder: kept in the folder, so apps that mount one folder agree and others never do."""

from __future__ import annotations

from pathlib import Path

from boards_desktop.media.storage_identity import ID_FILE_NAME, folder_storage_id
from boards_desktop.media.store import MediaStore


def test_one_folder_one_id_whoever_reads_it(tmp_path: Path) -> None:
    shared, other = tmp_path / "shared", tmp_path / "other"
    first = folder_storage_id(shared)
    assert first.startswith("folder:")
    assert folder_storage_id(shared) == first  # a second app on the same (mounted) folder
    assert MediaStore(shared).storage_id == first
    assert folder_storage_id(other) != first  # a folder of its own, whatever its path
    assert [p.name for p in shared.iterdir()] == [ID_FILE_NAME]  # nothing else left behind


def test_a_damaged_id_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / ID_FILE_NAME).write_text("not an id")
    made = folder_storage_id(tmp_path)
    assert made.startswith("folder:") and (tmp_path / ID_FILE_NAME).read_text().strip() == made
    assert folder_storage_id(tmp_path) == made


def test_a_bucket_is_named_by_its_url(tmp_path: Path) -> None:
    from boards_desktop.media.bucket import Bucket
    from boards_desktop.media.bucket_address import parse_bucket_url

    bucket = Bucket(parse_bucket_url("s3://team-media/boards"), {"AWS_REGION": "us-east-1"})
    assert MediaStore(tmp_path, bucket).storage_id == "s3://team-media/boards"
    assert not list(tmp_path.iterdir())  # no id file for a bucket
