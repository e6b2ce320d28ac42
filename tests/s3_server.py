"""A throwaway S3-compatible server on loopback for the test session: moto's standalone server.

It speaks the S3 protocol over HTTP (signatures, multipart uploads, ranged GETs, server-side copies,
batch deletes), so the app's bucket backend is tested against the real protocol, no mocks inside
the project. Each test gets a bucket of its own; the server goes at the end of the session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

# moto accepts any keys; real clients still sign with them, so signing is exercised.
ACCESS_KEY = "boards-test-key"
SECRET_KEY = "boards-test-secret-do-not-log"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def moto_server_command() -> list[str] | None:
    script = Path(sys.executable).parent / "moto_server"
    return [str(script)] if script.exists() else None


class ThrowawayS3:
    def __init__(self) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="boards-s3-", suffix=".log", delete=False)  # noqa: SIM115
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = moto_server_command()
        if command is None:
            raise RuntimeError("moto_server is not installed: install the dev extra (moto[server])")
        self._process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto_server exited at start: {Path(self._log.name).read_text()[-2000:]}")
            try:
                httpx.get(self.endpoint + "/moto-api/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("moto_server did not answer within 30 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        Path(self._log.name).unlink(missing_ok=True)

    def new_bucket(self) -> str:
        name = f"boards-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def client(self):
        import boto3  # moto's own dependency: only the tests create buckets and look into them

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def keys(self, bucket: str, prefix: str = "") -> set[str]:
        """Every object's key in the bucket (below `prefix`, which is cut off)."""
        found: set[str] = set()
        paginator = self.client().get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            found.update(item["Key"][len(prefix) :] for item in page.get("Contents", []))
        return found

    def environment(self, bucket: str, prefix: str = "team") -> dict[str, str]:
        """The settings of an app whose media is in `bucket` (what a teammate sets)."""
        return {
            "BOARDS_STORAGE_URL": f"s3://{bucket}/{prefix}",
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }
