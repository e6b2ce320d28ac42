"""The provider classes by name (`PROVIDERS`); boards_desktop.providers hands them out on first use."""

from __future__ import annotations

from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.comfyui import ComfyUIProvider
from boards_desktop.providers.fal import FalProvider
from boards_desktop.providers.openai import OpenAIProvider
from boards_desktop.providers.replicate import ReplicateProvider

PROVIDERS: dict[str, type[BaseProvider]] = {
    "openai": OpenAIProvider,
    "replicate": ReplicateProvider,
    "fal": FalProvider,
    "comfyui": ComfyUIProvider,
}

__all__ = ["PROVIDERS", "BaseProvider", "ComfyUIProvider", "FalProvider", "OpenAIProvider", "ReplicateProvider"]
