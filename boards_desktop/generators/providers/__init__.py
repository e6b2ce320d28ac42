"""The generators that run on a provider (boards_desktop.providers): thin definitions, one module per service.

`PROVIDER_GENERATORS` lists their classes; the registry builds each with its provider instance
(`cls(providers[cls.provider])`), next to the built-in tools. A generator whose provider is not in
the app's `ProviderSet` is left out.
"""

from __future__ import annotations

from boards_desktop.generators.providers.fal import FAL_GENERATORS
from boards_desktop.generators.providers.openai import OpenAIImageEditGenerator, OpenAIImageGenerator
from boards_desktop.generators.providers.openai_compatible import OpenAITextGenerator
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.generators.providers.replicate import FluxSchnellGenerator, KlingVideoGenerator
from boards_desktop.generators.providers.sd_webui import SD_WEBUI_GENERATORS

PROVIDER_GENERATORS: list[type[RemoteGenerator]] = [
    OpenAIImageGenerator,
    OpenAIImageEditGenerator,
    OpenAITextGenerator,
    FluxSchnellGenerator,
    KlingVideoGenerator,
    *FAL_GENERATORS,
    *SD_WEBUI_GENERATORS,
]

__all__ = ["PROVIDER_GENERATORS", "RemoteGenerator"]
