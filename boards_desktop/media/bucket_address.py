"""`BOARDS_STORAGE_URL=s3://bucket/prefix`, read and checked without loading the S3 client."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


class StorageUrlError(ValueError):
    """`BOARDS_STORAGE_URL` names no bucket we can use; the message says what to write instead."""


@dataclass(frozen=True)
class BucketAddress:
    bucket: str
    prefix: str  # "" or "a/b", no slashes at either end

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def parse_bucket_url(value: str) -> BucketAddress:
    """`s3://bucket` or `s3://bucket/prefix`; StorageUrlError for anything else."""
    parts = urlsplit(value)
    if parts.scheme != "s3":
        raise StorageUrlError(f"BOARDS_STORAGE_URL={value!r}: write s3://bucket/prefix, or a folder path")
    if "@" in parts.netloc or parts.password or parts.username:
        raise StorageUrlError(
            "BOARDS_STORAGE_URL holds credentials: give the bucket only (s3://bucket/prefix) and put the keys "
            "in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if parts.query or parts.fragment:
        raise StorageUrlError(f"BOARDS_STORAGE_URL={value!r}: a bucket URL has no '?' or '#' part")
    bucket = parts.netloc
    if not bucket:
        raise StorageUrlError(f"BOARDS_STORAGE_URL={value!r}: name the bucket, as in s3://my-team-media/boards")
    prefix = parts.path.strip("/")
    if any(segment in ("", ".", "..") for segment in prefix.split("/")) and prefix:
        raise StorageUrlError(f"BOARDS_STORAGE_URL={value!r}: the prefix has an empty, '.' or '..' folder")
    return BucketAddress(bucket, prefix)
