"""The models the Replicate fake serves: their documents (`GET /models/{owner}/{name}`, with a Cog
`openapi_schema`) and how a run of each makes its output.

- `black-forest-labs/flux-schnell` (official): images in the asked format, aspect ratio and size;
- `kwaivgi/kling-v2.1` (official): a real MP4 that starts from the given image (a small stand-in:
  96 px high, the asked length at 24 fps);
- `pixelsmith/restyle` (a community model the app's code does not know): the input image, tinted,
  at its own size, so a test can see the input arrived;
- `meta/meta-llama-3-8b-instruct` (official, unknown to the code): text as a list of tokens.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "providers" / "fixtures"


@dataclass(frozen=True)
class OutputFile:
    data: bytes
    content_type: str
    name: str


# What a run makes from (input, files read from the input): output files, or a plain value.
Maker = Callable[[dict[str, Any], dict[str, bytes]], list[OutputFile] | Any]


@dataclass
class FakeModel:
    owner: str
    name: str
    description: str
    schemas: dict[str, Any]  # openapi_schema.components.schemas
    make: Maker
    official: bool = True
    version: str = ""
    single_file: bool = False  # the output is one URL rather than a list of them
    streams: bool = False  # a language model: `urls.stream`, tokens arrive while it runs
    versions_open: bool = True  # False: its versions cannot be run by id, only the model by name (check)
    example_output: Any = None
    cover_image_url: str = "https://replicate.delivery/pbxt/cover.webp"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.version:
            self.version = hashlib.sha256(f"{self.owner}/{self.name}:{json.dumps(self.schemas)}".encode()).hexdigest()

    @property
    def model_id(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def input_schema(self) -> dict[str, Any]:
        return self.schemas["Input"]

    def document(self) -> dict[str, Any]:
        openapi = {"openapi": "3.0.2", "info": {"title": "Cog", "version": "0.1.0"}, "paths": {},
                   "components": {"schemas": self.schemas}}  # fmt: skip
        example = None
        if self.example_output is not None:
            example = {"id": "exampl3pred1ct10n", "model": self.model_id, "version": self.version,
                       "status": "succeeded", "input": {}, "output": self.example_output, "error": None}  # fmt: skip
        return {
            "url": f"https://replicate.com/{self.model_id}",
            "owner": self.owner,
            "name": self.name,
            "description": self.description,
            "visibility": "public",
            "github_url": None,
            "paper_url": None,
            "license_url": None,
            "run_count": 1_234_567,
            "cover_image_url": self.cover_image_url,
            "default_example": example,
            "latest_version": {
                "id": self.version,
                "created_at": "2025-06-01T12:00:00.000000Z",
                "cog_version": "0.14.1",
                "openapi_schema": openapi,
            },
        }


def default_models() -> dict[str, FakeModel]:
    models = [_flux_schnell(), _kling(), _restyle(), _llama()]
    return {model.model_id: model for model in models}


# -- black-forest-labs/flux-schnell ----------------------------------------------------------------


def _flux_schnell() -> FakeModel:
    schemas = json.loads((FIXTURES / "replicate-flux-schnell.json").read_text())["components"]["schemas"]
    return FakeModel(
        "black-forest-labs",
        "flux-schnell",
        "The fastest image generation model tailored for local development and personal use",
        schemas,
        _flux_images,
        example_output=["https://replicate.delivery/xezq/example/out-0.webp"],
    )


def _flux_images(params: dict[str, Any], _files: dict[str, bytes]) -> list[OutputFile]:
    width, height = _size(params.get("aspect_ratio", "1:1"), float(params.get("megapixels", "1")))
    fmt = params.get("output_format", "webp")
    seed = params.get("seed", 0)
    return [
        OutputFile(
            _picture(f"{params.get('prompt')}-{seed}-{index}", width, height, fmt),
            f"image/{'jpeg' if fmt == 'jpg' else fmt}",
            f"out-{index}.{fmt}",
        )
        for index in range(int(params.get("num_outputs", 1)))
    ]


def _size(ratio: str, megapixels: float) -> tuple[int, int]:
    across, down = (int(part) for part in ratio.split(":"))
    width = math.sqrt(megapixels * 1024 * 1024 * across / down)
    return int(round(width / 16) * 16), int(round(width * down / across / 16) * 16)


# -- kwaivgi/kling-v2.1 ------------------------------------------------------------------------------


def _kling() -> FakeModel:
    schemas = {
        "Input": {
            "type": "object",
            "title": "Input",
            "required": ["prompt", "start_image"],
            "properties": {
                "mode": {"allOf": [{"$ref": "#/components/schemas/mode"}], "default": "standard", "x-order": 4,
                         "description": "Standard has a resolution of 720p, pro is 1080p. Both are 24fps."},
                "prompt": {"type": "string", "title": "Prompt", "x-order": 0,
                           "description": "Text prompt for video generation"},
                "duration": {"allOf": [{"$ref": "#/components/schemas/duration"}], "default": 5, "x-order": 5,
                             "description": "Duration of the video in seconds"},
                "end_image": {"type": "string", "title": "End Image", "format": "uri", "x-order": 3,
                              "description": "Last frame of the video (pro mode only)"},
                "start_image": {"type": "string", "title": "Start Image", "format": "uri", "x-order": 2,
                                "description": "First frame of the video (required)"},
                "negative_prompt": {"type": "string", "title": "Negative Prompt", "default": "", "x-order": 1,
                                    "description": "Things you do not want to see in the video"},
            },
        },
        "Output": {"type": "string", "title": "Output", "format": "uri"},
        "mode": {"enum": ["standard", "pro"], "type": "string", "title": "mode", "description": "An enumeration."},
        "duration": {"enum": [5, 10], "type": "integer", "title": "duration", "description": "An enumeration."},
    }  # fmt: skip
    return FakeModel(
        "kwaivgi",
        "kling-v2.1",
        "Use Kling v2.1 to generate 5s and 10s videos in 720p and 1080p resolution from a starting image "
        "(image-to-video)",
        schemas,
        _kling_video,
        single_file=True,
        example_output="https://replicate.delivery/xezq/example/tmpvideo.mp4",
    )


def _kling_video(params: dict[str, Any], files: dict[str, bytes]) -> list[OutputFile]:
    start = Image.open(io.BytesIO(files["start_image"]))
    width = max(16, round(96 * start.width / start.height / 2) * 2)
    return [OutputFile(_video(width, 96, int(params.get("duration", 5))), "video/mp4", "output.mp4")]


@functools.lru_cache(maxsize=8)
def _video(width: int, height: int, seconds: int, fps: int = 24) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clip.mp4"
        with av.open(str(path), "w", format="mp4") as output:
            stream = output.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            frames = seconds * fps
            for index in range(frames):
                shade = int(255 * index / max(1, frames - 1))
                frame = av.VideoFrame.from_image(Image.new("RGB", (width, height), (shade, 64, 255 - shade)))
                for packet in stream.encode(frame):
                    output.mux(packet)
            for packet in stream.encode():
                output.mux(packet)
        return path.read_bytes()


# -- pixelsmith/restyle (a community model) ------------------------------------------------------------


def _restyle() -> FakeModel:
    schemas = {
        "Input": {
            "type": "object",
            "title": "Input",
            "required": ["image"],
            "properties": {
                "seed": {"type": "integer", "title": "Seed", "x-order": 4,
                         "description": "Random seed. Leave blank to randomize the seed"},
                "image": {"type": "string", "title": "Image", "format": "uri", "x-order": 0,
                          "description": "The image to restyle"},
                "prompt": {"type": "string", "title": "Prompt", "default": "an oil painting", "x-order": 1,
                           "description": "The style to paint the image in"},
                "strength": {"type": "number", "title": "Strength", "default": 0.6, "maximum": 1, "minimum": 0,
                             "x-order": 2, "description": "How much of the image to repaint (1: all of it)"},
                "output_format": {"allOf": [{"$ref": "#/components/schemas/output_format"}], "default": "png",
                                  "x-order": 3, "description": "Format of the output image"},
            },
        },
        "Output": {"type": "array", "items": {"type": "string", "format": "uri"}, "title": "Output"},
        "output_format": {"enum": ["png", "webp", "jpg"], "type": "string", "title": "output_format",
                          "description": "An enumeration."},
    }  # fmt: skip
    return FakeModel(
        "pixelsmith",
        "restyle",
        "Repaint a picture in the style you describe",
        schemas,
        _restyled,
        official=False,
        example_output=["https://replicate.delivery/pbxt/example/restyled.png"],
    )


def _restyled(params: dict[str, Any], files: dict[str, bytes]) -> list[OutputFile]:
    source = Image.open(io.BytesIO(files["image"])).convert("RGB")
    tinted = Image.blend(source, Image.new("RGB", source.size, (200, 120, 40)), float(params.get("strength", 0.6)))
    fmt = params.get("output_format", "png")
    buffer = io.BytesIO()
    tinted.save(buffer, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt])
    return [OutputFile(buffer.getvalue(), f"image/{'jpeg' if fmt == 'jpg' else fmt}", f"restyled.{fmt}")]


# -- meta/meta-llama-3-8b-instruct (a language model) ---------------------------------------------------


def _llama() -> FakeModel:
    schemas = {
        "Input": {
            "type": "object",
            "title": "Input",
            "properties": {
                "prompt": {"type": "string", "title": "Prompt", "default": "", "x-order": 0,
                           "description": "Prompt to send to the model."},
                "system_prompt": {"type": "string", "title": "System Prompt", "default": "You are a helpful assistant",
                                  "x-order": 1, "description": "System prompt to send to the model."},
                "max_tokens": {"type": "integer", "title": "Max Tokens", "default": 512, "minimum": 1, "x-order": 2,
                               "description": "Maximum number of tokens to generate."},
                "temperature": {"type": "number", "title": "Temperature", "default": 0.6, "minimum": 0, "maximum": 5,
                                "x-order": 3, "description": "The value used to modulate the next token probabilities."},
                "top_p": {"type": "number", "title": "Top P", "default": 0.9, "minimum": 0, "maximum": 1, "x-order": 4,
                          "description": "A probability threshold for generating the output."},
            },
        },
        "Output": {"type": "array", "items": {"type": "string"}, "title": "Output",
                   "x-cog-array-type": "iterator", "x-cog-array-display": "concatenate"},
    }  # fmt: skip
    return FakeModel(
        "meta",
        "meta-llama-3-8b-instruct",
        "An 8 billion parameter language model from Meta, fine tuned for chat completions",
        schemas,
        _tokens,
        streams=True,
        example_output=["Hello", "!", " How", " can", " I", " help", "?"],
    )


def _tokens(params: dict[str, Any], _files: dict[str, bytes]) -> list[str]:
    words = f"You asked: {params.get('prompt', '')}. Here is a short answer, one token at a time.".split(" ")
    return [words[0], *(f" {word}" for word in words[1:])]


# -- pictures ------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _picture(seed: str, width: int, height: int, fmt: str) -> bytes:
    digest = hashlib.sha256(seed.encode()).digest()
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    image.paste((255 - digest[0], 255 - digest[1], 255 - digest[2]), (width // 4, height // 4, width // 2, height // 2))
    buffer = io.BytesIO()
    image.save(buffer, {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[fmt], quality=80)
    return buffer.getvalue()


def data_url_of(file: OutputFile) -> str:
    return f"data:{file.content_type};base64,{base64.b64encode(file.data).decode('ascii')}"
