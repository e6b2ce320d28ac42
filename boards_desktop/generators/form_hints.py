"""The JSON-schema extensions the page's form reads, and a helper that writes them on a pydantic field.

Each is optional and ignored by anything that does not know it (JSON Schema allows `x-` keys):
- `x-enum-labels`: `{value: label}` for a choice's options ("longest_side" shown as "Longest side");
  keys are the values as JSON text would spell them as object keys (`"5"` for the number 5).
- `x-unit`: a unit shown beside a number and in its hint (`"px"`, `"s"`, `"%"`, `"°"`, `"×"`).
- `x-moment-of`: the name of a video field: this number is a second of that video, chosen on a
  scrubber that shows the frame.
- `x-preview` (on the model, `ConfigDict(json_schema_extra=...)`): `{"image": "<image field>",
  "effects": {"<field>": "brightness" | "contrast" | "saturate" | "grayscale" | "rotate" | "flip-x" |
  "flip-y"}}`: the page previews those settings on the chosen image while they change.
- `x-visible-when`: `{other_field: [values...]}`: the field is shown only while each named field
  has one of the listed values, or, with `true` instead of a list, while it is filled in at all (the
  page hides it otherwise and leaves its value out of the request, so the server's default applies).

    size: int = Field(1024, ge=1, le=8192, title="Size", json_schema_extra=form_hints(
        unit="px", visible_when={"mode": ["longest_side", "width", "height"]}))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ENUM_LABELS = "x-enum-labels"
UNIT = "x-unit"
VISIBLE_WHEN = "x-visible-when"
MOMENT_OF = "x-moment-of"


def form_hints(
    *,
    labels: Mapping[Any, str] | None = None,
    unit: str | None = None,
    visible_when: Mapping[str, Iterable[Any] | bool] | None = None,
    moment_of: str | None = None,
) -> dict[str, Any]:
    """A `json_schema_extra` for `pydantic.Field` with the page's hints."""
    extra: dict[str, Any] = {}
    if labels:
        extra[ENUM_LABELS] = {_key(value): label for value, label in labels.items()}
    if unit:
        extra[UNIT] = unit
    if moment_of:
        extra[MOMENT_OF] = moment_of
    if visible_when:
        extra[VISIBLE_WHEN] = {
            name: True if values is True else list(values)  # type: ignore[arg-type]
            for name, values in visible_when.items()
        }
    return extra


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def problems_of(schema: Mapping[str, Any]) -> list[str]:
    """What is wrong with the hints of an input schema (`model_json_schema()`): a field named by
    `x-visible-when` that does not exist, a value it cannot take, a label for no option."""
    found: list[str] = []
    properties: Mapping[str, Any] = schema.get("properties", {})
    for name, prop in properties.items():
        labels = prop.get(ENUM_LABELS)
        if labels is not None:
            keys = {_key(value) for value in _options(prop)}
            found += [f"{name}: a label for {key!r}, which is not an option" for key in labels if key not in keys]
        moment_of = prop.get(MOMENT_OF)
        if moment_of is not None and moment_of not in properties:
            found.append(f"{name}: a moment of {moment_of!r}, which is not a field")
        for other, values in (prop.get(VISIBLE_WHEN) or {}).items():
            if other not in properties:
                found.append(f"{name}: visible when {other!r}, which is not a field")
                continue
            if values is True:
                continue
            options = _options(properties[other])
            if not isinstance(values, list):
                found.append(f"{name}: visible when {other} is one of a list of values, or true")
            elif options:
                found += [
                    f"{name}: visible when {other} is {value!r}, not an option"
                    for value in values
                    if value not in options
                ]
    return found


def _options(prop: Mapping[str, Any]) -> list[Any]:
    if "enum" in prop:
        return list(prop["enum"])
    for choice in prop.get("anyOf", ()):
        if "enum" in choice:
            return list(choice["enum"])
    return []
