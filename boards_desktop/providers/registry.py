"""The provider classes by name (`PROVIDERS`); boards_desktop.providers hands them out on first use."""

from __future__ import annotations

from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.comfyui import ComfyUIProvider
from boards_desktop.providers.fal import FalProvider
from boards_desktop.providers.openai import OpenAIProvider
from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider
from boards_desktop.providers.replicate import ReplicateProvider
from boards_desktop.providers.sd_webui import SDWebUIProvider

PROVIDERS: dict[str, type[BaseProvider]] = {
    "openai": OpenAIProvider,
    "replicate": ReplicateProvider,
    "fal": FalProvider,
    "comfyui": ComfyUIProvider,
    "openai-compatible": OpenAICompatibleProvider,
    "sdwebui": SDWebUIProvider,
}

__all__ = [
    "PROVIDERS",
    "BaseProvider",
    "ComfyUIProvider",
    "FalProvider",
    "OpenAICompatibleProvider",
    "OpenAIProvider",
    "ReplicateProvider",
    "SDWebUIProvider",
]
