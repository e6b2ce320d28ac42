"""The endpoints the fal fake serves: their input schemas (as fal publishes them), outputs and OpenAPI documents.

Five are the app's curated models (FLUX.1 [dev], FLUX.1 Kontext [pro], Kling 2.5 Turbo Pro text and
image to video, Kokoro); three are endpoints the app's code does not know, for "any endpoint by
id": `fal-ai/fast-sdxl` (images), `fal-ai/stable-audio` (an `audio_file`), `fal-ai/video-upscaler`
(a video in, a video out) and `fal-ai/mmaudio-v2` (a video in, whose URL may be at most 2083
characters long, as fal's schema says: no room for a data: URL). FLUX.1 [dev]'s document is the stored copy of fal's own
(tests/providers/fixtures/fal-flux-dev.json); the others are written in the same shape.

Media are real files, made small (a Kling video here is 320x180 at 8 fps; fal's are 1080p) so that
200 jobs stay cheap, and cached: the same ask gives the same bytes.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import io
import json
import math
import struct
import tempfile
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "providers" / "fixtures"
IMAGE_SIZES = ["square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3", "landscape_16_9"]
PRESETS = {
    "square_hd": (1024, 1024), "square": (512, 512), "portrait_4_3": (768, 1024), "portrait_16_9": (576, 1024),
    "landscape_4_3": (1024, 768), "landscape_16_9": (1024, 576),
}  # fmt: skip
VOICES = [
    "af_heart", "af_alloy", "af_aoede", "af_bella", "af_jessica", "af_kore", "af_nicole", "af_nova", "af_river",
    "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx",
    "am_puck", "am_santa",
]  # fmt: skip
FILE = {
    "title": "File", "type": "object",
    "properties": {"url": {"type": "string"}, "content_type": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                   "file_name": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                   "file_size": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
    "required": ["url"],
}  # fmt: skip
IMAGE = {
    "title": "Image", "type": "object",
    "properties": {"url": {"type": "string"}, "content_type": {"type": "string", "default": "image/jpeg"},
                   "width": {"type": "integer"}, "height": {"type": "integer"}},
    "required": ["url"],
}  # fmt: skip
IMAGES_OUTPUT = {
    "type": "object",
    "properties": {"images": {"type": "array", "items": {"$ref": "#/components/schemas/Image"}},
                   "seed": {"type": "integer"}, "has_nsfw_concepts": {"type": "array", "items": {"type": "boolean"}},
                   "prompt": {"type": "string"}},
    "required": ["images", "seed", "has_nsfw_concepts", "prompt"],
}  # fmt: skip
SEED = {"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "Seed",
        "description": "The same seed and the same prompt given to the same version of the model will output the "
                       "same image every time."}  # fmt: skip
KLING_COMMON = {
    "prompt": {"maxLength": 2500, "type": "string", "title": "Prompt"},
    "duration": {"enum": ["5", "10"], "type": "string", "title": "Duration", "default": "5",
                 "description": "The duration of the generated video in seconds"},
    "negative_prompt": {"maxLength": 2500, "type": "string", "title": "Negative Prompt",
                        "default": "blur, distort, and low quality"},
    "cfg_scale": {"minimum": 0, "maximum": 1, "type": "number", "title": "Cfg Scale", "default": 0.5,
                  "description": "The CFG (Classifier Free Guidance) scale is a measure of how close you want the "
                                 "model to stick to your prompt."},
}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    category: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any]
    make: Callable[[dict[str, Any]], list[tuple[str, bytes, str, dict[str, Any]]]]  # -> [(field, bytes, type, facts)]
    shape: Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, Any]]  # arguments, files -> the result body
    logs: str = "steps"  # steps (tqdm lines) | percent | plain (no figures)
    run_seconds: float = 3.0
    extra_schemas: tuple[tuple[str, dict[str, Any]], ...] = ()

    @functools.cached_property
    def document(self) -> dict[str, Any]:
        if self.endpoint_id == "fal-ai/flux/dev":
            return json.loads((FIXTURES / "fal-flux-dev.json").read_text())
        return openapi_document(self)


def openapi_document(endpoint: Endpoint) -> dict[str, Any]:
    """The document fal publishes for an endpoint: its queue paths, input and output schemas."""
    name = "".join(part.title() for part in endpoint.endpoint_id.replace("-", "/").replace(".", "/").split("/")[1:])
    ref = "#/components/schemas/"
    status = {"get": {"parameters": [{"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                      "responses": {"200": {"content": {"application/json": {"schema": {"$ref": f"{ref}QueueStatus"}}}}}}}  # fmt: skip
    return {
        "openapi": "3.0.4",
        "info": {"title": f"Queue OpenAPI for {endpoint.endpoint_id}", "version": "1.0.0",
                 "x-fal-metadata": {"endpointId": endpoint.endpoint_id, "category": endpoint.category}},
        "components": {"schemas": {
            "QueueStatus": {"type": "object", "properties": {"status": {"type": "string",
                            "enum": ["IN_QUEUE", "IN_PROGRESS", "COMPLETED"]}, "request_id": {"type": "string"}},
                            "required": ["status", "request_id"]},
            f"{name}Input": copy.deepcopy(endpoint.input_schema),
            f"{name}Output": copy.deepcopy(endpoint.output_schema),
            **{key: copy.deepcopy(value) for key, value in endpoint.extra_schemas},
        }},
        "paths": {
            f"/{endpoint.endpoint_id}/requests/{{request_id}}/status": status,
            f"/{endpoint.endpoint_id}": {"post": {
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"{ref}{name}Input"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": f"{ref}QueueStatus"}}}}}}},
            f"/{endpoint.endpoint_id}/requests/{{request_id}}": {"get": {
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": f"{ref}{name}Output"}}}}}}},
        },
        "servers": [{"url": "https://queue.fal.run"}],
    }  # fmt: skip


# -- media -------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def picture(seed: str, width: int, height: int, fmt: str) -> bytes:
    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    image.paste((255 - digest[0], 255 - digest[1], 255 - digest[2]), (width // 4, height // 4, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, {"jpeg": "JPEG", "png": "PNG"}[fmt], **({"quality": 85} if fmt == "jpeg" else {}))
    return buffer.getvalue()


@functools.lru_cache(maxsize=16)
def video(width: int, height: int, seconds: int, fps: int = 8) -> bytes:
    from tests.media.samples import write_video

    with tempfile.TemporaryDirectory() as folder:
        path = write_video(Path(folder) / "clip.mp4", frames=seconds * fps, fps=fps, size=(width, height))
        return path.read_bytes()


@functools.lru_cache(maxsize=16)
def tone(seconds: float, rate: int, channels: int = 1) -> bytes:
    frames = int(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        sample = [struct.pack("<h", int(6000 * math.sin(2 * math.pi * 330 * i / rate))) * channels for i in range(rate)]
        second = b"".join(sample)
        out.writeframes(second * int(seconds) + second[: (frames % rate) * 2 * channels])
    return buffer.getvalue()


def _data_image_size(url: str) -> tuple[int, int] | None:
    if not isinstance(url, str) or not url.startswith("data:"):
        return None
    try:
        with Image.open(io.BytesIO(base64.b64decode(url.partition(",")[2]))) as image:
            return image.size
    except Exception:  # noqa: BLE001 - not an image the fake can read: no size
        return None


def _images(arguments: dict[str, Any], width: int, height: int) -> list[tuple[str, bytes, str, dict[str, Any]]]:
    fmt = arguments.get("output_format") or arguments.get("format") or "jpeg"
    return [
        ("images", picture(f"{arguments.get('prompt')}-{index}", width, height, fmt), f"image/{fmt}",
         {"width": width, "height": height})
        for index in range(int(arguments.get("num_images") or 1))
    ]  # fmt: skip


def _sized(arguments: dict[str, Any]) -> tuple[int, int]:
    size = arguments.get("image_size", "landscape_4_3")
    return PRESETS[size] if isinstance(size, str) else (int(size["width"]), int(size["height"]))


def _edited(arguments: dict[str, Any]) -> tuple[int, int]:
    ratio = arguments.get("aspect_ratio")
    if ratio:
        across, down = (int(part) for part in ratio.split(":"))
    else:
        across, down = _data_image_size(arguments.get("image_url", "")) or (1, 1)
    scale = math.sqrt(1024 * 1024 / (across * down))
    return max(16, round(across * scale / 16) * 16), max(16, round(down * scale / 16) * 16)


def _images_body(arguments: dict[str, Any], files: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "images": files,
        "timings": {"inference": 1.7},
        "seed": arguments.get("seed") if arguments.get("seed") is not None else 424242,
        "has_nsfw_concepts": [False] * len(files),
        "prompt": arguments.get("prompt", ""),
    }


def _one(field: str) -> Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, Any]]:
    return lambda _arguments, files: {field: files[0]}


_KLING_FRAME = {"16:9": (320, 180), "9:16": (180, 320), "1:1": (240, 240)}


def _kling(arguments: dict[str, Any]) -> list[tuple[str, bytes, str, dict[str, Any]]]:
    if "image_url" in arguments:
        width, height = _data_image_size(arguments["image_url"]) or (320, 180)
        frame = (320, max(16, round(320 * height / width / 2) * 2)) if width >= height else (180, 320)
    else:
        frame = _KLING_FRAME[arguments.get("aspect_ratio", "16:9")]
    return [("video", video(*frame, int(arguments.get("duration", "5"))), "video/mp4", {"file_name": "output.mp4"})]


def _speech(arguments: dict[str, Any]) -> list[tuple[str, bytes, str, dict[str, Any]]]:
    seconds = min(30.0, max(1.0, len(arguments.get("prompt", "")) / 15 / float(arguments.get("speed", 1.0))))
    return [("audio", tone(round(seconds, 1), 24000), "audio/wav", {"file_name": "tmp.wav"})]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


IMAGE_SIZE_FIELD = {
    "anyOf": [_ref("ImageSize"), {"enum": IMAGE_SIZES, "type": "string"}], "title": "Image Size",
    "description": "The size of the generated image.", "default": "landscape_4_3",
}  # fmt: skip
IMAGE_SIZE_SCHEMA = json.loads((FIXTURES / "fal-flux-dev.json").read_text())["components"]["schemas"]["ImageSize"]

ENDPOINTS: dict[str, Endpoint] = {
    endpoint.endpoint_id: endpoint
    for endpoint in (
        Endpoint(
            "fal-ai/flux/dev", "text-to-image",
            json.loads((FIXTURES / "fal-flux-dev.json").read_text())["components"]["schemas"]["FluxDevInput"],
            IMAGES_OUTPUT, lambda a: _images(a, *_sized(a)), _images_body, run_seconds=3.0,
        ),
        Endpoint(
            "fal-ai/flux-pro/kontext", "image-to-image",
            {"type": "object", "title": "FluxKontextInput", "properties": {
                "prompt": {"type": "string", "title": "Prompt", "description": "The prompt to generate an image from."},
                "seed": SEED,
                "guidance_scale": {"minimum": 1, "maximum": 20, "type": "number", "default": 3.5},
                "sync_mode": {"type": "boolean", "default": False},
                "num_images": {"minimum": 1, "maximum": 4, "type": "integer", "default": 1},
                "output_format": {"enum": ["jpeg", "png"], "type": "string", "default": "jpeg"},
                "safety_tolerance": {"enum": ["1", "2", "3", "4", "5", "6"], "type": "string", "default": "2"},
                "enhance_prompt": {"type": "boolean", "default": False},
                "aspect_ratio": {"anyOf": [{"enum": ["21:9", "16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "9:21"],
                                            "type": "string"}, {"type": "null"}]},
                "image_url": {"type": "string", "title": "Image URL", "description": "Image prompt for the omni model."},
             }, "required": ["prompt", "image_url"],
             "x-fal-order-properties": ["prompt", "seed", "guidance_scale", "sync_mode", "num_images", "output_format",
                                        "safety_tolerance", "enhance_prompt", "aspect_ratio", "image_url"]},
            IMAGES_OUTPUT, lambda a: _images(a, *_edited(a)), _images_body, run_seconds=4.0,
            extra_schemas=(("Image", IMAGE),),
        ),
        Endpoint(
            "fal-ai/kling-video/v2.5-turbo/pro/text-to-video", "text-to-video",
            {"type": "object", "title": "TextToVideoV25ProRequest", "properties": {
                **KLING_COMMON,
                "aspect_ratio": {"enum": ["16:9", "9:16", "1:1"], "type": "string", "default": "16:9",
                                 "description": "The aspect ratio of the generated video frame"},
             }, "required": ["prompt"],
             "x-fal-order-properties": ["prompt", "duration", "aspect_ratio", "negative_prompt", "cfg_scale"]},
            {"type": "object", "properties": {"video": _ref("File")}, "required": ["video"]},
            _kling, _one("video"), logs="percent", run_seconds=8.0, extra_schemas=(("File", FILE),),
        ),
        Endpoint(
            "fal-ai/kling-video/v2.5-turbo/pro/image-to-video", "image-to-video",
            {"type": "object", "title": "ImageToVideoV25ProRequest", "properties": {
                **KLING_COMMON,
                "image_url": {"type": "string", "title": "Image Url",
                              "description": "URL of the image to be used for the video"},
                "tail_image_url": {"type": "string", "title": "Tail Image Url",
                                   "description": "URL of the image to be used for the end of the video"},
             }, "required": ["prompt", "image_url"],
             "x-fal-order-properties": ["prompt", "image_url", "duration", "negative_prompt", "cfg_scale",
                                        "tail_image_url"]},
            {"type": "object", "properties": {"video": _ref("File")}, "required": ["video"]},
            _kling, _one("video"), logs="percent", run_seconds=8.0, extra_schemas=(("File", FILE),),
        ),
        Endpoint(
            "fal-ai/kokoro/american-english", "text-to-speech",
            {"type": "object", "title": "AmEnglishRequest", "properties": {
                "prompt": {"type": "string", "title": "Prompt", "default": ""},
                "voice": {"enum": VOICES, "type": "string", "default": "af_heart",
                          "description": "Voice ID for the desired voice."},
                "speed": {"minimum": 0.1, "maximum": 5, "type": "number", "default": 1,
                          "description": "Speed of the generated audio. Default is 1.0."},
             }, "x-fal-order-properties": ["prompt", "voice", "speed"]},
            {"type": "object", "properties": {"audio": _ref("File")}, "required": ["audio"]},
            _speech, _one("audio"), logs="plain", run_seconds=2.0, extra_schemas=(("File", FILE),),
        ),
        # Unknown to the app's code: for "any endpoint by id".
        Endpoint(
            "fal-ai/fast-sdxl", "text-to-image",
            {"type": "object", "title": "TextToImageInput", "properties": {
                "prompt": {"type": "string", "title": "Prompt", "description": "The prompt to use for generating the image."},
                "negative_prompt": {"type": "string", "default": "", "description": "What not to see in the image."},
                "image_size": IMAGE_SIZE_FIELD | {"default": "square_hd"},
                "num_inference_steps": {"minimum": 1, "maximum": 65, "type": "integer", "default": 25},
                "seed": SEED,
                "guidance_scale": {"minimum": 0, "maximum": 20, "type": "number", "default": 7.5},
                "num_images": {"minimum": 1, "maximum": 8, "type": "integer", "default": 1},
                "format": {"enum": ["jpeg", "png"], "type": "string", "default": "jpeg"},
                "sync_mode": {"type": "boolean", "default": False},
             }, "required": ["prompt"],
             "x-fal-order-properties": ["prompt", "negative_prompt", "image_size", "num_inference_steps", "seed",
                                        "guidance_scale", "num_images", "format", "sync_mode"]},
            IMAGES_OUTPUT, lambda a: _images(a, *_sized({"image_size": "square_hd"} | a)), _images_body,
            extra_schemas=(("Image", IMAGE), ("ImageSize", IMAGE_SIZE_SCHEMA)),
        ),
        Endpoint(
            "fal-ai/stable-audio", "text-to-audio",
            {"type": "object", "title": "Input", "properties": {
                "prompt": {"type": "string", "title": "Prompt", "description": "The prompt to generate audio from"},
                "seconds_start": {"minimum": 0, "maximum": 47, "type": "integer", "default": 0},
                "seconds_total": {"minimum": 0, "maximum": 47, "type": "integer", "default": 30,
                                  "description": "The duration of the audio clip to generate"},
                "steps": {"minimum": 1, "maximum": 1000, "type": "integer", "default": 100},
             }, "required": ["prompt"], "x-fal-order-properties": ["prompt", "seconds_start", "seconds_total", "steps"]},
            {"type": "object", "properties": {"audio_file": _ref("File")}, "required": ["audio_file"]},
            lambda a: [("audio_file", tone(float(a.get("seconds_total", 30)), 44100, 2), "audio/wav", {})],
            _one("audio_file"), logs="plain", extra_schemas=(("File", FILE),),
        ),
        Endpoint(
            "fal-ai/video-upscaler", "video-to-video",
            {"type": "object", "title": "Input", "properties": {
                "video_url": {"type": "string", "title": "Video Url", "description": "The URL of the video to upscale"},
                "scale": {"minimum": 1, "maximum": 8, "type": "number", "default": 2,
                          "description": "The scale factor"},
             }, "required": ["video_url"], "x-fal-order-properties": ["video_url", "scale"]},
            {"type": "object", "properties": {"video": _ref("File")}, "required": ["video"]},
            lambda a: [("video", video(192, 128, 2), "video/mp4", {})],
            _one("video"), logs="percent", extra_schemas=(("File", FILE),),
        ),
        Endpoint(
            "fal-ai/mmaudio-v2", "video-to-video",
            json.loads((FIXTURES / "fal-media-inputs.json").read_text())["components"]["schemas"]["MMAudioV2Input"],
            {"type": "object", "properties": {"video": _ref("File")}, "required": ["video"]},
            lambda a: [("video", video(160, 96, max(1, round(float(a.get("duration", 8))))), "video/mp4", {})],
            _one("video"), logs="percent", extra_schemas=(("File", FILE),),
        ),
    )
}  # fmt: skip
