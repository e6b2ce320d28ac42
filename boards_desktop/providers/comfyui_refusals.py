"""What ComfyUI says when it will not or could not run a workflow, in words an artist can act on.

ComfyUI says no in three places:
- `POST /prompt` answers 400 with `{"error": {type, message, details}, "node_errors": {node id:
  {"errors": [{type, message, details, extra_info: {input_name, received_value}}], "class_type"}}}`;
  an unknown node class comes as `{"error": {"type": "invalid_prompt", "message": "Cannot execute
  because node X does not exist.", "details": "Node ID '#7'"}, "node_errors": {}}`;
- the `execution_error` message (and the same entry in `/history`'s status messages), with
  `node_id`, `node_type`, `exception_type` and `exception_message`;
- `execution_interrupted`, when someone stopped it in ComfyUI.

`FieldNames` maps a node input to the artist's own field (`("3", "steps") -> "steps"`), so a
refusal about a value the artist chose says which one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

FieldNames = Mapping[tuple[str, str], str]

LOST = "ComfyUI restarted and lost this job; generate it again"  # in neither its queue nor its history
INTERRUPTED = "ComfyUI stopped this job before it finished (it was interrupted in ComfyUI); generate it again"
_MISSING_CLASS = re.compile(r"node (.+?) does not exist", re.IGNORECASE)
_NODE_ID = re.compile(r"#(\S+?)'")
_MAX_LENGTH = 900


def refusal_message(body: Any, fields: FieldNames | None = None) -> str:
    """The artist's message for a 400 answer to `POST /prompt`."""
    fields = fields or {}
    body = body if isinstance(body, dict) else {}
    error = body.get("error")
    node_errors = body.get("node_errors")
    if isinstance(error, dict) and error.get("type") == "invalid_prompt":
        found = _MISSING_CLASS.search(str(error.get("message") or ""))
        if found:
            node = _NODE_ID.search(str(error.get("details") or ""))
            return missing_nodes_message({found.group(1): [node.group(1)] if node else []})
    problems = []
    if isinstance(node_errors, dict):
        for node_id in sorted(node_errors, key=_node_order):
            entry = node_errors[node_id] if isinstance(node_errors[node_id], dict) else {}
            problems.append(_node_problem(str(node_id), entry, fields))
    if problems:
        return _cut("ComfyUI refused the workflow: " + "; ".join(problems))
    if isinstance(error, dict):
        if error.get("type") == "prompt_no_outputs":
            return "ComfyUI refused the workflow: it has no output node; add a Save Image node to it"
        said = _words(error.get("message"), error.get("details"))
        return _cut(f"ComfyUI refused the workflow: {said or 'no reason given'}")
    return _cut(f"ComfyUI refused the workflow: {_words(error) or 'no reason given'}")


def missing_nodes_message(missing: Mapping[str, Iterable[str]]) -> str:
    """`missing`: node class -> the ids of the workflow's nodes of that class."""
    names = []
    for class_type in sorted(missing):
        ids = sorted(missing[class_type], key=_node_order)
        names.append(f"{class_type} (node {', '.join(ids)})" if ids else class_type)
    what = "the custom node " if len(names) == 1 else "the custom nodes "
    return _cut(
        f"this workflow needs {what}{', '.join(names)}, which this ComfyUI does not have; install it in ComfyUI "
        "(ComfyUI Manager can find it by name), restart ComfyUI, then generate again"
    )


def execution_error_message(data: Any) -> str:
    """The artist's message for an `execution_error`."""
    data = data if isinstance(data, dict) else {}
    where = _node_label(data.get("node_id"), data.get("node_type"))
    message = " ".join(str(data.get("exception_message") or "").split())
    kind = str(data.get("exception_type") or "").rsplit(".", 1)[-1]
    if "out of memory" in message.lower() or kind == "OutOfMemoryError":
        return _cut(
            f"ComfyUI ran out of memory at {where}: {message or kind}; try a smaller size or fewer images, "
            "or close other programs that use the graphics card"
        )
    said = f"{kind}: {message}" if kind and message else (message or kind or "no reason given")
    return _cut(f"ComfyUI failed at {where}: {said}")


def _node_problem(node_id: str, entry: dict[str, Any], fields: FieldNames) -> str:
    reasons = [_reason(node_id, error, fields) for error in entry.get("errors") or [] if isinstance(error, dict)]
    return f"{_node_label(node_id, entry.get('class_type'))}: {', '.join(reasons) or 'an input it depends on failed'}"


def _reason(node_id: str, error: dict[str, Any], fields: FieldNames) -> str:
    extra = info if isinstance(info := error.get("extra_info"), dict) else {}
    input_name = str(extra.get("input_name") or "")
    value = extra.get("received_value")
    if error.get("type") == "value_not_in_list" and input_name == "ckpt_name":
        has = _listed(error.get("details"))
        return (
            f"the checkpoint {value!r} is not in ComfyUI's models/checkpoints folder; put it there, or choose "
            f"one ComfyUI has{f': {has}' if has else ''}"
        )
    if error.get("type") == "value_not_in_list" and input_name == "image":
        return f"the image {value!r} is not in ComfyUI's input folder"
    said = _words(error.get("message"), error.get("details")) or "refused"
    field = fields.get((node_id, input_name))
    return f"{said} (your input {field})" if field else said


def _listed(details: Any) -> str:
    """The accepted values of a `value_not_in_list` error's details: "ckpt_name: 'x' not in ['a', 'b']"."""
    text = str(details or "")
    return text.split(" not in ", 1)[1].strip() if " not in " in text else ""


def _node_label(node_id: Any, class_type: Any) -> str:
    if node_id is None:
        return "a node"
    return f"node {node_id} ({class_type})" if class_type else f"node {node_id}"


def _words(*parts: Any) -> str:
    said = [" ".join(str(part).split()) for part in parts if part not in (None, "")]
    return ": ".join(said)


def _node_order(node_id: Any) -> tuple[int, str]:
    text = str(node_id)
    return (int(text), text) if text.isdigit() else (1 << 62, text)


def _cut(message: str) -> str:
    return message if len(message) <= _MAX_LENGTH else message[: _MAX_LENGTH - 1] + "…"
