"""The fake ComfyUI's node library and its validation of a prompt, as ComfyUI's `execution.validate_prompt` does it.

Node classes are described as ComfyUI's `/object_info` describes them (`input.required` with
`["INT", {"min", "max"}]`, combo lists, link types; `output`; `output_node`). Validation answers
what ComfyUI answers: an unknown class or a node without `class_type` is an `invalid_prompt`, a
graph without an output node `prompt_no_outputs`, and per node `required_input_missing`,
`return_type_mismatch`, `invalid_input_type`, `value_smaller_than_min`, `value_bigger_than_max`,
`value_not_in_list` (the list shown when it has at most 20 entries), gathered as `node_errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SAMPLERS = ["euler", "euler_ancestral", "heun", "dpm_2", "dpmpp_2m", "dpmpp_sde", "ddim", "uni_pc"]
SCHEDULERS = ["normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform", "beta"]
MAX_INT = 0xFFFFFFFFFFFFFFFF
STEPPED = {"KSampler", "KSamplerAdvanced"}  # nodes that send `progress` per step


def _spec(
    name: str, required: dict[str, Any], output: Sequence[str], *, output_node: bool = False, category: str = "sampling"
) -> dict[str, Any]:
    return {
        "input": {"required": required, "optional": {}},
        "input_order": {"required": list(required), "optional": []},
        "output": list(output),
        "output_is_list": [False] * len(output),
        "output_name": list(output),
        "name": name,
        "display_name": name,
        "description": "",
        "python_module": "nodes",
        "category": category,
        "output_node": output_node,
    }


def node_classes(checkpoints: Sequence[str], input_files: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`/object_info`: the classes this fake knows, with the combo lists of this moment."""
    size = {"default": 512, "min": 16, "max": 16384, "step": 8}
    return {
        "CheckpointLoaderSimple": _spec(
            "CheckpointLoaderSimple", {"ckpt_name": [list(checkpoints)]}, ["MODEL", "CLIP", "VAE"], category="loaders"
        ),
        "CLIPTextEncode": _spec(
            "CLIPTextEncode",
            {"text": ["STRING", {"multiline": True, "dynamicPrompts": True}], "clip": ["CLIP"]},
            ["CONDITIONING"],
            category="conditioning",
        ),
        "EmptyLatentImage": _spec(
            "EmptyLatentImage",
            {
                "width": ["INT", size],
                "height": ["INT", size],
                "batch_size": ["INT", {"default": 1, "min": 1, "max": 4096}],
            },
            ["LATENT"],
            category="latent",
        ),
        "KSampler": _spec(
            "KSampler",
            {
                "model": ["MODEL"],
                "seed": ["INT", {"default": 0, "min": 0, "max": MAX_INT, "control_after_generate": True}],
                "steps": ["INT", {"default": 20, "min": 1, "max": 10000}],
                "cfg": ["FLOAT", {"default": 8.0, "min": 0.0, "max": 100.0, "step": 0.1, "round": 0.01}],
                "sampler_name": [SAMPLERS],
                "scheduler": [SCHEDULERS],
                "positive": ["CONDITIONING"],
                "negative": ["CONDITIONING"],
                "latent_image": ["LATENT"],
                "denoise": ["FLOAT", {"default": 1.0, "min": 0.0, "max": 1.0, "step": 0.01}],
            },
            ["LATENT"],
        ),
        "VAEDecode": _spec("VAEDecode", {"samples": ["LATENT"], "vae": ["VAE"]}, ["IMAGE"], category="latent"),
        "VAEEncode": _spec("VAEEncode", {"pixels": ["IMAGE"], "vae": ["VAE"]}, ["LATENT"], category="latent"),
        "LoadImage": _spec(
            "LoadImage", {"image": [sorted(input_files), {"image_upload": True}]}, ["IMAGE", "MASK"], category="image"
        ),
        "SaveImage": _spec(
            "SaveImage",
            {"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]},
            [],
            output_node=True,
            category="image",
        ),
        "PreviewImage": _spec("PreviewImage", {"images": ["IMAGE"]}, [], output_node=True, category="image"),
    }


def validate_prompt(prompt: Any, classes: dict[str, dict[str, Any]]) -> tuple[bool, Any, list[str], dict[str, Any]]:
    """(valid, error, outputs to execute, node_errors), as ComfyUI returns them."""
    if not isinstance(prompt, dict):
        return False, _error("invalid_prompt", "Cannot execute because the prompt is not an object.", ""), [], {}
    outputs = []
    for node_id, node in prompt.items():
        if not isinstance(node, dict) or "class_type" not in node:
            message = "Cannot execute because a node is missing the class_type property."
            return False, _error("invalid_prompt", message, f"Node ID '#{node_id}'"), [], {}
        if node["class_type"] not in classes:
            message = f"Cannot execute because node {node['class_type']} does not exist."
            return False, _error("invalid_prompt", message, f"Node ID '#{node_id}'"), [], {}
        if classes[node["class_type"]]["output_node"]:
            outputs.append(str(node_id))
    if not outputs:
        return False, _error("prompt_no_outputs", "Prompt has no outputs", ""), [], {}
    validated: dict[str, tuple[bool, list[dict[str, Any]]]] = {}
    good, failed = [], []
    for output in outputs:
        valid, reasons = _validate_node(prompt, output, classes, validated)
        (good if valid else failed).append((output, reasons))
    node_errors: dict[str, Any] = {}
    for output, _reasons in failed:
        for node_id, (valid, reasons) in validated.items():
            if not valid and reasons:
                entry = node_errors.setdefault(
                    node_id, {"errors": reasons, "dependent_outputs": [], "class_type": prompt[node_id]["class_type"]}
                )
                entry["dependent_outputs"].append(output)
    if not good:
        details = "\n".join(f"{r['message']}: {r['details']}" for _o, reasons in failed for r in reasons)
        return (
            False,
            _error("prompt_outputs_failed_validation", "Prompt outputs failed validation", details),
            [],
            (node_errors),
        )
    return True, None, [output for output, _ in good], node_errors


def _validate_node(prompt: dict, node_id: str, classes: dict, validated: dict) -> tuple[bool, list[dict]]:
    if node_id in validated:
        return validated[node_id]
    validated[node_id] = (True, [])  # a cycle reads as valid here; ComfyUI refuses it at execution
    node = prompt[node_id]
    spec = classes[node["class_type"]]
    inputs = node.get("inputs") or {}
    errors: list[dict[str, Any]] = []
    valid = True
    for name, info in spec["input"]["required"].items():
        kind = info[0]
        options = info[1] if len(info) > 1 and isinstance(info[1], dict) else {}
        if name not in inputs:
            errors.append(_reason("required_input_missing", "Required input is missing", name, name))
            continue
        value = inputs[name]
        if isinstance(value, list):
            source = str(value[0]) if len(value) == 2 else None
            if source is None or source not in prompt:
                errors.append(
                    _reason(
                        "bad_linked_input",
                        "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                        name,
                        name,
                        value,
                    )
                )
                continue
            produced = classes[prompt[source]["class_type"]]["output"]
            received = produced[value[1]] if isinstance(value[1], int) and value[1] < len(produced) else None
            if received != kind:
                errors.append(
                    _reason(
                        "return_type_mismatch",
                        "Return type mismatch between linked nodes",
                        f"{name}, received_type({received}) mismatch input_type({kind})",
                        name,
                    )
                )
                continue
            if not _validate_node(prompt, source, classes, validated)[0]:
                valid = False
            continue
        if isinstance(kind, list):
            if value not in kind:
                listed = str(kind) if len(kind) <= 20 else f"(list of length {len(kind)})"
                errors.append(
                    _reason("value_not_in_list", "Value not in list", f"{name}: '{value}' not in {listed}", name, value)
                )
            continue
        try:
            value = {"INT": int, "FLOAT": float, "STRING": str}.get(kind, lambda v: v)(value)
        except (TypeError, ValueError) as exc:
            errors.append(
                _reason(
                    "invalid_input_type",
                    f"Failed to convert an input value to a {kind} value",
                    f"{name}, {value}, {exc}",
                    name,
                    value,
                )
            )
            continue
        if "min" in options and value < options["min"]:
            errors.append(
                _reason(
                    "value_smaller_than_min", f"Value {value} smaller than min of {options['min']}", name, name, value
                )
            )
        elif "max" in options and value > options["max"]:
            errors.append(
                _reason(
                    "value_bigger_than_max", f"Value {value} bigger than max of {options['max']}", name, name, value
                )
            )
    result = (not errors and valid, errors)
    validated[node_id] = result
    return result


def _error(kind: str, message: str, details: str) -> dict[str, Any]:
    return {"type": kind, "message": message, "details": details, "extra_info": {}}


def _reason(kind: str, message: str, details: str, name: str, value: Any = None) -> dict[str, Any]:
    extra: dict[str, Any] = {"input_name": name}
    if value is not None:
        extra["received_value"] = value
    return {"type": kind, "message": message, "details": details, "extra_info": extra}


def execution_order(prompt: dict[str, Any], outputs: Sequence[str]) -> list[str]:
    """Dependencies first, each node once, output by output (as ComfyUI walks them)."""
    order: list[str] = []

    def visit(node_id: str) -> None:
        if node_id in order:
            return
        for value in (prompt[node_id].get("inputs") or {}).values():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) in prompt:
                visit(str(value[0]))
        order.append(node_id)

    for output in outputs:
        visit(output)
    return order


def upstream(prompt: dict[str, Any], node_id: str, class_types: set[str]) -> str | None:
    """The nearest node of one of `class_types` that `node_id` depends on (breadth first)."""
    seen, frontier = set(), [node_id]
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        if prompt[current]["class_type"] in class_types and current != node_id:
            return current
        for value in (prompt[current].get("inputs") or {}).values():
            if isinstance(value, list) and len(value) == 2 and str(value[0]) in prompt:
                frontier.append(str(value[0]))
    return None
