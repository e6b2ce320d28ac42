"""A generator's input model made from a model's JSON schema ("any model by name": Replicate, fal).

`input_model_from_schema(name, schema, root=document)` reads an OpenAPI 3 flavoured JSON schema of
an object (Replicate's `components.schemas.Input`, the request body of a fal endpoint) and returns
a pydantic model whose own JSON schema builds the app's form and whose validation refuses bad input
before anything is queued:
- properties in `x-order` order (Replicate) or `x-fal-order-properties` order (fal), then as
  written; `required`, `default`, `description`, `title`, `examples`;
- `enum` (also behind `allOf: [{$ref}]`, Replicate's way) becomes a choice; `minimum`/`maximum`,
  exclusive bounds, `minLength`/`maxLength`, `minItems`/`maxItems` become bounds;
- `anyOf`/`oneOf` with `null`, `nullable: true` or `type: [..., "null"]` make a field optional;
  other unions stay unions; nested objects become nested models;
- a string that takes media (`format: uri`, or a name ending in `_url`/`_urls`) whose name or
  description says image, video or audio becomes an artifact slot: `ImageArtifact`,
  `list[ImageArtifact]` for an array, likewise video and audio (`media_kind` says how it is told).
  Other URL fields stay plain strings. `$ref`s are JSON pointers into `root` (default: `schema`).

Field names the model cannot use as attributes (`model_*`, `json`, names with dashes) get an alias:
validation and the JSON schema use the service's own name. Send `model_dump(by_alias=True)`.
"""

from __future__ import annotations

import keyword
import re
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from boards_desktop.generators.artifacts import AudioArtifact, ImageArtifact, VideoArtifact

MEDIA_CLASSES = {"image": ImageArtifact, "video": VideoArtifact, "audio": AudioArtifact}
_VIDEO_WORDS = ("video", "clip", "movie", "footage")
_AUDIO_WORDS = ("audio", "speech", "voice", "sound", "music", "song", "wav", "mp3")
_IMAGE_WORDS = (
    "image", "img", "mask", "photo", "picture", "frame", "face", "sketch", "depth", "canny", "pose",
    "control", "reference", "style", "init", "portrait", "logo",
)  # fmt: skip
_URI_FORMATS = {"uri", "url", "uri-reference", "binary"}


class SchemaError(ValueError):
    """The schema cannot be made into a form; the message names the field."""


def input_model_from_schema(name: str, schema: dict[str, Any], root: dict[str, Any] | None = None) -> type[BaseModel]:
    """A pydantic model of the object `schema` describes (see the module's docstring)."""
    return _Converter(root if root is not None else schema).object_model(_class_name(name), schema, "")


def media_kind(field: str, description: str | None = None) -> str | None:
    """ "image", "video", "audio" or None for a media field, from its name, else its description.

    The name decides first (`video_url` is a video whatever its description says; `start_image` is
    an image even when the description talks about the video it starts). In a description, the
    kind mentioned first wins: "the image to animate into a video" takes an image.
    """
    name = field.lower()
    name_words = _words(name)
    for kind, vocabulary in _KINDS:
        if any(word in name_words for word in vocabulary) or any(word in name for word in _STRONG[kind]):
            return kind
    found: list[tuple[int, str]] = []
    words = [_singular(word) for word in re.split(r"[^a-z0-9]+", (description or "").lower())]
    for kind, vocabulary in _KINDS:
        positions = [index for index, word in enumerate(words) if word in vocabulary]
        if positions:
            found.append((positions[0], kind))
    return min(found)[1] if found else None


_KINDS = (("video", _VIDEO_WORDS), ("audio", _AUDIO_WORDS), ("image", _IMAGE_WORDS))
# Words that say the kind even inside a longer name ("imageurl", "inputvideo").
_STRONG = {"video": ("video",), "audio": ("audio",), "image": ("image", "img", "mask")}


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") else word


