"""Published media in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, Backblaze B2).

`BOARDS_STORAGE_URL=s3://bucket/prefix` puts every published file at `<prefix>/<key>` in the
bucket, so every teammate's app on the same database reads the results any of them made. The
endpoint, region and credentials come from the standard variables (`AWS_ENDPOINT_URL`,
`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), else the config
file or the OS keyring (media.bucket_credentials); they are handed to the client and kept nowhere
else, so neither the API nor the logs can show them.

The protocol is spoken by obstore (bindings to the Rust `object_store` crate): async, one small
wheel with no Python dependencies, multipart uploads of large files and ranged reads built in.

An object is written by one PUT (a multipart upload for files over `_PART_SIZE`), which S3 makes
visible whole or not at all: the atomic rename of the local folder. Keys never change content
(a generation's files are written once), so a read needs no coordination with writers.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import obstore
from obstore.exceptions import BaseError
from obstore.store import S3Store

from boards_desktop.media.backend import MediaBackend, ObjectFacts, ObjectReader, StoredObject
from boards_desktop.media.bucket_address import BucketAddress, parse_bucket_url

if TYPE_CHECKING:
    from obstore import ObjectMeta
    from obstore.store import ClientConfig, S3Config

    from boards_desktop.settings import Settings

log = logging.getLogger("boards.media")

# The variables the S3 client reads; anything else in the environment is not passed on.
AWS_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)
_CONFIG_OF = {
    "AWS_ENDPOINT_URL": "endpoint",
    "AWS_ENDPOINT_URL_S3": "endpoint",
    "AWS_REGION": "region",
    "AWS_DEFAULT_REGION": "region",
    "AWS_ACCESS_KEY_ID": "access_key_id",
    "AWS_SECRET_ACCESS_KEY": "secret_access_key",
    "AWS_SESSION_TOKEN": "token",
}
# What obstore raises: its own errors, and built-in ones (FileNotFoundError, ValueError) for some.
_FAILURES = (BaseError, OSError, ValueError)
_PART_SIZE = 8 * 1024 * 1024  # a file larger than this is sent as a multipart upload, parts in parallel
_READ_CHUNK = 256 * 1024
_SEEKABLE_BUFFER = 1024 * 1024  # a picture's header and, for most pictures, all of its chunk headers
_DELETE_BATCH = 1000  # what one DeleteObjects request takes
_PARALLEL_HEADS = 16  # the facts of a zip export's files are asked for this many at a time


class BucketError(ConnectionError):
    """The bucket refused or did not answer; the message names the key and the reason (never credentials).

    A ConnectionError: a job whose result could not be uploaded is retried, as after a network failure.
    """


class Bucket(MediaBackend):
    is_local = False

    def __init__(self, address: BucketAddress, aws: Mapping[str, str]) -> None:
        self.address = address
        config: S3Config = {}
        for variable in AWS_VARIABLES:  # later names win: AWS_ENDPOINT_URL_S3, AWS_REGION
            if aws.get(variable):
                config[_CONFIG_OF[variable]] = aws[variable]  # type: ignore[literal-required]
        endpoint = str(config.get("endpoint", ""))
        client_options: ClientConfig = {
            # A bucket that does not answer is said so in seconds, not after the default three minutes
            # of retries: a page waiting on thumbnails should show the reason.
            "connect_timeout": timedelta(seconds=5),
            # A whole request, body included: a video streamed to a player that pauses takes long.
            # Cut then, the player asks again with a Range from where it stopped.
            "timeout": timedelta(minutes=10),
            # http:// endpoints (a MinIO on the office network, a test server) must be allowed by name.
            "allow_http": endpoint.startswith("http://"),
        }
        self._store = S3Store(
            address.bucket,
            prefix=address.prefix or None,
            config=config,
            client_options=client_options,
            retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=30)},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Bucket:
        """The bucket of `BOARDS_STORAGE_URL`, its keys from the environment, the config file or the OS
        keyring (media.bucket_credentials; blocking when the keyring is read)."""
        from boards_desktop.media.bucket_credentials import resolve

        assert settings.storage_url is not None
        credentials = resolve(settings)
        kept_elsewhere = sorted({source for source in credentials.sources.values() if source != "environment"})
        if kept_elsewhere:
            log.info("the bucket's settings come partly from the %s", " and the ".join(kept_elsewhere))
        if not credentials.values.get("AWS_SECRET_ACCESS_KEY"):
            log.warning(
                "no secret key for %s: set AWS_SECRET_ACCESS_KEY, the config file's [storage] secret_access_key, "
                "or store it with boards-desktop storage credentials%s",
                settings.storage_url,
                f" ({credentials.keyring_problem})" if credentials.keyring_problem else "",
            )
        return cls(parse_bucket_url(settings.storage_url), credentials.values)

    @property
    def location(self) -> str:
        return self.address.url

    # --- writing ---------------------------------------------------------------------------

    async def publish(self, parts: list[tuple[Path, str]]) -> None:
        while parts:
            part, key = parts[0]
            await self.put_file(key, part)
            # In the event loop: an unlink takes microseconds, while a thread hop would queue behind
            # every thumbnail being made (the default executor's few threads), delaying the completion.
            part.unlink(missing_ok=True)
            parts.pop(0)

    async def put_file(self, key: str, path: Path) -> None:
        # From the file, never all in memory: a multipart upload in _PART_SIZE parts when it is larger.
        await _translated(obstore.put_async(self._store, key, path, chunk_size=_PART_SIZE, max_concurrency=4), key)

    async def copy(self, source: str, destination: str) -> None:
        """A server-side copy: the bytes do not pass through this machine."""
        await _translated(obstore.copy_async(self._store, source, destination), source)

    async def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            await _translated(obstore.delete_async(self._store, keys[start : start + _DELETE_BATCH]), keys[start])

    async def delete_prefix(self, prefix: str) -> None:
        keys = [meta.key for meta in await self.list(prefix + "/")]
        if keys:
            await self.delete(keys)

    # --- reading ---------------------------------------------------------------------------

    async def list(self, prefix: str = "") -> list[Listed]:
        found: list[Listed] = []
        try:
            async for batch in obstore.list(self._store, prefix or None, chunk_size=1000):
                found.extend(_listed(meta) for meta in batch)
        except _FAILURES as exc:  # a refusal, a bad configuration, an endpoint that does not answer
            raise BucketError(f"cannot list {self.location}/{prefix}: {_reason(exc)}") from None
        return found

    async def open(self, key: str) -> StoredObject | None:
        try:
            meta = await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return None
        except _FAILURES as exc:
            raise BucketError(f"cannot read {key} from {self.location}: {_reason(exc)}") from None
        return StoredObject(
            key=key,
            size=meta["size"],
            modified=meta["last_modified"].timestamp(),
            etag=_quoted(meta["e_tag"], meta),
            reader=_BucketReader(self._store, key, meta["e_tag"]),
        )

    async def describe(self, keys: Sequence[str]) -> dict[str, ObjectFacts]:
        limit = asyncio.Semaphore(_PARALLEL_HEADS)

        async def head(key: str) -> tuple[str, ObjectFacts | None]:
            async with limit:
                try:
                    meta = await obstore.head_async(self._store, key)
                except FileNotFoundError:
                    return key, None
                except _FAILURES as exc:
                    raise BucketError(f"cannot read {key} from {self.location}: {_reason(exc)}") from None
                return key, ObjectFacts(meta["size"], meta["last_modified"].timestamp())

        found = await asyncio.gather(*(head(key) for key in dict.fromkeys(keys)))
        return {key: facts for key, facts in found if facts is not None}

    def open_seekable_now(self, key: str) -> BinaryIO | None:
        try:
            meta = obstore.head(self._store, key)
        except FileNotFoundError:
            return None
        except _FAILURES as exc:
            raise BucketError(f"cannot read {key} from {self.location}: {_reason(exc)}") from None
        ranged = _RangedObject(self._store, key, meta["size"], meta["e_tag"], self.location)
        # A range request per buffer's worth, not per read: a PNG's chunk headers are a few bytes each.
        return io.BufferedReader(ranged, buffer_size=_SEEKABLE_BUFFER)

    def read_text_now(self, key: str) -> str:
        try:
            return bytes(obstore.get(self._store, key).bytes()).decode("utf-8")
        except _FAILURES as exc:
            raise BucketError(f"cannot read {key} from {self.location}: {_reason(exc)}") from None

    async def local_file(self, key: str, scratch: Callable[[], Path]) -> Path | None:
        stored = await self.open(key)
        if stored is None:
            return None
        path = scratch()
        try:
            with path.open("wb") as out:
                async for chunk in stored.read():
                    await asyncio.to_thread(out.write, chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path  # in `.tmp/`, which housekeeping empties of old files


@dataclass(frozen=True)
class Listed:
    key: str
    size: int
    modified: float


def _listed(meta: ObjectMeta) -> Listed:
    return Listed(meta["path"], meta["size"], meta["last_modified"].timestamp())


class _BucketReader(ObjectReader):
    def __init__(self, store: S3Store, key: str, etag: str | None) -> None:
        self._store = store
        self._key = key
        self._etag = etag

    async def read(self, start: int, end: int) -> AsyncIterator[bytes]:
        if end < start:
            return
        # If-Match: the bytes of the object that was looked at, never of one written since under the same key.
        options: Any = {"range": (start, end + 1)}
        if self._etag:
            options["if_match"] = self._etag
        try:
            result = await obstore.get_async(self._store, self._key, options=options)
            # The network's pieces gathered to at least a chunk, then cut to at most one: memory stays bounded.
            async for piece in result.stream(min_chunk_size=_READ_CHUNK):
                view = memoryview(piece)
                for start_at in range(0, len(view), _READ_CHUNK):
                    yield bytes(view[start_at : start_at + _READ_CHUNK])
        except _FAILURES as exc:
            # The status and headers are sent already: the client sees a short body, and we say why.
            log.warning("reading %s from the bucket stopped: %s", self._key, _reason(exc))

    async def close(self) -> None:
        pass  # nothing is open until read() starts


class _RangedObject(io.RawIOBase):
    """An object read by ranges, in the calling thread (media.embed reads a picture's header this way)."""

    def __init__(self, store: S3Store, key: str, size: int, etag: str | None, location: str) -> None:
        self._store = store
        self._key = key
        self._size = size
        self._etag = etag
        self._location = location
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: Any) -> int:
        end = min(self._position + len(buffer), self._size)
        if end <= self._position:
            return 0
        # If-Match: the bytes of the object that was looked at, never of one written since under the same key.
        options: Any = {"range": (self._position, end)}
        if self._etag:
            options["if_match"] = self._etag
        try:
            data = bytes(obstore.get(self._store, self._key, options=options).bytes())
        except _FAILURES as exc:
            raise BucketError(f"cannot read {self._key} from {self._location}: {_reason(exc)}") from None
        view = memoryview(buffer).cast("B")
        view[: len(data)] = data
        self._position += len(data)
        return len(data)


def _quoted(etag: str | None, meta: ObjectMeta) -> str:
    if etag:
        return etag if etag.startswith(('"', 'W/"')) else f'"{etag}"'
    modified: datetime = meta["last_modified"]
    return f'"{meta["size"]:x}-{int(modified.timestamp() * 1e6):x}"'


def _reason(exc: BaseException) -> str:
    # obstore's messages carry a debug dump after a blank line; the first line says what went wrong.
    return str(exc).split("\n\n", 1)[0].strip() or type(exc).__name__


async def _translated(operation: Any, key: str) -> None:
    """Await an obstore call; its failures become OSErrors that name the key and the reason."""
    try:
        await operation
    except _FAILURES as exc:
        raise BucketError(f"the media bucket could not store or change {key}: {_reason(exc)}") from None
