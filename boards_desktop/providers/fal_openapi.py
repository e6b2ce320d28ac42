"""An fal endpoint's OpenAPI document, read into a `ModelDescription` ("any fal endpoint by id").

fal publishes one document per endpoint (`GET <BOARDS_FAL_OPENAPI_URL>?endpoint_id=<id>`). In it:
- the submit path (`/<endpoint id>`, POST): its JSON request body schema is the input schema, with
  `x-fal-order-properties` for the order of the form (boards_desktop.generators.schema_inputs);
- the result path (`.../requests/{request_id}`, GET): its 200 response schema says what the endpoint
  makes, from the output's fields (`images`/`image`, `video`, `audio`/`audio_file`, or `text`),
  else from `info.x-fal-metadata.category` ("text-to-image", "image-to-video", ...).
The whole document is kept as the schema root: the input's `$ref`s point into it.
"""

from __future__ import annotations

from typing import Any

from boards_desktop.generators.errors import GeneratorError
from boards_desktop.generators.model_catalog import ModelDescription

# Output fields that carry files, by what they hold (fal's own names, most common first).
OUTPUT_FIELDS: dict[str, tuple[str, ...]] = {
    "image": ("images", "image"),
    "video": ("video", "videos"),
    "audio": ("audio", "audio_file", "audio_url"),
    "text": ("text", "output"),
}
_FILE_TITLES = {"image": ("image",), "video": ("video", "videofile"), "audio": ("audio", "audiofile")}


def describe_endpoint(endpoint_id: str, document: Any) -> ModelDescription:
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict) or not paths:
        raise GeneratorError(
            f"fal.ai has no endpoint {endpoint_id!r}; copy the id from the model's page on fal.ai, e.g. fal-ai/flux/dev"
        )
    reader = _Reader(document)
    input_schema = reader.input_schema(endpoint_id, paths)
    output_schema = reader.output_schema(paths)
    metadata = (document.get("info") or {}).get("x-fal-metadata") or {}
    category = metadata.get("category") if isinstance(metadata, dict) else None
    kind, field = reader.made_of(output_schema, category if isinstance(category, str) else None)
    if kind is None:
        raise GeneratorError(
            f"fal.ai's description of {endpoint_id} does not say that it makes an image, a video, audio or text; "
            "it cannot be added as a generator"
        )
    title = (document.get("info") or {}).get("title")
    words = f"{endpoint_id} on fal.ai" + (f" ({category})" if isinstance(category, str) else "")
    return ModelDescription(
        provider="fal",
        model_id=endpoint_id,
        artifact_type=kind,
        description=words,
        input_schema=input_schema,
        schema_root=document,
        version=None,
        details={"category": category, "output_field": field, "title": title},
    )


class _Reader:
    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document

    def input_schema(self, endpoint_id: str, paths: dict[str, Any]) -> dict[str, Any]:
        operation = _operation(paths.get(f"/{endpoint_id}"), "post")
        if operation is None:
            posts = [_operation(item, "post") for key, item in paths.items() if "/requests/" not in key]
            posts = [post for post in posts if post is not None]
            operation = posts[0] if len(posts) == 1 else None
        schema = _json_schema((operation or {}).get("requestBody"))
        resolved = self.resolve(schema) if schema else None
        if not schema or not resolved or not isinstance(resolved.get("properties"), dict):
            raise GeneratorError(f"fal.ai's description of {endpoint_id} has no input form; it cannot be added")
        return schema  # kept as written ($ref and all): the input model resolves it in the whole document

    def output_schema(self, paths: dict[str, Any]) -> dict[str, Any] | None:
        for key, item in paths.items():
            if key.rstrip("/").endswith("/requests/{request_id}"):
                operation = _operation(item, "get") or {}
                responses = operation.get("responses") or {}
                schema = _json_schema(responses.get("200") if isinstance(responses, dict) else None)
                if schema:
                    return self.resolve(schema)
        return None

    def made_of(self, output: dict[str, Any] | None, category: str | None) -> tuple[str | None, str | None]:
        properties = (output or {}).get("properties") or {}
        for kind, names in OUTPUT_FIELDS.items():
            for name in names:
                if name in properties and (kind != "text" or self._is_text(properties[name])):
                    return kind, name
        for name, raw in properties.items():
            item = self.resolve(raw.get("items", raw) if isinstance(raw, dict) else {})
            title = str(item.get("title") or "").lower().replace("_", "")
            for kind, titles in _FILE_TITLES.items():
                if title in titles:
                    return kind, name
        if category:
            made = category.rsplit("-to-", 1)[-1]
            return {"image": "image", "video": "video", "audio": "audio", "speech": "audio", "text": "text"}.get(
                made
            ), None
        return None, None

    def _is_text(self, raw: Any) -> bool:
        return isinstance(raw, dict) and self.resolve(raw).get("type") == "string"

    def resolve(self, schema: Any, depth: int = 0) -> dict[str, Any]:
        if not isinstance(schema, dict) or depth > 20:
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self._document
            for part in ref[2:].split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
            return {**self.resolve(node, depth + 1), **{k: v for k, v in schema.items() if k != "$ref"}}
        return schema


def url_length_limits(input_schema: dict[str, Any], root: dict[str, Any] | None) -> dict[str, int]:
    """Input fields whose URL has a `maxLength` (2083 on many fal endpoints): a `data:` URL of a file
    rarely fits, so the app says so before anything is sent."""
    reader = _Reader(root if root is not None else input_schema)
    properties = reader.resolve(input_schema).get("properties") or {}
    limits: dict[str, int] = {}
    for name, raw in properties.items():
        rule = reader.resolve(raw)
        members = [reader.resolve(member) for member in rule.get("anyOf") or rule.get("oneOf") or [rule]]
        for member in members:
            target = reader.resolve(member.get("items")) if member.get("type") == "array" else member
            if isinstance(target.get("maxLength"), int):
                limits[name] = target["maxLength"]
    return limits


def _operation(item: Any, method: str) -> dict[str, Any] | None:
    operation = item.get(method) if isinstance(item, dict) else None
    return operation if isinstance(operation, dict) else None


def _json_schema(holder: Any) -> dict[str, Any] | None:
    content = holder.get("content") if isinstance(holder, dict) else None
    media = content.get("application/json") if isinstance(content, dict) else None
    schema = media.get("schema") if isinstance(media, dict) else None
    return schema if isinstance(schema, dict) else None
