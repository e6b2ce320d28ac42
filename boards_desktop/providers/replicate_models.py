"""What Replicate says about a model, read for "any model by name"; and a prediction's output read back.

`GET /models/{owner}/{name}` answers with the model's document: `url, owner, name, description,
visibility, run_count, cover_image_url, default_example` (a prediction made with the model, its
output included) and `latest_version: {id, created_at, cog_version, openapi_schema}`. The version's
`openapi_schema.components.schemas` holds `Input` (the form: an object with `x-order` on its
properties; files are strings with `format: uri`) and `Output`, which says what a run makes:
- a file (`{"type": "string", "format": "uri"}`), a list of files, or an object with file fields:
  an image, a video or an audio file. Which one the schema does not say: the file names of the
  default example's output tell (`.mp4`), else the fields' names, else the model's description;
- text: a string, or a list of strings (a language model's tokens: `x-cog-array-type: iterator`,
  `x-cog-array-display: concatenate`), or any other value (kept as JSON text).

The description pins the version it was read from: its generator runs exactly the schema it shows
(`POST /predictions` with that version), until the artist refreshes it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.model_catalog import ModelDescription
from boards_desktop.generators.schema_inputs import media_kind

_MODEL_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*/[a-z0-9][a-z0-9_.-]*$", re.IGNORECASE)
_EXTENSIONS = {
    "image": ("png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff", "avif", "heic"),
    "video": ("mp4", "mov", "webm", "mkv", "avi", "m4v"),
    "audio": ("wav", "mp3", "flac", "ogg", "m4a", "aac", "opus"),
}
_VIDEO_WORDS = ("video", "videos", "animation", "animate", "clip", "clips", "movie")
_AUDIO_WORDS = ("audio", "speech", "voice", "music", "song", "songs", "sound", "tts", "text-to-speech")


def split_model_id(model_id: str) -> tuple[str, str]:
    """`owner/name` -> (owner, name); anything else is refused with an example."""
    if ":" in model_id:
        raise GeneratorError(
            f"{model_id!r}: give the model as owner/name, without a version (the newest version is used; "
            "refresh the generator to take a newer one)"
        )
    if not _MODEL_ID.match(model_id):
        raise GeneratorError(f"{model_id!r} is not a Replicate model name; it looks like owner/name, e.g. "
                             "black-forest-labs/flux-schnell")  # fmt: skip
    owner, name = model_id.split("/")
    return owner, name


def describe_document(provider: str, model_id: str, document: dict[str, Any]) -> ModelDescription:
    version = document.get("latest_version")
    if not isinstance(version, dict):
        raise GeneratorError(f"{model_id} has no published version on Replicate, so it cannot run yet")
    schemas = ((version.get("openapi_schema") or {}).get("components") or {}).get("schemas") or {}
    input_schema = schemas.get("Input")
    if not isinstance(input_schema, dict):
        raise GeneratorError(f"{model_id} does not publish its inputs on Replicate, so no form can be made for it")
    output_schema = _resolved(schemas.get("Output") or {}, schemas)
    return ModelDescription(
        provider=provider,
        model_id=model_id,
        artifact_type=output_kind(output_schema, schemas, document),
        description=" ".join(str(document.get("description") or "").split())[:500] or f"{model_id} on Replicate",
        input_schema=input_schema,
        # Only what `$ref`s point into (`#/components/schemas/...`): the cache file stays small.
        schema_root={"components": {"schemas": schemas}},
        version=str(version["id"]) if version.get("id") else None,
        details={"output_schema": output_schema, "url": document.get("url")},
    )


def output_kind(output: dict[str, Any], schemas: dict[str, Any], document: dict[str, Any]) -> str:
    """image | video | audio | text: what the model's runs make (see the module's docstring)."""
    fields = _file_fields(output, schemas)
    if fields is None:
        return "text"
    example = (document.get("default_example") or {}).get("output") if isinstance(document, dict) else None
    for url in file_urls(example):
        kind = _kind_of_url(url)
        if kind is not None:
            return kind
    for name, description in fields:
        kind = media_kind(name, description) if name else None
        if kind is not None:
            return kind
    words = set(re.split(r"[^a-z0-9-]+", str(document.get("description") or "").lower()))
    if words & set(_VIDEO_WORDS):
        return "video"
    if words & set(_AUDIO_WORDS):
        return "audio"
    return "image"


def file_urls(output: Any) -> list[str]:
    """Every file of an output, in order: URL strings (http(s) or `data:`) in a value, a list or an object."""
    if isinstance(output, str):
        return [output] if output.startswith(("http://", "https://", "data:")) else []
    if isinstance(output, list):
        return [url for item in output for url in file_urls(item)]
    if isinstance(output, dict):
        return [url for item in output.values() for url in file_urls(item)]
    return []


def text_of(output: Any, output_schema: dict[str, Any] | None = None) -> str:
    """A text result: a string as it is, a language model's tokens joined, anything else as JSON."""
    if isinstance(output, str):
        return output
    if isinstance(output, list) and all(isinstance(item, str) for item in output):
        schema = output_schema or {}
        tokens = schema.get("x-cog-array-type") == "iterator" or schema.get("x-cog-array-display") == "concatenate"
        return "".join(output) if tokens or not output_schema else "\n".join(output)
    if output is None:
        return ""
    return json.dumps(output, indent=2, ensure_ascii=False)


def _file_fields(schema: dict[str, Any], schemas: dict[str, Any]) -> list[tuple[str, str | None]] | None:
    """The file-valued parts of an output schema, as (field name, description); None when it makes no file."""
    schema = _resolved(schema, schemas)
    if _is_file(schema):
        return [("", schema.get("description"))]
    if schema.get("type") == "array":
        return _file_fields(schema.get("items") or {}, schemas)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        found = []
        for name, part in properties.items():
            part = _resolved(part if isinstance(part, dict) else {}, schemas)
            if _is_file(part) or (
                part.get("type") == "array" and _is_file(_resolved(part.get("items") or {}, schemas))
            ):
                found.append((name, part.get("description")))
        return found or None
    for choice in schema.get("anyOf") or schema.get("oneOf") or []:
        inner = _file_fields(choice, schemas) if isinstance(choice, dict) else None
        if inner:
            return inner
    return None


def _is_file(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") in ("uri", "url", "binary")


def _resolved(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/schemas/") and depth < 10:
        target = schemas.get(ref.rsplit("/", 1)[1])
        if isinstance(target, dict):
            return _resolved({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, schemas, depth + 1)
    parts = schema.get("allOf") if isinstance(schema, dict) else None
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict) and depth < 10:
        return _resolved({**parts[0], **{k: v for k, v in schema.items() if k != "allOf"}}, schemas, depth + 1)
    return schema if isinstance(schema, dict) else {}


def _kind_of_url(url: str) -> str | None:
    if url.startswith("data:"):
        kind = url[5:].split("/", 1)[0]
        return kind if kind in _EXTENSIONS else None
    extension = url.split("?", 1)[0].rsplit("/", 1)[-1].rpartition(".")[2].lower()
    return next((kind for kind, known in _EXTENSIONS.items() if extension in known), None)
