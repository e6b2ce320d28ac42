"""Providers: one client per remote service or local engine, registered in `PROVIDERS` by name.

- `base.BaseProvider`: what a provider is (status-yielding work methods, `request`, availability,
  the optional "any model by name" pair `describe_model` / `model_generator`);
- `calls`: the request helper (timeouts, retries that never pay twice, readable errors);
- `keys`: the provider keys (environment, then the OS keyring);
- `engine.EngineStatus`: a local engine's reachability, cached and refreshed in the background;
- `provider_set`: the providers of a running app, built from the settings and the keys.

A new provider is a module here with a `BaseProvider` subclass, an entry in `PROVIDERS`, and (for
a remote service) its key in `keys.KEY_SPECS` and its base URL in `provider_set.BASE_URLS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boards_desktop.providers.base import BaseProvider
    from boards_desktop.providers.comfyui import ComfyUIProvider
    from boards_desktop.providers.fal import FalProvider
    from boards_desktop.providers.openai import OpenAIProvider
    from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider
    from boards_desktop.providers.replicate import ReplicateProvider
    from boards_desktop.providers.sd_webui import SDWebUIProvider

    PROVIDERS: dict[str, type[BaseProvider]]

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


def __getattr__(name: str) -> Any:
    # Imported on first use, not with the package: `providers.keys` is read by the GraphQL schema,
    # and the server answers before the provider clients (and httpx under them) are imported.
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from boards_desktop.providers import registry

    value = getattr(registry, name)
    globals()[name] = value
    return value
