"""The settings another tool wrote into a picture, as the inputs of the WebUI's text-to-image form.

An upload's found settings (media.found_metadata: the WebUI's `parameters`, or this app's own
provenance of a WebUI generation) are named as the upload's inputParams: prompt, negative_prompt,
steps, sampler, scheduler, cfg_scale, seed, width, height, model (and model_hash), with the WebUI's
other settings under `settings` ("Hires upscaler", "Hires upscale", "Denoising strength"...). Each
goes to the form's field where its value fits the field as the generator offers it now: a choice
must be one the engine has (a checkpoint found by its title, name, file name or hash; a sampler,
scheduler or upscaler by its name or label), a number within the field's bounds. What does not fit
is left at the form's default and named in `not_available`, so the artist knows what differs.

Pure: it reads the generator's JSON schema (which carries the engine's choices as enums), nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from boards_desktop.generators.form_hints import ENUM_LABELS

GENERATOR = "sdwebui/text-to-image"
# The form's field <- the names found settings may have it under (the WebUI's own, then ours).
_FIELDS: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt",),
    "negative_prompt": ("negative_prompt",),
    "checkpoint": ("checkpoint", "model"),
    "sampler": ("sampler",),
    "scheduler": ("scheduler",),
    "steps": ("steps",),
    "cfg_scale": ("cfg_scale",),
    "seed": ("seed",),
    "width": ("width",),
    "height": ("height",),
    "batch_size": ("batch_size",),
    "upscaler": ("upscaler", "Hires upscaler"),
    "upscale_by": ("upscale_by", "Hires upscale"),
    "upscale_denoising": ("upscale_denoising", "denoise", "Denoising strength"),
}
# How the note names a field.
_WORDS = {"checkpoint": "model", "cfg_scale": "CFG scale", "upscaler": "hires upscaler", "upscale_by": "hires upscale"}
_EMPTY = ("", "none", "automatic")  # the WebUI's words for "its own default": nothing to set


@dataclass
class MappedSettings:
    inputs: dict[str, Any] = field(default_factory=dict)
    not_available: list[str] = field(default_factory=list)  # e.g. 'sampler "Restart"'


def webui_inputs(found: dict[str, Any], schema: dict[str, Any]) -> MappedSettings:
    """`found` (an upload's inputParams) as inputs of the form `schema` describes."""
    properties: dict[str, Any] = schema.get("properties") or {}
    nested = found.get("settings")
    others: dict[str, Any] = nested if isinstance(nested, dict) else {}
    values = {**others, **{key: value for key, value in found.items() if key != "settings"}}
    hires = values.get("Hires upscaler") is not None or values.get("upscaler") is not None
    result = MappedSettings()
    if values.get("sampler") is not None and values.get("scheduler") is None:
        _split_old_sampler(values, _property(properties.get("sampler")), _property(properties.get("scheduler")))
    for name, keys in _FIELDS.items():
        if name not in properties:
            continue
        if name == "upscale_denoising" and not hires:
            continue  # "Denoising strength" without a hires pass is image-to-image's, not an upscale's
        raw = next((values[key] for key in keys if values.get(key) is not None), None)
        if raw is None or name == "seed" and _number(raw) == -1:  # -1: the WebUI's "random", the form's empty seed
            continue
        spec = _property(properties[name])
        value = _fitted(name, raw, spec, values)
        if value is not None:
            result.inputs[name] = value
        elif not (isinstance(raw, str) and raw.strip().lower() in _EMPTY):
            why = _bounds(spec)
            result.not_available.append(f"{_WORDS.get(name, name.replace('_', ' '))} {_shown(raw)}{why}")
    return result


def _property(spec: Any) -> dict[str, Any]:
    """A field's schema with its non-null branch folded in (`int | None` puts the bounds there)."""
    if not isinstance(spec, dict):
        return {}
    merged = dict(spec)
    for branch in spec.get("anyOf") or []:
        if isinstance(branch, dict) and branch.get("type") != "null":
            merged = {**branch, **{key: value for key, value in spec.items() if key != "anyOf"}}
            break
    return merged


def _fitted(name: str, raw: Any, spec: dict[str, Any], values: dict[str, Any]) -> Any:
    """The value as the field takes it, or None when it does not fit."""
    kind = spec.get("type")
    if "enum" in spec:
        return _choice(name, raw, spec, values)
    if kind == "string":
        return raw if isinstance(raw, str) else None
    if kind in ("integer", "number"):
        number = _number(raw)
        if number is None or (kind == "integer" and number != int(number)):
            return None
        number = int(number) if kind == "integer" else float(number)
        if "minimum" in spec and number < spec["minimum"] or "maximum" in spec and number > spec["maximum"]:
            return None
        multiple = spec.get("multipleOf")
        if multiple and number % multiple:
            return None
        return number
    return raw if isinstance(raw, (str, int, float)) else None


def _bounds(spec: dict[str, Any]) -> str:
    """What a number field takes, for the note: " (64 to 2048, a multiple of 8)"."""
    if spec.get("type") not in ("integer", "number") or "minimum" not in spec or "maximum" not in spec:
        return ""
    multiple = f", a multiple of {spec['multipleOf']}" if spec.get("multipleOf") else ""
    return f" (the form takes {spec['minimum']:g} to {spec['maximum']:g}{multiple})"


def _choice(name: str, raw: Any, spec: dict[str, Any], values: dict[str, Any]) -> Any:
    options = [option for option in spec["enum"] if option is not None]
    labels: dict[str, str] = spec.get(ENUM_LABELS) or {}
    wanted = str(raw).strip().lower()
    for option in options:
        if wanted in (str(option).lower(), str(labels.get(str(option), "")).lower()):
            return option
    if name != "checkpoint":
        return None
    # A checkpoint: the WebUI writes its name ("sd_xl_base_1.0") and hash; the form offers titles
    # ("sd_xl_base_1.0.safetensors [31e35c80fc]", a folder maybe) with the names as labels.
    model_hash = str(values.get("model_hash") or "").strip().lower()
    for option in options:
        title = str(option).lower()
        stem = _file_stem(re.sub(r"\s*\[[0-9a-f]+\]$", "", title))
        if stem and stem == _file_stem(wanted):
            return option
    if model_hash:
        for option in options:
            found = re.search(r"\[([0-9a-f]+)\]$", str(option).lower())
            if found and (found.group(1).startswith(model_hash) or model_hash.startswith(found.group(1))):
                return option
    return None


def _file_stem(text: str) -> str:
    """ "models/xl/sd_xl_base_1.0.safetensors" -> "sd_xl_base_1.0"."""
    return re.sub(r"\.(safetensors|ckpt|pt|bin|gguf)$", "", text.replace("\\", "/").rsplit("/", 1)[-1])


def _split_old_sampler(values: dict[str, Any], sampler: dict[str, Any], scheduler: dict[str, Any]) -> None:
    """Before version 1.9 the WebUI named the schedule in the sampler ("DPM++ 2M Karras")."""
    raw = str(values["sampler"])
    if "enum" not in sampler or raw in sampler["enum"] or "enum" not in scheduler:
        return
    labels: dict[str, str] = scheduler.get(ENUM_LABELS) or {}
    for option in scheduler["enum"]:
        label = str(labels.get(str(option), option))
        if option and raw.lower().endswith(" " + label.lower()) and raw[: -len(label) - 1] in sampler["enum"]:
            values["sampler"], values["scheduler"] = raw[: -len(label) - 1], option
            return


def _number(raw: Any) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    try:
        return float(str(raw).strip())
    except ValueError:
        return None


def _shown(raw: Any) -> str:
    text = str(raw)
    return f"“{text[:60]}”" if isinstance(raw, str) else text
