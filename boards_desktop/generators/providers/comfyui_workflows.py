"""ComfyUI workflows as generators: a graph in ComfyUI's API format, and a mapping of its inputs.

A workflow is a file `<name>.json` holding ComfyUI's "Export (API)" graph, with its mapping either
in a file beside it, `<name>.mapping.json`, or in the same document:

    {"workflow": {<the graph>}, "inputs": {...}, "outputs": [...], "description": "..."}

The mapping names the artist's inputs and the node inputs they fill, as `"<node id>.<input>"`:

    "inputs": {
      "prompt": "6.text",
      "negative_prompt": "7.text",
      "seed": "3.seed",
      "steps": "3.steps",
      "width": "5.width", "height": "5.height",
      "checkpoint": "4.ckpt_name",
      "image": "10.image",
      "strength": {"to": "3.denoise", "type": "number", "minimum": 0, "maximum": 1,
                   "description": "How much of the image changes"}
    },
    "outputs": ["9"]

- A known name (`prompt`, `negative_prompt`, `seed`, `steps`, `cfg`, `denoise`, `width`, `height`,
  `checkpoint`) gets its type, bounds and description; `prompt` is required; `seed` left empty is a
  new random seed each time. Any other name takes the type of the value in the graph (text, whole
  number, number, true/false) and that value as its default.
- An input of a `LoadImage` node (or `"type": "image"`) is an image slot: the artist gives an image
  from a board, the app uploads it to ComfyUI and puts its name there.
- The object form (`{"to": ..., "type", "description", "default", "minimum", "maximum",
  "choices", "required"}`) says more; `"to"` may be a list, to fill several nodes with one value.
- `outputs`: the nodes whose images are the results (default: every image ComfyUI saved).
The generator is `comfyui/<name>`; its input model is made from the mapping.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from boards_desktop.generators.artifacts import ImageArtifact
from boards_desktop.generators.form_hints import form_hints
from boards_desktop.generators.naming import derive_display_name

MAPPING_SUFFIX = ".mapping.json"
MAX_SEED = 2**64 - 1  # ComfyUI's KSampler takes 0 .. 0xffffffffffffffff
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_KINDS = ("text", "integer", "number", "boolean", "image", "seed")
_IMAGE_LOADERS = {"LoadImage", "LoadImageMask"}
_KNOWN: dict[str, dict[str, Any]] = {
    "prompt": {"kind": "text", "required": True, "description": "What the image shows, in your words."},
    "negative_prompt": {"kind": "text", "description": "What the image should not show."},
    "seed": {
        "kind": "seed",
        "description": "The same seed with the same inputs makes the same image; empty: a new one each time.",
    },
    "steps": {"kind": "integer", "minimum": 1, "maximum": 200, "description": "Sampling steps: more is slower."},
    "cfg": {"kind": "number", "minimum": 0, "maximum": 30, "description": "How closely it follows the prompt."},
    "denoise": {"kind": "number", "minimum": 0, "maximum": 1, "description": "How much is painted anew (1: all)."},
    "width": {"kind": "integer", "minimum": 64, "maximum": 4096, "multiple_of": 8, "description": "Width in pixels."},
    "height": {"kind": "integer", "minimum": 64, "maximum": 4096, "multiple_of": 8, "description": "Height in pixels."},
    "checkpoint": {"kind": "text", "description": "The checkpoint file, from ComfyUI's models/checkpoints folder."},
}

# What the form calls the known inputs, and their units (boards_desktop.generators.form_hints).
_TITLES = {"cfg": "Guidance (CFG)", "denoise": "Strength", "checkpoint": "Checkpoint file"}
_UNITS = {"width": "px", "height": "px"}


class WorkflowError(ValueError):
    """A workflow file or its mapping cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Target:
    node: str
    input: str

    def __str__(self) -> str:
        return f"{self.node}.{self.input}"


@dataclass(frozen=True)
class Slot:
    name: str  # the artist's field
    kind: str  # text | integer | number | boolean | image | seed
    targets: tuple[Target, ...]
    default: Any
    required: bool
    description: str
    minimum: float | None = None
    maximum: float | None = None
    multiple_of: int | None = None
    choices: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Workflow:
    name: str
    graph: dict[str, Any]
    slots: tuple[Slot, ...]
    outputs: tuple[str, ...]
    description: str
    source: str  # the file it came from, for messages
    title: str = ""  # the mapping's "title": what the page calls it (empty: derived from the name)

    @property
    def generator_name(self) -> str:
        return f"comfyui/{self.name}"

    def image_slots(self) -> list[Slot]:
        return [slot for slot in self.slots if slot.kind == "image"]

    def seed_slot(self) -> Slot | None:
        return next((slot for slot in self.slots if slot.kind == "seed"), None)

    def field_names(self) -> dict[tuple[str, str], str]:
        """(node id, input) -> the artist's field, for ComfyUI's refusals."""
        return {(target.node, target.input): slot.name for slot in self.slots for target in slot.targets}

    def graph_for(self, values: dict[str, Any]) -> dict[str, Any]:
        """The graph with the artist's values in it (a value left None keeps the graph's own)."""
        graph = copy.deepcopy(self.graph)
        for slot in self.slots:
            value = values.get(slot.name)
            if value is None:
                continue
            for target in slot.targets:
                graph[target.node]["inputs"][target.input] = value
        return graph

    def input_model(self) -> type[BaseModel]:
        fields: dict[str, Any] = {slot.name: _field(slot) for slot in self.slots}
        return create_model(f"{self.generator_name} input", __config__=ConfigDict(extra="forbid"), **fields)


