"""A faithful fake of OpenAI Images, as `providers.md` describes the real one.

- `POST /v1/images/generations` (JSON) and `POST /v1/images/edits` (multipart: `image` or `image[]`
  up to 16, optional `mask`), for the gpt-image models;
- `Authorization: Bearer <key>` checked (401 `invalid_api_key`, with the key masked as OpenAI does);
- the fields and their values checked as OpenAI checks them, refused with its error shape
  `{"error": {"message", "type", "param", "code"}}` and status 400;
- answers `{"created", "data": [{"b64_json"}...], "background", "output_format", "quality", "size",
  "usage"}` whose images are real PNG, JPEG or WebP files of the size asked (`auto`: 1024x1024, or
  the first input's orientation for an edit), `n` of them;
- every answer carries `x-request-id`.
Switches: `latency` (seconds before answering), `out_of_quota` (429 `insufficient_quota`), and a
prompt containing "FORBIDDEN" is refused by the "safety system" (400 `moderation_blocked`). Faults
(429 with `Retry-After`, 500, drops) come from the harness (`server.faults`).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import io
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, post
from PIL import Image, UnidentifiedImageError

MODELS = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5")
SIZES = ("1024x1024", "1024x1536", "1536x1024", "auto")
QUALITIES = ("low", "medium", "high", "auto")
BACKGROUNDS = ("transparent", "opaque", "auto")
FORMATS = ("png", "jpeg", "webp")
_GENERATION_FIELDS = {"prompt", "model", "n", "size", "quality", "background", "output_format",
                      "output_compression", "moderation", "user", "partial_images", "stream"}  # fmt: skip
_EDIT_FIELDS = _GENERATION_FIELDS - {"moderation"} | {"input_fidelity"}
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_ACCEPTED_UPLOADS = {"PNG", "JPEG", "WEBP"}


class _Refused(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None,
                 kind: str = "invalid_request_error") -> None:  # fmt: skip
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.kind = status, message, param, code, kind


@dataclass
class FakeOpenAI:
    api_key: str = "sk-test-0123456789abcdefWXYZ"
    latency: float = 0.0
    out_of_quota: bool = False
    calls: list[dict[str, Any]] = field(default_factory=list)  # what each accepted call asked for

    @property
    def app(self) -> Litestar:
        fake = self

        @post("/v1/images/generations")
        async def generations(request: Request) -> Response:
            return await fake._answer(request, fake._generation)

        @post("/v1/images/edits")
        async def edits(request: Request) -> Response:
            return await fake._answer(request, fake._edit)

        return Litestar([generations, edits], request_max_body_size=None, debug=False)

    # -- the endpoints ---------------------------------------------------------------------------

    async def _answer(self, request: Request, handler) -> Response:
        request_id = f"req_{secrets.token_hex(16)}"
        try:
            self._check_key(request.headers.get("authorization"))
            body = await handler(request)
        except _Refused as refusal:
            error = {"message": refusal.message, "type": refusal.kind, "param": refusal.param, "code": refusal.code}
            return Response({"error": error}, status_code=refusal.status, headers={"x-request-id": request_id})
        if self.latency:
            await asyncio.sleep(self.latency)
        return Response(body, status_code=200, headers={"x-request-id": request_id})

    async def _generation(self, request: Request) -> dict[str, Any]:
        try:
            params = json.loads(await request.body())
        except ValueError:
            raise _Refused(400, "We could not parse the JSON body of your request.") from None
        if not isinstance(params, dict):
            raise _Refused(400, "We could not parse the JSON body of your request.")
        options = self._options(params, _GENERATION_FIELDS)
        if params.get("moderation", "auto") not in ("auto", "low"):
            raise _invalid("moderation", params["moderation"], ("low", "auto"))
        width, height = _dimensions(options["size"], None)
        self.calls.append({"endpoint": "generations", **params})
        return await self._images(options, width, height)

    async def _edit(self, request: Request) -> dict[str, Any]:
        form = await request.form()
        params = {key: value for key, value in form.items() if isinstance(value, str)}
        images = [*form.getall("image", []), *form.getall("image[]", [])]
        images = [item for item in images if not isinstance(item, str)]
        if not images:
            raise _Refused(400, "Missing required parameter: 'image'.", "image", "missing_required_parameter")
        if len(images) > 16:
            raise _Refused(400, f"Invalid 'image': too many images ({len(images)}); the maximum is 16.", "image")
        opened = []
        for upload in images:
            opened.append(_read_upload(await upload.read(), "image"))
        mask = form.get("mask")
        if mask is not None and not isinstance(mask, str):
            picture = _read_upload(await mask.read(), "mask")
            if picture.format != "PNG" or "A" not in picture.getbands():
                raise _Refused(400, "Invalid mask image format - mask image missing alpha channel", "mask")
            if picture.size != opened[0].size:
                raise _Refused(400, "Invalid mask image format - mask size does not match image size", "mask")
        params.pop("image", None)
        params.pop("image[]", None)
        if "n" in params:
            params["n"] = _integer(params["n"], "n")
        if "output_compression" in params:
            params["output_compression"] = _integer(params["output_compression"], "output_compression")
        options = self._options(params, _EDIT_FIELDS)
        if params.get("input_fidelity", "low") not in ("low", "high"):
            raise _invalid("input_fidelity", params["input_fidelity"], ("low", "high"))
        width, height = _dimensions(options["size"], opened[0].size)
        self.calls.append({"endpoint": "edits", **params, "images": len(opened), "mask": mask is not None})
        return await self._images(options, width, height)

    # -- checks, as OpenAI makes them ------------------------------------------------------------

    def _check_key(self, header: str | None) -> None:
        if not header or not header.startswith("Bearer "):
            raise _Refused(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header "
                "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            )
        given = header[len("Bearer ") :]
        if given != self.api_key:
            masked = f"{given[:3]}{'*' * max(len(given) - 7, 0)}{given[-4:]}"
            raise _Refused(
                401,
                f"Incorrect API key provided: {masked}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        if self.out_of_quota:
            raise _Refused(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                code="insufficient_quota",
                kind="insufficient_quota",
            )

    def _options(self, params: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
        for name in params:
            if name not in allowed:
                raise _Refused(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
        prompt = params.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise _Refused(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
        if len(prompt) > 32000:
            raise _Refused(
                400,
                "Invalid 'prompt': string too long. Expected a string with maximum length 32000.",
                "prompt",
                "string_above_max_length",
            )
        if "FORBIDDEN" in prompt:
            raise _Refused(
                400,
                "Your request was rejected as a result of our safety system. Your request may contain content "
                "that is not allowed by our safety system.",
                code="moderation_blocked",
                kind="image_generation_user_error",
            )
        options = {
            "model": params.get("model", "gpt-image-1"),
            "n": params.get("n", 1),
            "size": params.get("size", "auto"),
            "quality": params.get("quality", "auto"),
            "background": params.get("background", "auto"),
            "output_format": params.get("output_format", "png"),
            "output_compression": params.get("output_compression"),
        }
        if options["model"] not in MODELS:
            raise _invalid("model", options["model"], MODELS)
        if not isinstance(options["n"], int) or isinstance(options["n"], bool):
            raise _Refused(400, "Invalid type for 'n': expected an integer.", "n", "invalid_type")
        if options["n"] < 1:
            raise _Refused(
                400,
                f"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {options['n']} instead.",
                "n",
                "integer_below_min_value",
            )
        if options["n"] > 10:
            raise _Refused(
                400,
                f"Invalid 'n': integer above maximum value. Expected a value <= 10, but got {options['n']} instead.",
                "n",
                "integer_above_max_value",
            )
        for name, allowed_values in (
            ("size", SIZES),
            ("quality", QUALITIES),
            ("background", BACKGROUNDS),
            ("output_format", FORMATS),
        ):
            if options[name] not in allowed_values:
                raise _invalid(name, options[name], allowed_values)
        if options["background"] == "transparent" and options["output_format"] == "jpeg":
            raise _Refused(400, "Transparent background is not supported for jpeg output format.", "background")
        compression = options["output_compression"]
        if compression is not None:
            if options["output_format"] == "png":
                raise _Refused(
                    400, "Compression less than 100 is not supported for PNG output format.", "output_compression"
                )
            if not 0 <= compression <= 100:
                raise _Refused(
                    400,
                    f"Invalid 'output_compression': expected a value between 0 and 100, but got {compression} instead.",
                    "output_compression",
                )
        return options

    async def _images(self, options: dict[str, Any], width: int, height: int) -> dict[str, Any]:
        fmt = options["output_format"]
        quality = "medium" if options["quality"] == "auto" else options["quality"]
        background = "opaque" if options["background"] == "auto" else options["background"]
        data = []
        for index in range(options["n"]):
            # Rendered off the loop: the fake must not be what holds 200 calls in flight back.
            encoded = await asyncio.to_thread(
                _encoded_picture, f"{options}-{index}", width, height, fmt, background == "transparent",
                options["output_compression"],
            )  # fmt: skip
            data.append({"b64_json": encoded})
        tokens = 272 * options["n"] * (width * height) // (1024 * 1024)
        return {
            "created": int(time.time()),
            "data": data,
            "background": background,
            "output_format": fmt,
            "quality": quality,
            "size": f"{width}x{height}",
            "usage": {
                "input_tokens": 50,
                "output_tokens": tokens,
                "total_tokens": 50 + tokens,
                "input_tokens_details": {"text_tokens": 50, "image_tokens": 0},
            },
        }


def _invalid(param: str, value: Any, supported: tuple[str, ...]) -> _Refused:
    listed = ", ".join(f"'{item}'" for item in supported[:-1]) + f", and '{supported[-1]}'"
    return _Refused(400, f"Invalid value: '{value}'. Supported values are: {listed}.", param, "invalid_value")


def _integer(raw: str, param: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise _Refused(
            400, f"Invalid type for '{param}': expected an integer, but got a string instead.", param, "invalid_type"
        ) from None


def _read_upload(data: bytes, param: str) -> Image.Image:
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError):
        raise _Refused(
            400, f"Invalid file '{param}': the file could not be read as an image.", param, "invalid_image_file"
        ) from None
    if picture.format not in _ACCEPTED_UPLOADS:
        raise _Refused(
            400,
            f"Invalid file '{param}': unsupported mimetype ('image/{(picture.format or 'unknown').lower()}'). "
            "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
            param,
            "unsupported_file_mimetype",
        )
    return picture


def _dimensions(size: str, first_input: tuple[int, int] | None) -> tuple[int, int]:
    if size == "auto":
        if first_input is None or first_input[0] == first_input[1]:
            return 1024, 1024
        return (1536, 1024) if first_input[0] > first_input[1] else (1024, 1536)
    width, height = size.split("x")
    return int(width), int(height)


@functools.lru_cache(maxsize=64)
def _encoded_picture(seed: str, width: int, height: int, fmt: str, transparent: bool, compression: int | None) -> str:
    image = _picture(seed, width, height, transparent=transparent)
    buffer = io.BytesIO()
    save_options = {"quality": compression or 90} if fmt in ("jpeg", "webp") else {}
    image.convert("RGB" if fmt == "jpeg" else "RGBA").save(buffer, _PIL_FORMATS[fmt], **save_options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _picture(seed: str, width: int, height: int, *, transparent: bool) -> Image.Image:
    """A plain picture, its colour taken from the request: different asks give different images."""
    digest = hashlib.sha256(seed.encode()).digest()
    colour = (digest[0], digest[1], digest[2], 0 if transparent else 255)
    image = Image.new("RGBA", (width, height), colour)
    image.paste(
        (255 - digest[0], 255 - digest[1], 255 - digest[2], 255), (width // 4, height // 4, width // 2, height // 2)
    )
    return image
