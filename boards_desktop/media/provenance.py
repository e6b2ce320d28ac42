"""What an exported file says about how it was made, in two forms side by side.

- `parameters`: the text the Stable Diffusion WebUI writes (prompt, `Negative prompt: ...`, then one
  line of `Key: value` settings), so that the "PNG info" readers of the WebUI, ComfyUI's loaders,
  Civitai and image browsers show the prompt and settings without knowing this app.
- the provenance document: JSON of our own, with the generator and every input, the ids of the
  generation and its board, its parents' ids and content hashes, the stored original's SHA-256 and
  the app's version. An upload reads it back (media.found_metadata) to link a file edited elsewhere
  into its lineage.

Both are built from the generation's row only; what is stored is never changed (media.embed writes
them into the copy that leaves the app).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from boards_desktop import __version__

PROVENANCE_FORMAT = "boards-desktop/provenance"
PROVENANCE_VERSION = 1
APP_NAME = "Boards Desktop"
# The input names generators use for each WebUI setting, first match wins.
_SETTINGS = (
    ("Steps", ("steps", "num_inference_steps", "num_steps")),
    ("Sampler", ("sampler", "sampler_name")),
    ("Schedule type", ("scheduler",)),
    ("CFG scale", ("cfg_scale", "cfg", "guidance_scale", "guidance")),
    ("Seed", ("seed",)),
    ("Denoising strength", ("denoise", "strength", "denoising_strength")),
)
_MODEL_KEYS = ("model", "checkpoint", "model_name", "ckpt_name", "base_model")
_NEGATIVE_KEYS = ("negative_prompt", "negative")


@dataclass(frozen=True)
class ParentFact:
    """One input of the generation: its id, its role, and its stored file's SHA-256 when known."""

    generation_id: str
    role: str
    sha256: str | None


@dataclass(frozen=True)
class Provenance:
    parameters: str | None  # the WebUI's text, or None when the generation has no prompt or setting to say
    document: dict[str, Any]

    def document_json(self) -> str:
        return json.dumps(self.document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    def summary(self) -> str:
        """One line for fields that hold a sentence (XMP dc:description when there is no prompt)."""
        return self.parameters or f"Made with {self.document['generator']} in {APP_NAME}"


def provenance_of(row: Any, parents: list[ParentFact]) -> Provenance:
    """The two forms for a generation row (a model or a record with the generations columns)."""
    params = row.input_params if isinstance(row.input_params, dict) else {}
    metadata = row.output_metadata if isinstance(row.output_metadata, dict) else {}
    document: dict[str, Any] = {
        "format": PROVENANCE_FORMAT,
        "version": PROVENANCE_VERSION,
        "app": {"name": APP_NAME, "version": __version__},
        "generation_id": str(row.id),
        "board_id": str(row.board_id),
        "generator": row.generator_name,
        "artifact_type": row.artifact_type,
        "inputs": params,
        "parents": [
            {"generation_id": parent.generation_id, "role": parent.role, "sha256": parent.sha256} for parent in parents
        ],
        "sha256": metadata.get("sha256"),
        "created_at": _iso(getattr(row, "created_at", None)),
    }
    return Provenance(webui_parameters(row.generator_name, params, metadata), document)


def webui_parameters(generator: str, params: dict[str, Any], metadata: dict[str, Any]) -> str | None:
    """`prompt\\nNegative prompt: ...\\nSteps: 20, Sampler: euler, CFG scale: 7, Seed: 1, Size: 512x512, Model: x`."""
    raw_prompt = params.get("prompt")
    prompt: str = raw_prompt if isinstance(raw_prompt, str) else ""
    negative = _first(params, _NEGATIVE_KEYS)
    settings: list[tuple[str, Any]] = []
    for label, keys in _SETTINGS:
        value = _first(params, keys)
        if value is not None:
            settings.append((label, value))
    width, height = metadata.get("width"), metadata.get("height")
    if isinstance(width, int) and isinstance(height, int):
        settings.append(("Size", f"{width}x{height}"))
    model = _first(params, _MODEL_KEYS)
    settings.append(("Model", model if model is not None else generator))
    if not prompt and len(settings) <= 1:
        return None  # nothing a reader would want beyond the generator's name
    settings.append(("Generator", generator))
    lines = [prompt]
    if isinstance(negative, str) and negative:
        lines.append(f"Negative prompt: {negative}")
    lines.append(", ".join(f"{label}: {_quoted(value)}" for label, value in settings))
    return "\n".join(lines)


def _first(params: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = params.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and value != "":
            return value
    return None


def _quoted(value: Any) -> str:
    """The WebUI's rule: a value holding a comma, a colon or a quote is written as a JSON string."""
    text = str(value)
    if any(char in text for char in ',:"\n'):
        return json.dumps(text, ensure_ascii=False)
    return text


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else None
