"""OpenAI Images: `POST /images/generations` (JSON) and `POST /images/edits` (multipart).

The calls are synchronous: OpenAI answers once the images are made (tens of seconds), with every
image inline as base64 (`b64_json`; the gpt-image models return nothing else). There is no job id,
so nothing can be resumed after a restart and nothing can be cancelled remotely: a cancelled or
interrupted call is simply abandoned. While it waits the provider reports the time passing (OpenAI
sends no progress of its own). Errors come as `{"error": {"message", "type", "param", "code"}}`
with an `x-request-id` header, which is logged to match a failure with OpenAI's records.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.providers.base import BaseProvider, Done, Status, completed, processing, while_waiting
from boards_desktop.providers.calls import ErrorReader, Retry, RetryNotice, ServiceError

log = logging.getLogger("boards.providers")

# Generous: a high-quality 1536x1024 image with several siblings can take two minutes or more.
IMAGES_TIMEOUT = httpx.Timeout(300.0, connect=10.0, write=120.0)
TICK_SECONDS = 2.0
# What a call usually takes, by quality, for the time-passing estimate (seconds; measured by eye
# against the real service, never promised).
_TYPICAL_SECONDS = {"low": 10.0, "medium": 25.0, "high": 60.0, "auto": 30.0}
_PERMANENT_CODES = {"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"}


@dataclass(frozen=True)
class InputFile:
    """An image sent to /images/edits."""

    filename: str
    data: bytes
    content_type: str


def read_openai_error(response: httpx.Response) -> ServiceError:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") or error.get("type")
    message = error.get("message")
    if response.status_code == 401:
        message = None  # OpenAI echoes part of the key back here; the artist needs only "set it in Settings"
    elif code == "moderation_blocked":
        message = f"OpenAI's safety system refused the request: {message or 'no reason given'}"
    param = error.get("param")
    return ServiceError(
        message=" ".join(str(message).split())[:500] if message else None,
        field=str(param) if param else None,
        permanent=code in _PERMANENT_CODES,
    )


class OpenAIProvider(BaseProvider):
    name = "openai"
    label = "OpenAI"
    read_error: ClassVar[ErrorReader] = staticmethod(read_openai_error)

    async def generate_image(self, prompt: str, params: dict[str, Any]) -> AsyncIterator[Status]:
        """`params`: the other fields of /images/generations (model, size, quality, n, ...)."""
        body = {**params, "prompt": prompt}
        async for status in self._images("images/generations", params, json=body):
            yield status

    async def edit_image(
        self, prompt: str, images: list[InputFile], mask: InputFile | None, params: dict[str, Any]
    ) -> AsyncIterator[Status]:
        """One image is sent as `image`, several as `image[]`; the mask (transparent = edit) as `mask`."""
        field = "image" if len(images) == 1 else "image[]"
        files: list[tuple[str, tuple[str, bytes, str]]] = [
            (field, (image.filename, image.data, image.content_type)) for image in images
        ]
        if mask is not None:
            files.append(("mask", (mask.filename, mask.data, mask.content_type)))
        form = {key: str(value) for key, value in {**params, "prompt": prompt}.items() if value is not None}
        async for status in self._images("images/edits", params, data=form, files=files):
            yield status

    async def _images(self, path: str, params: dict[str, Any], **body: Any) -> AsyncIterator[Status]:
        count = int(params.get("n") or 1)
        what = "the image" if count == 1 else f"{count} images"
        typical = _TYPICAL_SECONDS.get(str(params.get("quality") or "auto"), 30.0)
        yield processing(0.02, f"sending the request to OpenAI for {what}", phase="initializing")

        async def send(on_retry: RetryNotice) -> httpx.Response:
            # A synchronous paid call: an error answer is retried, a lost answer never (see calls.py).
            return await self.request(
                "POST", path, retry=Retry.SUBMIT_SYNC, timeout=IMAGES_TIMEOUT, on_retry=on_retry, **body
            )

        def update(elapsed: float) -> Status:
            estimate = 0.05 + 0.85 * (1 - math.exp(-elapsed / typical))
            return processing(estimate, f"OpenAI is making {what} ({elapsed:.0f} s)")

        response: httpx.Response | None = None
        async for item in while_waiting(send, every=TICK_SECONDS, update=update):
            if isinstance(item, Done):
                response = item.value
            else:
                yield item
        assert response is not None
        yield processing(0.92, f"OpenAI made {what}; saving", phase="finalizing")
        yield completed(await _output(response))


async def _output(response: httpx.Response) -> dict[str, Any]:
    request_id = response.headers.get("x-request-id")
    try:
        # Megabytes of base64 in one JSON document: parsed off the event loop.
        body = await asyncio.to_thread(json.loads, response.content)
        items = body["data"]
    except (ValueError, KeyError, TypeError):
        log.warning("OpenAI answered without images (request %s)", request_id)
        raise GeneratorError("OpenAI answered without any image; try again") from None
    fmt = str(body.get("output_format") or "png")
    images = []
    for item in items or []:
        encoded = item.get("b64_json") if isinstance(item, dict) else None
        if encoded:
            images.append({"data": await _decode(encoded), "format": fmt, "revised_prompt": item.get("revised_prompt")})
        elif isinstance(item, dict) and item.get("url"):
            images.append({"url": item["url"], "format": fmt, "revised_prompt": item.get("revised_prompt")})
    if not images:
        raise GeneratorError("OpenAI answered without any image; try again")
    return {
        "images": images,
        "size": body.get("size"),
        "quality": body.get("quality"),
        "background": body.get("background"),
        "usage": body.get("usage"),
        "request_id": request_id,
    }


async def _decode(encoded: str) -> bytes:
    def decode() -> bytes:
        return base64.b64decode(encoded, validate=True)

    try:
        # A 1536x1024 PNG is megabytes of base64: decoded off the event loop.
        return await asyncio.to_thread(decode) if len(encoded) > 1 << 20 else decode()
    except (binascii.Error, ValueError):
        raise GeneratorError("OpenAI sent an image that is not valid base64; try again") from None
