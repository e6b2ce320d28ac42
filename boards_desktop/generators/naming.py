"""What an artist calls a generator: its display name and icon, given by its author or derived.

A generator's `name` is a slug for scripts and the database (`local-title-card`,
`replicate/black-forest-labs/flux-schnell`); the page shows `display_name` ("Title card") and
`icon`. A plugin that gives neither still reads well: the name is derived from the slug's last
part (the model, not its owner or the provider), with `local-` dropped, words in sentence case and
known acronyms kept ("fal/fal-ai/fast-sdxl" becomes "Fast SDXL").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boards_desktop.generators.base import BaseGenerator

# The icons the page draws (boards_desktop/ui/js/composer/icons.js); anything else falls back to
# the generator's artifact type.
ICONS = frozenset({"image", "video", "audio", "text", "title", "resize", "adjust", "grid", "frame", "edit", "speech"})

# Words kept as they are spelled, whatever the slug's case.
_SPELLED = {
    word.lower(): word
    for word in (
        "AI",
        "API",
        "CFG",
        "CLIP",
        "DALL-E",
        "FLUX",
        "GPT",
        "HD",
        "ID",
        "LLM",
        "LoRA",
        "OpenAI",
        "PNG",
        "JPEG",
        "SD",
        "SDXL",
        "SVD",
        "TTS",
        "UI",
        "WebUI",
        "VAE",
        "XL",
        "3D",
        "4K",
        "ComfyUI",
        "fal.ai",
    )
}
# "flux" alone reads as a word ("Flux schnell"); only the spelled forms above keep their capitals.
_SPELLED.pop("flux")
_DROPPED_PREFIXES = ("local-", "local_")
_WORD_SPLIT = re.compile(r"[\s_\-]+")


def derive_display_name(slug: str) -> str:
    """ "local-title-card" -> "Title card"; "replicate/black-forest-labs/flux-schnell" -> "Flux schnell"."""
    tail = slug.rstrip("/").rsplit("/", 1)[-1] or slug
    for prefix in _DROPPED_PREFIXES:
        if tail.lower().startswith(prefix) and len(tail) > len(prefix):
            tail = tail[len(prefix) :]
    # camelCase splits into words too ("textToImage").
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tail)
    words = [word for word in _WORD_SPLIT.split(spaced) if word]
    if not words:
        return slug
    shown = [_SPELLED.get(word.lower(), word.lower()) for word in words]
    first = shown[0]
    if first == words[0].lower():
        shown[0] = first[:1].upper() + first[1:]
    return " ".join(shown)


def display_name_of(generator: BaseGenerator) -> str:
    given = getattr(generator, "display_name", "") or ""
    return given.strip() or derive_display_name(generator.name)


def icon_of(generator: BaseGenerator) -> str:
    given = getattr(generator, "icon", "") or ""
    return given if given in ICONS else generator.artifact_type
