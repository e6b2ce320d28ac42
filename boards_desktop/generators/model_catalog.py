"""Models an artist adds by name ("any Replicate model", "any fal endpoint"), kept across restarts.

The artist names a provider and a model (`addModelGenerator(provider: "replicate", model:
"owner/name")`); the provider reads the model's input schema from its service
(`describe_model(model_id) -> ModelDescription`), turns the description into a generator
(`model_generator(description)`, usually `ModelGenerator.define`), and the catalogue offers it in
the registry and writes every description to `<data dir>/model-generators.json`. At the next start
the generators are made again from that file, without the network (the artist may be offline, and
jobs queued for them must find them). `refresh` reads the schema again; `remove` takes the
generator away (its past generations stay; queued ones fail as "not installed").

A provider opts in by implementing `describe_model` and `model_generator` (see
boards_desktop.providers.base.BaseProvider).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.generators.registry import GeneratorRegistry

if TYPE_CHECKING:
    from boards_desktop.providers.base import BaseProvider
    from boards_desktop.providers.provider_set import ProviderSet

log = logging.getLogger("boards.generators")

CATALOG_FILE_NAME = "model-generators.json"
MAX_NAME_LENGTH = 100  # a generator name's limit (graphql.validation)
_FORMAT_VERSION = 1


class CatalogError(ValueError):
    """A model cannot be added, refreshed or removed; the message names the argument."""


@dataclass(frozen=True)
class ModelDescription:
    """What a provider read about one model: enough to make its generator again without the network."""

    provider: str  # "replicate"
    model_id: str  # "black-forest-labs/flux-schnell", "fal-ai/flux/dev"
    artifact_type: str  # image | video | audio | text: what the model makes
    description: str  # shown with the generator
    input_schema: dict[str, Any]  # the JSON schema of the model's input object
    schema_root: dict[str, Any] | None = None  # the document its `$ref`s point into (None: input_schema)
    version: str | None = None  # the service's version of the model, when it has one
    details: dict[str, Any] = field(default_factory=dict)  # the provider's own (output schema, URLs, ...)
    fetched_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def generator_name(self) -> str:
        return model_generator_name(self.provider, self.model_id)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ModelDescription:
        known = {name: raw[name] for name in cls.__dataclass_fields__ if name in raw}
        return cls(**known)


def model_generator_name(provider: str, model_id: str) -> str:
    """`replicate/owner/name`, `fal/fal-ai/flux/dev`: the provider, then the service's own id."""
    return f"{provider}/{model_id}"


class ModelCatalog:
    def __init__(self, path: Path, providers: ProviderSet, registry: GeneratorRegistry) -> None:
        self.path = path
        self._providers = providers
        self._registry = registry
        self._descriptions: dict[str, ModelDescription] = {}
        self._lock = asyncio.Lock()
        self._listeners: list[Callable[[BaseGenerator], None]] = []

    def on_added(self, listener: Callable[[BaseGenerator], None]) -> None:
        """Hear every generator added or refreshed (the job runner wakes for its provider)."""
        self._listeners.append(listener)

    def load(self) -> int:
        """The generators of the cache file, offered in the registry; how many. No network."""
        for raw in self._read():
            try:
                description = ModelDescription.from_json(raw)
                self._offer(description)
            except Exception as exc:  # noqa: BLE001 - one bad entry must not cost the others (or the start)
                log.error(
                    "the model generator %s in %s could not be made again: %s", raw.get("model_id"), self.path, exc
                )
        return len(self._descriptions)

    def description(self, name: str) -> ModelDescription | None:
        return self._descriptions.get(name)

    def names(self) -> list[str]:
        return sorted(self._descriptions)

    async def add(self, provider_name: str, model_id: str) -> BaseGenerator:
        model_id = model_id.strip()
        provider = self._provider(provider_name)
        if not model_id or any(ch.isspace() for ch in model_id) or len(model_id) > 200:
            raise CatalogError(f"model: {model_id!r} is not a model id of {provider.label}; e.g. owner/name")
        name = model_generator_name(provider.name, model_id)
        if len(name) > MAX_NAME_LENGTH:
            raise CatalogError(f"model: the id is too long for a generator name (at most {MAX_NAME_LENGTH} characters)")
        if name in self._registry and name not in self._descriptions:
            raise CatalogError(f"model: a generator named {name!r} is already installed")
        async with self._lock:
            description = await self._describe(provider, model_id)
            generator = self._offer(description, strict=True)
            await self._save()
        assert generator is not None
        return generator

    async def refresh(self, name: str) -> BaseGenerator:
        current = self._descriptions.get(name)
        if current is None:
            raise CatalogError(
                f"name: there is no model generator {name!r}; added ones: {', '.join(self.names()) or 'none'}"
            )
        async with self._lock:
            description = await self._describe(self._provider(current.provider), current.model_id)
            generator = self._offer(description, strict=True)
            await self._save()
        assert generator is not None
        return generator

    async def remove(self, name: str) -> bool:
        async with self._lock:
            if self._descriptions.pop(name, None) is None:
                return False
            self._registry.remove(name)
            await self._save()
        return True

    # -- helpers -----------------------------------------------------------------------------------

    def _provider(self, name: str) -> BaseProvider:
        provider = self._providers.get(name.strip().lower())
        if provider is None:
            known = ", ".join(p.name for p in self._providers if p.describes_models) or "none"
            raise CatalogError(f"provider: there is no provider {name!r}; providers with models by name: {known}")
        if not provider.describes_models:
            raise CatalogError(f"provider: {provider.label} does not offer models by name")
        return provider

    async def _describe(self, provider: BaseProvider, model_id: str) -> ModelDescription:
        try:
            description = await provider.describe_model(model_id)
        except (GeneratorError, TransientError) as exc:
            raise CatalogError(f"model: {exc}") from None
        if description.provider != provider.name or description.model_id != model_id:
            raise CatalogError(f"model: {provider.label} described another model than {model_id!r}")
        return description

    def _offer(self, description: ModelDescription, *, strict: bool = False) -> BaseGenerator | None:
        """Make the generator and offer it; None when the config disables it (an error when `strict`)."""
        provider = self._provider(description.provider)
        generator = provider.model_generator(description)
        if generator.name != description.generator_name:
            raise CatalogError(f"model: the generator is named {generator.name!r}, not {description.generator_name!r}")
        offered = self._registry.add(generator)
        if strict and offered is None:
            raise CatalogError(f"model: {generator.name} is disabled in the config file's [generators] section")
        self._descriptions[description.generator_name] = description
        for listener in self._listeners:
            if offered is not None:
                listener(offered)
        return offered

    def _read(self) -> list[dict[str, Any]]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            log.error("%s could not be read (%s); the models added by name are not offered", self.path, exc)
            return []
        models = raw.get("models") if isinstance(raw, dict) else None
        return [entry for entry in models or [] if isinstance(entry, dict)]

    async def _save(self) -> None:
        document = {
            "version": _FORMAT_VERSION,
            "models": [self._descriptions[name].to_json() for name in sorted(self._descriptions)],
        }
        await asyncio.to_thread(_write_atomically, self.path, document)


def _write_atomically(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)


def slug(text: str) -> str:
    """A class-name-friendly form of a model id."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
