"""What other tools (and this app) wrote into an uploaded picture about how it was made.

Read from the file's header blocks only (Pillow's `info`, EXIF and XMP; no pixel is decoded):

- Stable Diffusion WebUI (and Forge, SD.Next, Civitai): the `parameters` PNG text, or EXIF
  UserComment in JPEG/WebP (`UNICODE` + UTF-16): prompt, `Negative prompt: ...`, then a line of
  `Key: value` settings, a value with a comma written as a JSON string.
- ComfyUI: the `prompt` PNG text (the API graph: `{node id: {class_type, inputs}}`, an input
  linking to another node as `[node id, output index]`) and `workflow` (the editor's graph). The
  sampler node gives seed, steps, CFG, sampler and scheduler; its `positive`/`negative` links lead
  to the prompt texts, its `model` link to the checkpoint, its `latent_image` link to the size.
- InvokeAI: the `invokeai_metadata` PNG text (JSON: positive_prompt, negative_prompt, seed, steps,
  cfg_scale, scheduler, width, height, model as {name} or {model_name}); the older `sd-metadata`.
- Fooocus: `parameters` as JSON with `fooocus_scheme` = fooocus (PNG), or the same JSON in EXIF
  UserComment with MakerNote `fooocus` (JPEG/WebP); its `a1111` scheme is the WebUI's text.
- This app: `boards_provenance` (PNG) or XMP `boards:provenance` (media.embed).

Everything found is untrusted text: sizes are capped, XML with a DOCTYPE is not parsed, and a
block that does not parse is ignored (the upload is kept, with what could be read).
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from PIL import Image, UnidentifiedImageError

from boards_desktop.media.embed import PARAMETERS_KEY, PROVENANCE_KEY, USER_COMMENT_UNICODE, XMP_NAMESPACE
from boards_desktop.media.provenance import PROVENANCE_FORMAT

WEBUI = "Stable Diffusion WebUI"
COMFYUI = "ComfyUI"
INVOKEAI = "InvokeAI"
FOOOCUS = "Fooocus"
BOARDS = "Boards Desktop"
MAX_BLOCK_CHARS = 2_000_000  # a ComfyUI workflow of a few hundred nodes is well under this
MAX_VALUE_CHARS = 10_000
_WEBUI_PARAM = re.compile(r'\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_WEBUI_KEYS = {
    "Steps": "steps",
    "Sampler": "sampler",
    "Schedule type": "scheduler",
    "CFG scale": "cfg_scale",
    "Seed": "seed",
    "Model": "model",
    "Model hash": "model_hash",
    "Denoising strength": "denoise",
}
_SAMPLER_NODES = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")
_MAX_LINKS = 12
_EXIF_IN_HEADER = ("JPEG", "MPO", "WEBP", "TIFF")  # how far a ComfyUI input is followed through other nodes


@dataclass
class FoundMetadata:
    tool: str
    settings: dict[str, Any]  # prompt, negative_prompt, model, seed, steps, cfg_scale, sampler, ... as found
    provenance: dict[str, Any] | None = None  # ours, for lineage
    comfyui_workflow: bool = False
    other: dict[str, Any] = field(default_factory=dict)  # further WebUI settings, by their own names


def read_found_metadata(path: Path) -> FoundMetadata | None:
    """The first tool's metadata found in the picture at `path`, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                info = dict(image.info)
                user_comment = maker_note = None
                # Only where EXIF sits in the header: Pillow decodes a whole PNG to look for EXIF after
                # its pixels (and the tools write PNG text chunks instead).
                if image.format in _EXIF_IN_HEADER:
                    exif = image.getexif()
                    # UserComment belongs in the Exif IFD (the WebUI); Fooocus puts it in IFD0.
                    user_comment = _user_comment(exif.get_ifd(0x8769).get(0x9286) or exif.get(0x9286))
                    maker_note = exif.get_ifd(0x8769).get(0x927C) or exif.get(0x927C)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return None
    texts = {key: value for key, value in info.items() if isinstance(value, str) and len(value) <= MAX_BLOCK_CHARS}
    ours = _ours(texts.get(PROVENANCE_KEY), info.get("xmp"))
    parameters = texts.get(PARAMETERS_KEY) or user_comment or _jpeg_comment(info)
    if ours is not None:
        return FoundMetadata(BOARDS, _settings_of_ours(ours), provenance=ours)
    if "invokeai_metadata" in texts:
        found = _invokeai(_json(texts["invokeai_metadata"]))
        if found is not None:
            return found
    if "sd-metadata" in texts:
        found = _invokeai_legacy(_json(texts["sd-metadata"]))
        if found is not None:
            return found
    if "prompt" in texts or "workflow" in texts:
        found = _comfyui(_json(texts.get("prompt")), "workflow" in texts)
        if found is not None:
            return found
    if parameters:
        scheme = texts.get("fooocus_scheme") or _text(maker_note)
        as_json = _json(parameters) if parameters.lstrip().startswith("{") else None
        if isinstance(as_json, dict) and (scheme == "fooocus" or "performance" in as_json):
            return _fooocus(as_json)
        return _webui(parameters)
    return None


