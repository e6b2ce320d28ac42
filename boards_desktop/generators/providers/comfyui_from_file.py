"""A ComfyUI workflow found in a picture, made into a workflow file the catalog offers as a generator.

ComfyUI's Save Image node writes two PNG texts: `prompt`, the graph in the API format (what ran),
and `workflow`, the editor's graph (nodes with positions and links; it cannot be run as it is).
Only the API graph can become a generator. Its mapping (comfyui_workflows) is derived here the way
an artist writes one by hand: from the first sampler (KSampler, KSamplerAdvanced, SamplerCustom,
SamplerCustomAdvanced) its positive and negative prompts' texts, its seed, steps and CFG, the
latent's width and height, the checkpoint its model comes from; each LoadImage node is an image
slot (`image`, `image_2`, ...; LoadImageMask: `mask`), and then the sampler's denoise is the
strength; the Save Image nodes are the outputs. A value held by another node (a primitive, a
string node, a LoRA in front of the checkpoint loader) is followed to the node that holds it.
The known names get their bounds and descriptions from comfyui_workflows, as in a hand-written
mapping, and the result is checked by the same parser before it is stored.
"""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from boards_desktop.generators.providers.comfyui_workflows import WorkflowError, checked_graph, parse_workflow

MAX_GRAPH_CHARS = 2_000_000  # as media.found_metadata: a few hundred nodes is well under this
_MAX_LINKS = 12  # how far a value is followed through other nodes
_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")
# Nodes a sampler reaches its settings through (SamplerCustomAdvanced: guider, noise and sigmas nodes).
_VIA = ("guider", "noise", "sigmas")
_TEXT_KEYS = ("text", "text_g", "text_l", "prompt", "string", "value")
_PASS_ON = ("conditioning", "conditioning_1", "conditioning_to", "positive", "cond")
_IMAGE_LOADERS = {"LoadImage": "image", "LoadImageMask": "mask"}


@dataclass(frozen=True)
class FoundGraphs:
    prompt: dict[str, Any] | None  # the API graph, when the file has one that parses
    has_editor_workflow: bool  # the editor's `workflow` text


def read_comfyui_graphs(path: Path) -> FoundGraphs:
    """The ComfyUI graphs in the picture's text chunks (no pixel is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                info = dict(image.info)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return FoundGraphs(None, False)
    prompt = info.get("prompt")
    graph: Any = None
    if isinstance(prompt, str) and len(prompt) <= MAX_GRAPH_CHARS:
        try:
            graph = json.loads(prompt)
        except ValueError:
            graph = None
    return FoundGraphs(graph if isinstance(graph, dict) and graph else None, isinstance(info.get("workflow"), str))


def workflow_file_name(name: str) -> str:
    """The file (and generator) name for what the artist calls it: "Heron ink v2" -> "heron-ink-v2"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")  # "Héron" -> "Heron"
    text = re.sub(r"[^a-z0-9_.-]+", "-", plain.strip().lower())
    return re.sub(r"-{2,}", "-", text).strip("-._")[:80].rstrip("-._")


def workflow_document(graph: Any, *, title: str, description: str) -> dict[str, Any]:
    """The one-file form the catalog reads: the graph under "workflow", its derived mapping beside it.

    Raises WorkflowError (what to do instead) when the graph is not one the app can run."""
    graph = checked_graph(graph)
    mapping = derive_mapping(graph)
    document = {"title": title, "description": description, **mapping, "workflow": graph}
    parse_workflow("derived", json.loads(json.dumps(graph)), document, source="the file")  # as the catalog will
    return document


def derive_mapping(graph: dict[str, Any]) -> dict[str, Any]:
    """{"inputs": {...}, "outputs": [...]} for an API graph (see the module's docstring)."""
    nodes = {str(key): node for key, node in graph.items()}
    inputs: dict[str, Any] = {}
    sampler = next((node_id for node_id in _ordered(nodes) if nodes[node_id]["class_type"] in _SAMPLERS), None)
    if sampler is not None:
        for field, key in (("prompt", "positive"), ("negative_prompt", "negative")):
            link = _setting(nodes, sampler, key) or (
                _setting(nodes, sampler, "conditioning") if key == "positive" else None
            )
            targets = _text_targets(nodes, link)
            if targets:
                inputs[field] = targets[0] if len(targets) == 1 else targets
        for field, keys in (("seed", ("seed", "noise_seed")), ("steps", ("steps",)), ("cfg", ("cfg",))):
            target = next((found for key in keys if (found := _value_target(nodes, sampler, key))), None)
            if target:
                inputs[field] = target
        latent = _linked_node(nodes, _setting(nodes, sampler, "latent_image"))
        if latent is not None:
            for key in ("width", "height"):
                target = _value_target(nodes, latent, key)
                if target:
                    inputs[key] = target
        checkpoint = _checkpoint_target(nodes, _setting(nodes, sampler, "model"))
        if checkpoint:
            inputs["checkpoint"] = checkpoint
    counts: dict[str, int] = {}
    for node_id in _ordered(nodes):
        slot = _IMAGE_LOADERS.get(nodes[node_id]["class_type"])
        if slot and isinstance(nodes[node_id]["inputs"].get("image"), str):
            counts[slot] = counts.get(slot, 0) + 1
            inputs[slot if counts[slot] == 1 else f"{slot}_{counts[slot]}"] = f"{node_id}.image"
    if counts and sampler is not None:
        denoise = _value_target(nodes, sampler, "denoise")
        if denoise:
            inputs["denoise"] = denoise
    outputs = [node_id for node_id in _ordered(nodes) if _saves_images(nodes[node_id])]
    if not outputs:
        raise WorkflowError(
            "this workflow saves no image (it has no Save Image node): add one in ComfyUI, make a picture with it, "
            "and upload that picture"
        )
    inputs = {field: to for field, to in inputs.items() if _fits(nodes, field, to)}
    if not inputs:
        raise WorkflowError(
            "no prompt, seed, size or image to set was found in this workflow (it has no sampler the app knows); "
            "in ComfyUI use Workflow > Export (API) and put the file, with a mapping of its inputs, in the "
            "comfyui-workflows folder (see the README's ComfyUI section)"
        )
    return {"inputs": inputs, "outputs": outputs}


