"""The generators this app offers: built-in ones, third-party plugins, and the config's choices.

Sources, in order (a later one with the same name replaces an earlier one, with a warning):
1. `boards_desktop.generators.builtin.BUILTIN_GENERATORS`, then the generators that run on the
   app's providers (`boards_desktop.generators.providers.PROVIDER_GENERATORS`, each built with its
   provider instance);
2. the entry point group `boards_desktop.generators` (each entry point names a generator class, an
   instance, or a list of either), for installed plugin packages;
3. `BOARDS_GENERATOR_MODULES`: importable modules with a `GENERATORS` list, for an artist's own
   generators without packaging them.
Then the `[generators]` config section enables, disables or renames them. A plugin that fails to
load is logged and left out: one broken package must not stop the app.

Generators may also come and go while the app runs (`add`, `remove`): the models an artist adds
by name (boards_desktop.generators.model_catalog). The same config choices apply to them.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, cast

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.settings import GeneratorSettings

if TYPE_CHECKING:
    from boards_desktop.providers.provider_set import ProviderSet

log = logging.getLogger("boards.generators")

ENTRY_POINT_GROUP = "boards_desktop.generators"


@dataclass(frozen=True)
class GeneratorStatus:
    name: str
    artifact_type: str
    provider: str
    description: str
    unavailable_reason: str | None  # None: it can run

    @property
    def available(self) -> bool:
        return self.unavailable_reason is None


class GeneratorRegistry:
    """Generators by the name they are offered under (after renames)."""

    def __init__(self, generators: Iterable[BaseGenerator], settings: GeneratorSettings | None = None) -> None:
        self._settings = settings or GeneratorSettings()
        self._by_name: dict[str, BaseGenerator] = {}
        # provider -> concurrency group -> names: read by the job runner at every claim, so kept until a change.
        self._groups: dict[str, dict[str, list[str]]] | None = None
        for generator in generators:
            offered = self._offered(generator)
            if offered is None:
                continue
            if offered.name in self._by_name:
                log.warning("generator %r is defined twice; the later definition is used", offered.name)
            self._by_name[offered.name] = offered

    def add(self, generator: BaseGenerator) -> BaseGenerator | None:
        """Offer a generator while the app runs (replacing one of the same name); None when the config
        disables it."""
        offered = self._offered(generator)
        if offered is not None:
            self._by_name[offered.name] = offered
            self._groups = None
        return offered

    def remove(self, name: str) -> bool:
        self._groups = None
        return self._by_name.pop(name, None) is not None

    def _offered(self, generator: BaseGenerator) -> BaseGenerator | None:
        """The generator as the config offers it (renamed), or None when it is not offered."""
        own_name = generator.name
        if self._settings.enabled and own_name not in self._settings.enabled:
            return None
        if own_name in self._settings.disabled:
            return None
        offered = self._settings.rename.get(own_name, own_name)
        return _renamed(generator, offered) if offered != own_name else generator

    def __iter__(self) -> Iterator[BaseGenerator]:
        return iter(sorted(self._by_name.values(), key=lambda g: g.name))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> BaseGenerator | None:
        return self._by_name.get(name)

    def providers(self) -> set[str]:
        return {generator.provider for generator in self._by_name.values()}

    def names_of_provider(self, provider: str) -> list[str]:
        return sorted(name for name, generator in self._by_name.items() if generator.provider == provider)

    def groups_of_provider(self, provider: str) -> dict[str, list[str]]:
        """The provider's concurrency groups (usually one, named like it), each with its generators' names
        (sorted). Shared until the registry changes: not to be changed by the caller."""
        if self._groups is None:
            groups: dict[str, dict[str, list[str]]] = {}
            for name in sorted(self._by_name):
                generator = self._by_name[name]
                groups.setdefault(generator.provider, {}).setdefault(group_of(generator), []).append(name)
            self._groups = groups
        return self._groups.get(provider, {})

    def statuses(self) -> list[GeneratorStatus]:
        return [
            GeneratorStatus(
                name=generator.name,
                artifact_type=generator.artifact_type,
                provider=generator.provider,
                description=generator.description,
                unavailable_reason=availability_of(generator),
            )
            for generator in self
        ]


def group_of(generator: BaseGenerator) -> str:
    """The generator's concurrency group (a plugin written for upstream has none: its provider's)."""
    group = getattr(generator, "concurrency_group", None)
    return group if isinstance(group, str) and group else generator.provider


def availability_of(generator: BaseGenerator) -> str | None:
    """Why the generator cannot run, or None; a generator whose check itself fails is unavailable."""
    try:
        return generator.availability()
    except Exception as exc:  # noqa: BLE001 - a plugin's check must not take the listing down
        log.warning("availability check of %s failed: %s", generator.name, exc)
        return f"its availability check failed: {exc}"


def load_registry(
    settings: GeneratorSettings, modules: Iterable[str] = (), providers: ProviderSet | None = None
) -> GeneratorRegistry:
    """The generators of an app; those of providers only when `providers` are given."""
    found = [*_builtin(), *_on_providers(providers), *_from_entry_points(), *_from_modules(modules)]
    return GeneratorRegistry(found, settings)


def _builtin() -> list[BaseGenerator]:
    try:
        from boards_desktop.generators.builtin import BUILTIN_GENERATORS
    except ImportError:
        return []
    return _instances(BUILTIN_GENERATORS, "the built-in generators")


def _on_providers(providers: ProviderSet | None) -> list[BaseGenerator]:
    if providers is None:
        return []
    from boards_desktop.generators.providers import PROVIDER_GENERATORS

    built: list[BaseGenerator] = []
    for cls in PROVIDER_GENERATORS:
        service = providers.get(cls.provider)
        if service is not None:
            built.append(cls(service))
    for service in providers:
        built += _instances(service.generators(), f"the {service.name} provider")
    return built


def _from_entry_points() -> list[BaseGenerator]:
    found: list[BaseGenerator] = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            found += _instances(entry_point.load(), f"entry point {entry_point.name}")
        except Exception as exc:  # noqa: BLE001 - a broken plugin is left out, not fatal
            log.error("generator plugin %s (%s) could not be loaded: %s", entry_point.name, entry_point.value, exc)
    return found


def _from_modules(modules: Iterable[str]) -> list[BaseGenerator]:
    found: list[BaseGenerator] = []
    for name in modules:
        try:
            module = importlib.import_module(name)
            found += _instances(module.GENERATORS, f"module {name}")
        except Exception as exc:  # noqa: BLE001
            log.error("generators of module %s could not be loaded: %s", name, exc)
    return found


def _instances(raw: Any, source: str) -> list[BaseGenerator]:
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    generators: list[BaseGenerator] = []
    for item in items:
        generator = item() if isinstance(item, type) else item
        if not isinstance(generator, BaseGenerator):
            log.error("%s offers %r, which is not a BaseGenerator; left out", source, item)
            continue
        generators.append(generator)
    return generators


def _renamed(generator: BaseGenerator, name: str) -> BaseGenerator:
    """The same generator offered under another name (a subclass, so class attributes stay put)."""
    renamed_class = cast(type[BaseGenerator], type(type(generator).__name__, (type(generator),), {"name": name}))
    clone = object.__new__(renamed_class)
    clone.__dict__.update(generator.__dict__)
    return clone