# -- the WebUI's text ---------------------------------------------------------------------------------


def _webui(text: str) -> FoundMetadata | None:
    lines = text.strip().split("\n")
    settings_line = lines[-1] if lines else ""
    pairs = _WEBUI_PARAM.findall(settings_line)
    if len(pairs) >= 3:
        lines = lines[:-1]
    else:
        pairs = []
    prompt_lines: list[str] = []
    negative_lines: list[str] = []
    for line in lines:
        if line.startswith("Negative prompt:") or negative_lines:
            negative_lines.append(line.removeprefix("Negative prompt:").strip() if not negative_lines else line)
        else:
            prompt_lines.append(line)
    settings: dict[str, Any] = {}
    other: dict[str, Any] = {}
    _put(settings, "prompt", "\n".join(prompt_lines).strip())
    _put(settings, "negative_prompt", "\n".join(negative_lines).strip())
    for key, raw in pairs:
        value = _unquoted(raw.strip())
        if key == "Size" and re.fullmatch(r"\d+x\d+", value):
            width, height = value.split("x")
            settings["width"], settings["height"] = int(width), int(height)
        elif key in _WEBUI_KEYS:
            _put(settings, _WEBUI_KEYS[key], _number(value))
        else:
            _put(other, key.strip(), value)
    if not settings:
        return None
    return FoundMetadata(WEBUI, settings, other=other)


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            loaded = json.loads(value)
            return loaded if isinstance(loaded, str) else value
        except ValueError:
            return value
    return value


# -- ComfyUI ------------------------------------------------------------------------------------------


def _comfyui(graph: Any, has_workflow: bool) -> FoundMetadata | None:
    settings: dict[str, Any] = {}
    if isinstance(graph, dict):
        nodes = {str(key): node for key, node in graph.items() if isinstance(node, dict)}
        sampler = next(
            (node for _id, node in sorted(nodes.items()) if node.get("class_type") in _SAMPLER_NODES),
            None,
        )
        if sampler is not None:
            raw_inputs = sampler.get("inputs")
            inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
            _put(settings, "prompt", _linked_text(nodes, inputs.get("positive")))
            _put(settings, "negative_prompt", _linked_text(nodes, inputs.get("negative")))
            _put(settings, "model", _linked_value(nodes, inputs.get("model"), ("ckpt_name", "unet_name", "model_name")))
            for key, name in (("seed", "seed"), ("noise_seed", "seed"), ("steps", "steps"), ("cfg", "cfg_scale")):
                _put(settings, name, _linked_value(nodes, inputs.get(key), (key, "value", "seed")))
            for key in ("sampler_name", "scheduler", "denoise"):
                _put(
                    settings, "sampler" if key == "sampler_name" else key, _linked_value(nodes, inputs.get(key), (key,))
                )
            latent = _node(nodes, inputs.get("latent_image"))
            if latent is not None:
                for key in ("width", "height"):
                    _put(settings, key, _linked_value(nodes, latent.get(key), (key, "value")))
    if not settings and not has_workflow:
        return None
    return FoundMetadata(COMFYUI, settings, comfyui_workflow=has_workflow)


def _node(nodes: dict[str, Any], link: Any) -> dict[str, Any] | None:
    """The inputs of the node a `[node id, output]` link points at."""
    if isinstance(link, list) and link and str(link[0]) in nodes:
        inputs = nodes[str(link[0])].get("inputs")
        return inputs if isinstance(inputs, dict) else None
    return None


def _linked_text(nodes: dict[str, Any], link: Any, depth: int = 0) -> str | None:
    """The prompt behind a conditioning link: a text encoder's `text`, through any nodes that pass it on."""
    if isinstance(link, str):
        return link
    inputs = _node(nodes, link)
    if inputs is None or depth > _MAX_LINKS:
        return None
    for key in ("text", "text_g", "prompt", "string", "value", "text_l"):
        if key in inputs:
            found = _linked_text(nodes, inputs[key], depth + 1)
            if found:
                return found
    for key in ("conditioning", "conditioning_1", "positive", "cond"):
        if key in inputs:
            found = _linked_text(nodes, inputs[key], depth + 1)
            if found:
                return found
    return None


def _linked_value(nodes: dict[str, Any], value: Any, keys: tuple[str, ...], depth: int = 0) -> Any:
    """A setting's value, following links to the node that holds it (a primitive, a loader, a LoRA's model)."""
    if not isinstance(value, list):
        return value
    inputs = _node(nodes, value)
    if inputs is None or depth > _MAX_LINKS:
        return None
    for key in keys:
        if key in inputs:
            return _linked_value(nodes, inputs[key], keys, depth + 1)
    if "model" in inputs:  # a LoRA or patch node in front of the checkpoint loader
        return _linked_value(nodes, inputs["model"], keys, depth + 1)
    return None


# -- InvokeAI and Fooocus -----------------------------------------------------------------------------