def load_workflow(path: Path) -> Workflow:
    """Read `<name>.json` (and `<name>.mapping.json` beside it, if the mapping is not inside)."""
    name = path.name[: -len(".json")]
    if not _NAME.match(name):
        raise WorkflowError(
            "the file name is used as the generator's name: letters, digits, '-', '_' and '.', up to 80, "
            "starting with a letter or digit"
        )
    document = _read_json(path)
    if isinstance(document, dict) and isinstance(document.get("workflow"), dict):
        graph, mapping = document["workflow"], document
    else:
        graph = checked_graph(document)  # before asking for a mapping: it may not be a workflow at all
        mapping_path = path.with_name(name + MAPPING_SUFFIX)
        if not mapping_path.exists():
            raise WorkflowError(
                f"it has no mapping: add {mapping_path.name} beside it (which node inputs are the prompt, seed, "
                'size and images), or put the graph under "workflow" with the mapping in one file'
            )
        mapping = _read_json(mapping_path)
    return parse_workflow(name, graph, mapping, source=str(path))


def parse_workflow(name: str, graph: Any, mapping: Any, *, source: str) -> Workflow:
    graph = checked_graph(graph)
    if not isinstance(mapping, dict):
        raise WorkflowError('the mapping must be a JSON object with "inputs" (and optionally "outputs")')
    inputs = mapping.get("inputs")
    if not isinstance(inputs, dict) or not inputs:
        raise WorkflowError('the mapping has no "inputs": name at least one, e.g. "prompt": "6.text"')
    slots = tuple(_slot(field, raw, graph) for field, raw in inputs.items())
    outputs = mapping.get("outputs") or []
    if not isinstance(outputs, list) or not all(isinstance(node, (str, int)) for node in outputs):
        raise WorkflowError('"outputs" must be a list of node ids, e.g. ["9"]')
    for node in outputs:
        if str(node) not in graph:
            raise WorkflowError(f"outputs: the workflow has no node {node}")
    description = mapping.get("description")
    if description is not None and not isinstance(description, str):
        raise WorkflowError('"description" must be a text')
    title = mapping.get("title")
    if title is not None and not isinstance(title, str):
        raise WorkflowError('"title" must be a text')
    return Workflow(
        name=name,
        graph=graph,
        slots=slots,
        outputs=tuple(str(node) for node in outputs),
        description=description or f"the ComfyUI workflow {name}",
        source=source,
        title=(title or "").strip(),
    )


# -- helpers -----------------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise WorkflowError(f"{path.name} is not a text file") from None
    except json.JSONDecodeError as exc:
        raise WorkflowError(
            f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def checked_graph(graph: Any) -> dict[str, Any]:
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list) and "links" in graph:
        raise WorkflowError(
            "this is ComfyUI's own workflow format, not the API format: in ComfyUI use Workflow > Export (API) "
            "and save that file here"
        )
    if not isinstance(graph, dict) or not graph:
        raise WorkflowError("the workflow must be a JSON object of nodes (ComfyUI's Export (API) format)")
    for node_id, spec in graph.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("class_type"), str):
            raise WorkflowError(f"node {node_id} has no class_type: is this ComfyUI's Export (API) format?")
        if not isinstance(spec.get("inputs", {}), dict):
            raise WorkflowError(f"node {node_id}: its inputs must be an object")
        spec.setdefault("inputs", {})
    return graph


