"""Helpers of the upload tests: send a form, and take stock of what is stored (files and rows)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from boards_desktop.db import models
from tests.app_harness import AppClient
from tests.media.stored_objects import StoredObjects

UPLOAD_URL = "/api/uploads/artifact"


async def upload(
    client: AppClient,
    board_id: str,
    content: bytes,
    *,
    filename: str = "upload.bin",
    artifact_type: str = "image",
    mime: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    data = {"board_id": board_id, "artifact_type": artifact_type, **fields}
    return await client.http.post(UPLOAD_URL, data=data, files={"file": (filename, content, mime)})


@dataclass(frozen=True)
class Stock:
    files: frozenset[str]  # every file under the media root, temporary ones included
    generations: int
    lineage_rows: int
    objects: frozenset[str] = frozenset()  # with media in a bucket, every object below its prefix


async def stock(client: AppClient) -> Stock:
    root: Path = client.services.media.root
    files = (
        frozenset(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else frozenset()
    )
    stored = StoredObjects.of(client)
    objects = frozenset(await stored.keys()) if stored.in_bucket else frozenset()
    async with client.services.database.read() as session:
        generations = await session.scalar(select(func.count()).select_from(models.Generation))
        lineage = await session.scalar(select(func.count()).select_from(models.GenerationLineage))
    return Stock(files, generations, lineage, objects)


def error_body(response: httpx.Response, status: int, *mentions: str) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error", "code", "detail"}, body
    assert body["detail"] == body["error"]  # upstream's clients read `detail`
    for mention in mentions:
        assert mention.lower() in body["error"].lower(), (mention, body["error"])
    return body
