"""Pictures as other tools write them, made on the spot from the formats their public source writes.

- Stable Diffusion WebUI (modules/images.py): PNG text `parameters` via Pillow's PngInfo; JPEG and
  WebP an EXIF UserComment of b"UNICODE\\0" and the text in UTF-16 big-endian (piexif's
  UserComment.dump(..., encoding="unicode")).
- ComfyUI (nodes.py SaveImage): PNG text `prompt` = json.dumps(the API graph) and `workflow` =
  json.dumps(the editor's graph).
- InvokeAI (invokeai_metadata): PNG text of a JSON object with positive_prompt, negative_prompt,
  seed, steps, cfg_scale, scheduler, width, height and model {name, base, ...} (3.x: model_name).
- Fooocus (modules/meta_parser.py): PNG texts `parameters` (JSON, sorted keys) and `fooocus_scheme`;
  JPEG EXIF UserComment (0x9286) = the JSON, Software (0x0131), MakerNote (0x927C) = "fooocus".
"""

from __future__ import annotations

import io
import json

from PIL import Image
from PIL.PngImagePlugin import PngInfo

WEBUI_PARAMETERS = (
    "a lighthouse at dusk, (oil painting:1.2)\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 1234567890, Size: 64x48, "
    'Model hash: 31e35c80fc, Model: sd_xl_base_1.0, Lora hashes: "harbour: 0123abcd, fog: 4567ef01", Version: v1.10.1'
)

COMFYUI_PROMPT = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "dreamshaper_8.safetensors"}},
    "10": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": "ink.safetensors",
                                                  "strength_model": 0.8, "strength_clip": 0.8}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 768, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "an ink drawing of a heron", "clip": ["10", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "colour, photo", "clip": ["10", 1]}},
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 8566257, "steps": 20, "cfg": 8.0, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
        "model": ["10", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
}  # fmt: skip
COMFYUI_WORKFLOW = {
    "last_node_id": 10,
    "last_link_id": 9,
    "nodes": [{"id": 3, "type": "KSampler", "pos": [863, 186], "widgets_values": [8566257, "fixed", 20, 8, "euler"]}],
    "links": [[1, 4, 0, 3, 0, "MODEL"]],
    "version": 0.4,
}

INVOKEAI_METADATA = {
    "generation_mode": "txt2img",
    "positive_prompt": "a glass greenhouse full of ferns",
    "negative_prompt": "people",
    "width": 64,
    "height": 48,
    "seed": 3141592,
    "rand_device": "cpu",
    "cfg_scale": 7.5,
    "steps": 30,
    "scheduler": "dpmpp_2m_k",
    "model": {"key": "3f2a", "hash": "blake3:abcd", "name": "Juggernaut XL v9", "base": "sdxl", "type": "main"},
    "app_version": "5.4.3",
}

FOOOCUS_METADATA = {
    "adm_guidance": "(1.5, 0.8, 0.3)",
    "base_model": "juggernautXL_v8Rundiffusion",
    "full_negative_prompt": ["unrealistic", "saturated"],
    "full_prompt": ["a red fox in snow, cinematic"],
    "guidance_scale": 4.0,
    "negative_prompt": "",
    "performance": "Speed",
    "prompt": "a red fox in snow",
    "refiner_model": "None",
    "resolution": "(1152, 896)",
    "sampler": "dpmpp_2m_sde_gpu",
    "scheduler": "karras",
    "seed": "271828",
    "sharpness": 2.0,
    "steps": 30,
    "styles": "['Fooocus V2', 'Fooocus Enhance']",
    "version": "Fooocus v2.5.5",
}


def _picture(size: tuple[int, int] = (64, 48), colour: str = "#2a6f97") -> Image.Image:
    return Image.new("RGB", size, colour)


def png_with_texts(texts: dict[str, str], colour: str = "#2a6f97") -> bytes:
    info = PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    _picture(colour=colour).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def webui_png() -> bytes:
    return png_with_texts({"parameters": WEBUI_PARAMETERS})


def webui_jpeg() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + WEBUI_PARAMETERS.encode("utf-16-be")
    buffer = io.BytesIO()
    _picture().save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def comfyui_png() -> bytes:
    return png_with_texts({"prompt": json.dumps(COMFYUI_PROMPT), "workflow": json.dumps(COMFYUI_WORKFLOW)})


def invokeai_png() -> bytes:
    return png_with_texts({"invokeai_metadata": json.dumps(INVOKEAI_METADATA)})


def fooocus_png() -> bytes:
    return png_with_texts({"parameters": json.dumps(FOOOCUS_METADATA, sort_keys=True), "fooocus_scheme": "fooocus"})


def fooocus_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x9286] = json.dumps(FOOOCUS_METADATA, sort_keys=True)
    exif[0x0131] = "Fooocus v2.5.5"
    exif[0x927C] = "fooocus"
    buffer = io.BytesIO()
    _picture().save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()