# -- following links ----------------------------------------------------------------------------------


def _ordered(nodes: dict[str, Any]) -> list[str]:
    """Node ids in ComfyUI's order: numbers by value ("3" before "10"), then the rest."""
    return sorted(nodes, key=lambda node_id: (0, int(node_id), "") if node_id.isdigit() else (1, 0, node_id))


def _setting(nodes: dict[str, Any], node_id: str, key: str) -> Any:
    """An input of the sampler, or of the guider, noise or sigmas node it takes it from."""
    inputs = nodes[node_id]["inputs"]
    if key in inputs:
        return inputs[key]
    for via in _VIA:
        linked = _linked_node(nodes, inputs.get(via))
        if linked is not None and key in nodes[linked]["inputs"]:
            return nodes[linked]["inputs"][key]
    return None


def _linked_node(nodes: dict[str, Any], link: Any) -> str | None:
    if isinstance(link, list) and link and str(link[0]) in nodes:
        return str(link[0])
    return None


def _owner(nodes: dict[str, Any], sampler: str, key: str) -> str | None:
    """The node whose input `key` is the sampler's setting (the sampler, or a node it goes through)."""
    if key in nodes[sampler]["inputs"]:
        return sampler
    for via in _VIA:
        linked = _linked_node(nodes, nodes[sampler]["inputs"].get(via))
        if linked is not None and key in nodes[linked]["inputs"]:
            return linked
    return None


def _value_target(nodes: dict[str, Any], node_id: str, key: str, depth: int = 0) -> str | None:
    """`"<node>.<input>"` holding the value of `key` (followed into the node it links to), or None."""
    owner = _owner(nodes, node_id, key) if depth == 0 else node_id
    if owner is None:
        return None
    value = nodes[owner]["inputs"].get(key)
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return f"{owner}.{key}"
    linked = _linked_node(nodes, value)
    if linked is None or depth >= _MAX_LINKS:
        return None
    held = nodes[linked]["inputs"]
    for other in (key, "value", "seed", "noise_seed", "int", "float", "number"):
        if other in held:
            return _value_target(nodes, linked, other, depth + 1)
    return None


def _text_targets(nodes: dict[str, Any], link: Any, depth: int = 0) -> list[str]:
    """The text inputs behind a conditioning link (both of an SDXL encoder's), through nodes that pass it on."""
    node_id = _linked_node(nodes, link)
    if node_id is None or depth > _MAX_LINKS:
        return []
    inputs = nodes[node_id]["inputs"]
    found: list[str] = []
    for key in _TEXT_KEYS:
        value = inputs.get(key)
        if isinstance(value, str):
            found.append(f"{node_id}.{key}")
        elif key in inputs and not found:
            found.extend(_text_targets(nodes, value, depth + 1))
    if found:
        return found[:2]
    for key in _PASS_ON:
        if key in inputs:
            found = _text_targets(nodes, inputs[key], depth + 1)
            if found:
                return found
    return []


def _checkpoint_target(nodes: dict[str, Any], link: Any, depth: int = 0) -> str | None:
    """The checkpoint loader's `ckpt_name` behind the sampler's model, through LoRAs and patches."""
    node_id = _linked_node(nodes, link)
    if node_id is None or depth > _MAX_LINKS:
        return None
    inputs = nodes[node_id]["inputs"]
    if isinstance(inputs.get("ckpt_name"), str):
        return f"{node_id}.ckpt_name"
    return _checkpoint_target(nodes, inputs.get("model"), depth + 1) if "model" in inputs else None


def _fits(nodes: dict[str, Any], field: str, to: Any) -> bool:
    """Whether the value there is of the field's kind (an odd custom node's text "steps" is left to the graph)."""
    node_id, key = (to[0] if isinstance(to, list) else to).rsplit(".", 1)
    value = nodes[node_id]["inputs"].get(key)
    if field in ("seed", "steps", "width", "height"):
        return isinstance(value, int) and not isinstance(value, bool)
    if field in ("cfg", "denoise"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _saves_images(node: dict[str, Any]) -> bool:
    class_type = str(node["class_type"])
    return class_type == "SaveImage" or ("Save" in class_type and "Image" in class_type and "images" in node["inputs"])


def values_in_file(document: dict[str, Any]) -> dict[str, Any]:
    """What the picture was made with, by the new generator's fields (not its images): for the composer."""
    workflow = parse_workflow("derived", json.loads(json.dumps(document["workflow"])), document, source="the file")
    values: dict[str, Any] = {}
    for slot in workflow.slots:
        if slot.kind == "image":
            continue
        first = slot.targets[0]
        values[slot.name] = workflow.graph[first.node]["inputs"].get(first.input)
    return values
