"""What is stored, on either backend, seen from outside the app: tests assert on what is stored, not on paths.

The folder's files are read from the disk; the bucket's objects are listed and read from the S3
server with a client of the tests' own (obstore, built from the app's settings), never through the
app's backend, so a backend that lists or reads wrongly cannot hide its own mistake. The bucket's
client sees the whole bucket, so a test can also put objects under another prefix and check that
nothing of the app's touched them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

import obstore
import pytest
from obstore.store import S3Store

from boards_desktop.media.bucket import Bucket
from boards_desktop.media.bucket_address import parse_bucket_url
from boards_desktop.media.store import MediaStore
from tests.app_harness import AppClient
from tests.media.support import files_under
from tests.s3_server import ThrowawayS3


def stored_on(backend: str, root: Path, request: pytest.FixtureRequest) -> StoredObjects:
    """A MediaStore (no app) on `backend`, seen from outside: the folder `root`, or a fresh bucket
    staged through `root`."""
    if backend == "folder":
        return StoredObjects(MediaStore(root))
    server: ThrowawayS3 = request.getfixturevalue("s3_server")
    environment = server.environment(server.new_bucket())
    bucket = Bucket(parse_bucket_url(environment["BOARDS_STORAGE_URL"]), environment)
    return StoredObjects(MediaStore(root, bucket), environment)


class StoredObjects:
    """The published files of a store: keys below the store's root (folder) or prefix (bucket)."""

    def __init__(self, store: MediaStore, aws: Mapping[str, str] | None = None) -> None:
        self.store = store
        self.bucket_name: str | None = None
        self.prefix = ""
        self._client: S3Store | None = None
        bucket = store.bucket
        if bucket is not None:
            assert aws, "a bucket's objects are read with the settings' endpoint and keys"
            self.bucket_name, self.prefix = bucket.address.bucket, bucket.address.prefix
            self._client = S3Store(
                self.bucket_name,
                config={
                    "endpoint": aws["AWS_ENDPOINT_URL"],
                    "region": aws["AWS_REGION"],
                    "access_key_id": aws["AWS_ACCESS_KEY_ID"],
                    "secret_access_key": aws["AWS_SECRET_ACCESS_KEY"],
                },
                client_options={"allow_http": True},
            )

    @classmethod
    def of(cls, client: AppClient) -> StoredObjects:
        return cls(client.services.media, client.services.settings.storage_environment)

    @property
    def in_bucket(self) -> bool:
        return self._client is not None

    def _full(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    async def keys(self) -> set[str]:
        """Every published file's key (unfinished local writes, named with a leading dot, left out)."""
        return set(await self.sizes())

    async def sizes(self) -> dict[str, int]:
        if self._client is None:
            root = self.store.root
            return {
                key: (root / key).lstat().st_size
                for key in files_under(root)
                if not any(part.startswith(".") for part in key.split("/"))
            }
        start = self.prefix + "/" if self.prefix else ""
        return {key[len(start) :]: size for key, size in (await self.whole_bucket()).items() if key.startswith(start)}

    async def whole_bucket(self) -> dict[str, int]:
        """Every object in the bucket, under any prefix: full keys and sizes."""
        assert self._client is not None
        found: dict[str, int] = {}
        async for batch in obstore.list(self._client, None, chunk_size=1000):
            found.update((meta["path"], meta["size"]) for meta in batch)
        return found

    async def read(self, key: str) -> bytes:
        if self._client is None:
            return (self.store.root / key).read_bytes()
        return bytes(await (await obstore.get_async(self._client, self._full(key))).bytes_async())

    async def put(self, key: str, data: bytes = b"x" * 100, *, minutes_old: float = 0) -> str:
        """A file at `key` that the app did not write (a generator that wrote more than it said, a person).

        `minutes_old` ages it on the folder; a bucket's server sets Last-Modified itself, so there
        it is as new as the write (see the gc tests).
        """
        if self._client is None:
            path = self.store.root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if minutes_old:
                then = time.time() - minutes_old * 60
                os.utime(path, (then, then))
            return key
        await obstore.put_async(self._client, self._full(key), data)
        return key

    async def put_elsewhere(self, full_key: str, data: bytes = b"x" * 100) -> None:
        """An object in the same bucket outside the store's prefix (another team's, a person's)."""
        assert self._client is not None
        await obstore.put_async(self._client, full_key, data)

    def staged(self) -> set[str]:
        """Files on the local disk below the root that are not published (staging, `.tmp/`, `.part`)."""
        every = files_under(self.store.root)
        if self._client is None:
            return {key for key in every if any(part.startswith(".") for part in key.split("/"))}
        return every  # with a bucket, the folder only ever stages
