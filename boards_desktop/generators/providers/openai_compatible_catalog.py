"""The generators the OpenAI-compatible endpoints offer, kept in step with what they list.

The provider (boards_desktop.providers.openai_compatible) tells `EndpointCatalog` whenever an
endpoint is added, changed or removed, or lists other models; the catalog then offers a text
generator per listed model and an image generator per endpoint with the images API, and takes
back those no longer offered (their past generations stay on the boards).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.providers.openai_compatible import EndpointChatGenerator, EndpointImageGenerator
from boards_desktop.generators.registry import GeneratorRegistry
from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider

log = logging.getLogger("boards.generators")

Wanted = tuple[str, str, tuple[str, ...], bool]  # endpoint, its url, models, images


class EndpointCatalog:
    def __init__(self, provider: BaseProvider | None, registry: GeneratorRegistry) -> None:
        self._provider = provider if isinstance(provider, OpenAICompatibleProvider) else None
        self._registry = registry
        self._offered: dict[str, tuple[Wanted, str]] = {}  # own name -> (what it was made from, offered name)
        self._listeners: list[Callable[[BaseGenerator], None]] = []
        if self._provider is not None:
            self._provider.on_change(self.sync)

    def on_added(self, listener: Callable[[BaseGenerator], None]) -> None:
        self._listeners.append(listener)

    def generators(self) -> list[BaseGenerator]:
        found = (self._registry.get(offered) for _, offered in self._offered.values())
        return sorted((g for g in found if g is not None), key=lambda g: g.name)

    def sync(self) -> None:
        provider = self._provider
        if provider is None:
            return
        wanted: dict[str, tuple[Wanted, Callable[[], BaseGenerator]]] = {}
        for endpoint in provider.endpoints():
            key: Wanted = (endpoint.name, endpoint.url, endpoint.models, endpoint.images)
            endpoint_slug = endpoint.config.slug
            for model in endpoint.models:

                def chat(e: str = endpoint.name, s: str = endpoint_slug, m: str = model) -> BaseGenerator:
                    return EndpointChatGenerator.define(provider, e, s, m)

                wanted[f"chat/{endpoint_slug}/{model}"] = ((endpoint.name, endpoint.url, (model,), False), chat)
            if endpoint.images and endpoint.models:

                def images(
                    e: str = endpoint.name, s: str = endpoint_slug, m: tuple[str, ...] = endpoint.models
                ) -> BaseGenerator:
                    return EndpointImageGenerator.define(provider, e, s, m)

                wanted[f"images/{endpoint_slug}"] = (key, images)
        for name in [name for name in self._offered if name not in wanted]:
            _, offered = self._offered.pop(name)
            self._registry.remove(offered)
        for name, (made_from, make) in wanted.items():
            current = self._offered.get(name)
            if current is not None and current[0] == made_from:
                continue
            if current is not None:
                self._registry.remove(current[1])
            try:
                generator = make()
            except Exception:  # one model with an odd name must not cost the others
                log.exception("the generator %s could not be made", name)
                continue
            offered_generator = self._registry.add(generator)
            if offered_generator is None:
                self._offered.pop(name, None)
                continue
            self._offered[name] = (made_from, offered_generator.name)
            for listener in self._listeners:
                listener(offered_generator)
