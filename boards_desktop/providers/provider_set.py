"""The providers of one running app, built once from their classes, the settings and the keys.

`build_providers` gives each class of `PROVIDERS` (boards_desktop.providers) what it needs, and
nothing more: the shared HTTP client, its base URL (from the settings; the ComfyUI address from the
Settings page, read at each use), and a function that returns its key from the key store. A
provider's base URL setting is named in `BASE_URLS` below; any other provider (a plugin's, a
test's) reads `BOARDS_<NAME>_BASE_URL`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from functools import partial

import httpx

from boards_desktop.preferences import Preferences
from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.keys import KeyStore
from boards_desktop.settings import Settings

log = logging.getLogger("boards.providers")

# Provider name -> where its base URL comes from (a provider not named here needs no URL).
BASE_URLS: dict[str, Callable[[Settings, Preferences], str]] = {
    "openai": lambda settings, _prefs: settings.openai_base_url,
    "replicate": lambda settings, _prefs: settings.replicate_base_url,
    "fal": lambda settings, _prefs: settings.fal_base_url,
    "comfyui": lambda _settings, prefs: prefs.comfyui_url().value,
    "sdwebui": lambda _settings, prefs: prefs.sd_webui_url().value,
}


class ProviderSet:
    """Providers by name."""

    def __init__(self, providers: Mapping[str, BaseProvider]) -> None:
        self._providers = dict(providers)

    def __getitem__(self, name: str) -> BaseProvider:
        return self._providers[name]

    def get(self, name: str) -> BaseProvider | None:
        return self._providers.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._providers

    def __iter__(self) -> Iterator[BaseProvider]:
        return iter(self._providers.values())

    async def start(self) -> None:
        for provider in self:
            await provider.start()

    async def stop(self) -> None:
        for provider in self:
            try:
                await provider.stop()
            except Exception:
                log.exception("stopping the %s provider failed", provider.name)

    def settings_changed(self) -> None:
        for provider in self:
            provider.settings_changed()

    async def refresh(self, name: str) -> None:
        provider = self.get(name)
        if provider is not None:
            await provider.refresh_availability()


def build_providers(
    classes: Mapping[str, type[BaseProvider]],
    *,
    settings: Settings,
    keys: KeyStore,
    preferences: Preferences,
    http: httpx.AsyncClient | None,
) -> ProviderSet:
    built: dict[str, BaseProvider] = {}
    for name, cls in classes.items():
        url_of = BASE_URLS.get(name, lambda s, _p, name=name: s.extra.get(f"BOARDS_{name.upper()}_BASE_URL", ""))
        has_key = name in keys.providers
        built[name] = cls(
            http=http,
            base_url=partial(url_of, settings, preferences),
            api_key=partial(keys.get, name) if has_key else (lambda: None),
            missing_key_message=keys.missing_message(name) if has_key else None,
            settings=settings,
        )
    return ProviderSet(built)