def _words(text: str) -> set[str]:
    return {_singular(word) for word in re.split(r"[^a-z0-9]+", text) if word}


class _Converter:
    def __init__(self, root: dict[str, Any]) -> None:
        self._root = root
        self._models = 0

    def object_model(self, class_name: str, schema: dict[str, Any], where: str) -> type[BaseModel]:
        schema = self._resolved(schema)
        properties = schema.get("properties") or {}
        required = set(schema.get("required") or [])
        listed = schema.get("x-fal-order-properties")
        listed = [name for name in listed if isinstance(name, str)] if isinstance(listed, list) else []
        ordered = sorted(
            enumerate(properties.items()),
            key=lambda item: (
                listed.index(item[1][0]) if item[1][0] in listed else len(listed),
                _order_of(item[1][1]),
                item[0],
            ),
        )
        fields: dict[str, Any] = {}
        for _, (field_name, raw) in ordered:
            if not isinstance(raw, dict):
                continue
            attribute, alias = _attribute_name(field_name)
            annotation, info = self._field(field_name, raw, field_name in required, f"{where}{field_name}", alias)
            fields[attribute] = (annotation, info)
        config = ConfigDict(extra="forbid", protected_namespaces=(), populate_by_name=True)
        model: type[BaseModel] = create_model(class_name, __config__=config, **fields)
        if schema.get("description"):
            model.__doc__ = schema["description"]
        return model

    def _field(self, name: str, raw: dict[str, Any], required: bool, where: str, alias: str | None) -> tuple[Any, Any]:
        merged = self._resolved(raw)
        annotation, nullable = self._annotation(name, merged, where)
        choices = merged.get("anyOf") or merged.get("oneOf")
        if choices:
            # `anyOf: [{"type": "integer", "minimum": 0}, {"type": "null"}]`: the bounds are the member's.
            members = [self._resolved(choice) for choice in choices if self._resolved(choice).get("type") != "null"]
            if len(members) == 1:
                merged = {**members[0], **{k: v for k, v in merged.items() if k not in ("anyOf", "oneOf")}}
        extra: dict[str, Any] = {}
        is_list = typing.get_origin(annotation) is list
        for source, target, applies in (
            ("minimum", "ge", annotation in (int, float)),
            ("maximum", "le", annotation in (int, float)),
            ("minLength", "min_length", annotation is str),  # not on an artifact slot: a URL's length is ours
            ("maxLength", "max_length", annotation is str),
            ("minItems", "min_length", is_list),
            ("maxItems", "max_length", is_list),
        ):
            value = merged.get(source)
            if applies and isinstance(value, (int, float)) and not isinstance(value, bool):
                extra[target] = value
        for source, target, inclusive in (("exclusiveMinimum", "gt", "minimum"), ("exclusiveMaximum", "lt", "maximum")):
            value = merged.get(source)
            if annotation not in (int, float):
                continue
            if value is True and inclusive in merged:  # OpenAPI 3.0: a flag on minimum/maximum
                extra[target] = extra.pop("ge" if source == "exclusiveMinimum" else "le")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                extra[target] = value
        if isinstance(merged.get("pattern"), str) and annotation is str:
            extra["pattern"] = merged["pattern"]
        has_default = "default" in merged
        optional = nullable or (not required and not has_default)
        if optional:
            annotation = annotation | None
        default = merged["default"] if has_default else (None if optional else ...)
        if isinstance(merged.get("examples"), list):
            extra["examples"] = merged["examples"]
        description = merged.get("description")
        title = merged.get("title")
        if alias is not None:
            extra["alias"] = alias
        return annotation, Field(default, description=description, title=title, **extra)

    def _annotation(self, name: str, schema: dict[str, Any], where: str) -> tuple[Any, bool]:
        """(type, nullable) of one property."""
        choices = schema.get("anyOf") or schema.get("oneOf")
        nullable = bool(schema.get("nullable"))
        if choices:
            members = [self._resolved(choice) for choice in choices]
            non_null = [member for member in members if member.get("type") != "null"]
            nullable = nullable or len(non_null) < len(members)
            if len(non_null) == 1:
                merged = {**{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}, **non_null[0]}
                return self._annotation(name, merged, where)[0], nullable
            types = tuple(self._annotation(name, member, where)[0] for member in non_null)
            return (Union[types] if types else Any), nullable  # noqa: UP007 - built at run time
        kind = schema.get("type")
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        if "enum" in schema:
            values = [value for value in schema["enum"] if value is not None]
            nullable = nullable or None in schema["enum"]
            if values and all(isinstance(value, (str, int, float, bool)) for value in values):
                return Literal[tuple(values)], nullable
        if kind == "string" or (kind is None and schema.get("format") in _URI_FORMATS):
            media = self._media(name, schema)
            return (MEDIA_CLASSES[media] if media else str), nullable
        if kind == "integer":
            return int, nullable
        if kind == "number":
            return float, nullable
        if kind == "boolean":
            return bool, nullable
        if kind == "array":
            items = self._resolved(schema.get("items") or {})
            if items.get("type") == "string" or items.get("format") in _URI_FORMATS:
                media = self._media(
                    name, {**items, "description": items.get("description") or schema.get("description")}
                )
                if media:
                    return list[MEDIA_CLASSES[media]], nullable  # type: ignore[valid-type]  # built at run time
            inner = self._annotation(name, items, f"{where}[]")[0] if items else Any
            return list[inner], nullable  # type: ignore[valid-type]  # built at run time, for create_model
        if kind == "object" or "properties" in schema:
            if schema.get("properties"):
                self._models += 1
                nested = schema.get("title") or f"{name}_{self._models}"
                return self.object_model(_class_name(nested), schema, f"{where}."), nullable
            return dict[str, Any], nullable
        return Any, nullable

    def _media(self, name: str, schema: dict[str, Any]) -> str | None:
        takes_url = schema.get("format") in _URI_FORMATS or re.search(r"(^|_)urls?$", name.lower()) is not None
        return media_kind(name, schema.get("description")) if takes_url else None

    def _resolved(self, schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
        """`$ref` followed, and a lone `allOf` merged in; the property's own keys win."""
        if depth > 20:
            raise SchemaError("the schema's references go round in a circle")
        if "$ref" in schema:
            target = self._resolved(self._pointer(schema["$ref"]), depth + 1)
            return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part = self._resolved(part, depth + 1)
                merged.update({k: v for k, v in part.items() if k not in ("properties", "required")})
                if "properties" in part:
                    merged.setdefault("properties", {}).update(part["properties"])
                    merged["required"] = [*merged.get("required", []), *part.get("required", [])]
            return {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
        return schema

    def _pointer(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#/"):
            raise SchemaError(f"the schema refers to {ref!r}, outside its own document")
        node: Any = self._root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise SchemaError(f"the schema refers to {ref!r}, which it does not define")
            node = node[part]
        if not isinstance(node, dict):
            raise SchemaError(f"the schema refers to {ref!r}, which is not a schema")
        return node


def _order_of(schema: Any) -> float:
    order = schema.get("x-order") if isinstance(schema, dict) else None
    return float(order) if isinstance(order, (int, float)) and not isinstance(order, bool) else float("inf")


def _attribute_name(field: str) -> tuple[str, str | None]:
    """(attribute, alias or None): the service's name, unless a model attribute cannot carry it."""
    usable = field.isidentifier() and not keyword.iskeyword(field) and not field.startswith(("_", "model_"))
    if usable and not hasattr(BaseModel, field):
        return field, None
    cleaned = re.sub(r"\W", "_", field).strip("_") or "field"
    return f"field_{cleaned}", field


def _class_name(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    joined = "".join(word[:1].upper() + word[1:] for word in words if word) or "Model"
    return joined if joined[0].isalpha() else f"M{joined}"