def _invokeai(document: Any) -> FoundMetadata | None:
    if not isinstance(document, dict):
        return None
    settings: dict[str, Any] = {}
    _put(settings, "prompt", document.get("positive_prompt"))
    _put(settings, "negative_prompt", document.get("negative_prompt"))
    model = document.get("model")
    if isinstance(model, dict):
        model = model.get("name") or model.get("model_name")
    _put(settings, "model", model)
    for key in ("seed", "steps", "cfg_scale", "scheduler", "width", "height", "generation_mode"):
        _put(settings, key, document.get(key))
    return FoundMetadata(INVOKEAI, settings) if settings else None


def _invokeai_legacy(document: Any) -> FoundMetadata | None:
    image = document.get("image") if isinstance(document, dict) else None
    if not isinstance(image, dict):
        return None
    prompt = image.get("prompt")
    if isinstance(prompt, list):
        prompt = " ".join(str(part.get("prompt", "")) for part in prompt if isinstance(part, dict))
    settings: dict[str, Any] = {}
    _put(settings, "prompt", prompt)
    _put(settings, "model", document.get("model_weights"))
    for key in ("seed", "steps", "cfg_scale", "sampler", "width", "height"):
        _put(settings, key, image.get(key))
    return FoundMetadata(INVOKEAI, settings) if settings else None


def _fooocus(document: dict[str, Any]) -> FoundMetadata:
    settings: dict[str, Any] = {}
    _put(settings, "prompt", document.get("prompt"))
    _put(settings, "negative_prompt", document.get("negative_prompt"))
    _put(settings, "model", document.get("base_model"))
    _put(settings, "seed", _number(str(document.get("seed", ""))))
    _put(settings, "steps", document.get("steps"))
    _put(settings, "cfg_scale", document.get("guidance_scale"))
    for key in ("sampler", "scheduler", "performance", "styles", "refiner_model"):
        value = document.get(key)
        if value == "None":
            continue  # Fooocus' word for no refiner
        _put(settings, key, value if not isinstance(value, list) else ", ".join(map(str, value)))
    size = re.fullmatch(r"\(?\s*(\d+)\s*[,x]\s*(\d+)\s*\)?", str(document.get("resolution", "")))
    if size:
        settings["width"], settings["height"] = int(size.group(1)), int(size.group(2))
    return FoundMetadata(FOOOCUS, settings)


# -- ours ---------------------------------------------------------------------------------------------


def _ours(png_text: str | None, xmp: Any) -> dict[str, Any] | None:
    raw = png_text if png_text is not None else _xmp_provenance(xmp)
    document = _json(raw)
    if isinstance(document, dict) and document.get("format") == PROVENANCE_FORMAT:
        return document
    return None


def _xmp_provenance(xmp: Any) -> str | None:
    if isinstance(xmp, bytes):
        xmp = xmp.decode("utf-8", "replace")
    if not isinstance(xmp, str) or len(xmp) > MAX_BLOCK_CHARS or "<!DOCTYPE" in xmp or "<!ENTITY" in xmp:
        return None
    try:
        root = ElementTree.fromstring(xmp.strip().strip("\x00"))
    except ElementTree.ParseError:
        return None
    found = root.find(f".//{{{XMP_NAMESPACE}}}provenance")
    return found.text if found is not None else None


def _settings_of_ours(document: dict[str, Any]) -> dict[str, Any]:
    raw_inputs = document.get("inputs")
    inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
    settings: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(key, str) and key not in ("source",):
            _put(settings, key[:100], value)
    _put(settings, "generator", document.get("generator"))
    return settings


# -- small readers ------------------------------------------------------------------------------------


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Keep plain values only (text capped, numbers, and no empty ones): the upload's inputParams."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, str):
        value = value.strip()[:MAX_VALUE_CHARS]
        if value:
            target[key] = value
    elif isinstance(value, (int, float)):
        target[key] = value


def _number(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value.strip()):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value.strip()):
        return float(value)
    return value


def _json(text: Any) -> Any:
    if not isinstance(text, str) or len(text) > MAX_BLOCK_CHARS:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip("\x00 ")
    return value if isinstance(value, str) else None


def _user_comment(raw: Any) -> str | None:
    """EXIF UserComment: an 8-byte character code (UNICODE, ASCII, or none), then the text."""
    if isinstance(raw, str):
        return raw or None
    if not isinstance(raw, bytes) or not raw:
        return None
    code, body = raw[:8], raw[8:]
    if code == USER_COMMENT_UNICODE:
        # UTF-16 in the EXIF's byte order; the WebUI writes big-endian whatever the order: take the readable one.
        big, little = body.decode("utf-16-be", "replace"), body.decode("utf-16-le", "replace")
        return max((big, little), key=_ascii_count).strip("\x00") or None
    if code in (b"ASCII\x00\x00\x00", b"\x00" * 8):
        return body.decode("utf-8", "replace").strip("\x00") or None
    return raw.decode("utf-8", "replace").strip("\x00") or None  # Fooocus: the text with no code


def _ascii_count(text: str) -> int:
    # Read in the wrong order, Latin text becomes CJK ideographs (printable too), so count ASCII instead.
    return sum(1 for char in text if char < "\x80")


def _jpeg_comment(info: dict[Any, Any]) -> str | None:
    comment = info.get("comment")
    return _text(comment) if comment else None