def _slot(field: str, raw: Any, graph: dict[str, Any]) -> Slot:
    if not _FIELD.match(field):
        raise WorkflowError(f"inputs.{field}: a name is lower case letters, digits and _, starting with a letter")
    spec = raw if isinstance(raw, dict) else {"to": raw}
    unknown = set(spec) - {"to", "type", "description", "default", "minimum", "maximum", "choices", "required"}
    if unknown:
        raise WorkflowError(f"inputs.{field}: unknown key(s) {', '.join(sorted(unknown))}")
    to = spec.get("to")
    targets = tuple(_target(field, item, graph) for item in (to if isinstance(to, list) else [to]))
    if not targets:
        raise WorkflowError(f'inputs.{field}: "to" names no node input')
    known = _KNOWN.get(field, {})
    first = targets[0]
    current = graph[first.node]["inputs"].get(first.input)
    kind = spec.get("type") or known.get("kind") or _kind_of(graph[first.node]["class_type"], first, current, field)
    if kind not in _KINDS:
        raise WorkflowError(f"inputs.{field}: type {kind!r} is not one of {', '.join(_KINDS)}")
    for target in targets:
        value = graph[target.node]["inputs"].get(target.input)
        if isinstance(value, list):
            raise WorkflowError(
                f"inputs.{field}: {target} is connected to node {value[0] if value else '?'}; map an input that "
                "holds a value"
            )
    default = spec.get("default", None if kind in ("image", "seed") else current)
    required = bool(spec.get("required", known.get("required", kind == "image")))
    minimum, maximum = spec.get("minimum", known.get("minimum")), spec.get("maximum", known.get("maximum"))
    if kind in ("integer", "number") and isinstance(default, (int, float)) and not isinstance(default, bool):
        # The graph's own value is always acceptable, even outside the usual bounds.
        minimum = min(minimum, default) if minimum is not None else None
        maximum = max(maximum, default) if maximum is not None else None
    choices = spec.get("choices")
    if choices is not None and (not isinstance(choices, list) or not choices):
        raise WorkflowError(f"inputs.{field}: choices must be a non-empty list")
    _check_default(field, kind, default, required)
    multiple = known.get("multiple_of")
    if multiple and isinstance(default, int) and default % multiple:
        multiple = None
    return Slot(
        name=field,
        kind=kind,
        targets=targets,
        default=default,
        required=required,
        description=str(spec.get("description") or known.get("description") or _description(kind, targets)),
        minimum=minimum,
        maximum=maximum,
        multiple_of=multiple,
        choices=tuple(choices) if choices else None,
    )


def _target(field: str, raw: Any, graph: dict[str, Any]) -> Target:
    if not isinstance(raw, str) or "." not in raw:
        raise WorkflowError(f'inputs.{field}: give the node input as "<node id>.<input>", e.g. "6.text"')
    node, name = raw.rsplit(".", 1)
    if node not in graph:
        raise WorkflowError(f"inputs.{field}: the workflow has no node {node}")
    if name not in graph[node]["inputs"]:
        known = ", ".join(sorted(graph[node]["inputs"])) or "none"
        raise WorkflowError(
            f"inputs.{field}: node {node} ({graph[node]['class_type']}) has no input {name!r}; it has {known}"
        )
    return Target(node, name)


def _kind_of(class_type: str, target: Target, value: Any, field: str) -> str:
    if class_type in _IMAGE_LOADERS and target.input == "image":
        return "image"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    raise WorkflowError(f'inputs.{field}: say its "type" ({", ".join(_KINDS)}): the graph has no value to go by')


def _check_default(field: str, kind: str, default: Any, required: bool) -> None:
    expected = {"text": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,)}.get(kind)
    if expected is None or (default is None and required):
        return
    if isinstance(default, bool) and kind != "boolean" or not isinstance(default, expected):
        words = {"text": "a text", "integer": "a whole number", "number": "a number", "boolean": "true or false"}
        raise WorkflowError(f"inputs.{field}: the value in the graph ({default!r}) is not {words[kind]}")


def _description(kind: str, targets: tuple[Target, ...]) -> str:
    where = ", ".join(str(target) for target in targets)
    return f"The image ComfyUI loads at node input {where}." if kind == "image" else f"Sets node input {where}."


def _field(slot: Slot) -> tuple[Any, Any]:
    words: dict[str, Any] = {"title": _TITLES.get(slot.name) or derive_display_name(slot.name)}
    if slot.name in _UNITS:
        words["json_schema_extra"] = form_hints(unit=_UNITS[slot.name])
    bounds: dict[str, Any] = {}
    if slot.minimum is not None:
        bounds["ge"] = slot.minimum
    if slot.maximum is not None:
        bounds["le"] = slot.maximum
    if slot.multiple_of:
        bounds["multiple_of"] = slot.multiple_of
    if slot.kind == "image":
        annotation: Any = ImageArtifact if slot.required else ImageArtifact | None
        return annotation, Field(... if slot.required else None, description=slot.description, **words)
    if slot.kind == "seed":
        return int | None, Field(slot.default, ge=0, le=MAX_SEED, description=slot.description, **words)
    base: Any = {"text": str, "integer": int, "number": float, "boolean": bool}[slot.kind]
    if slot.choices:
        base = Literal[slot.choices]
        bounds = {}
    if slot.kind == "text" and slot.required:
        bounds["min_length"] = 1
    default = ... if slot.required else slot.default
    return base, Field(default, description=slot.description, **words, **bounds)
