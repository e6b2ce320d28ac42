"""`boards-desktop generators`: every generator, what it makes, and whether it can run here.

A generator that cannot run (no key, an engine that does not answer) is listed with the reason,
never as a crash: the point of the command is to find out what is missing. The keys are read as
the app reads them (environment, then the OS keyring), the models added by name come from their
cache file, the ComfyUI workflows from their folder, and each local engine (each language model
server too, whose models are listed then) is checked once.
"""

from __future__ import annotations

import asyncio

import httpx

from boards_desktop.generators.model_catalog import CATALOG_FILE_NAME, ModelCatalog
from boards_desktop.generators.providers.comfyui_catalog import WORKFLOWS_DIR_NAME, WorkflowCatalog
from boards_desktop.generators.providers.openai_compatible_catalog import EndpointCatalog
from boards_desktop.generators.registry import GeneratorStatus, load_registry
from boards_desktop.preferences import Preferences
from boards_desktop.providers import PROVIDERS
from boards_desktop.providers.keys import KeyStore
from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider
from boards_desktop.providers.provider_set import build_providers
from boards_desktop.settings import Settings


def print_generators(settings: Settings) -> int:
    statuses = asyncio.run(_statuses(settings))
    if not statuses:
        print("no generators are installed")
        return 0
    name_width = max(len(status.name) for status in statuses)
    for status in statuses:
        state = "ready" if status.available else f"unavailable: {status.unavailable_reason}"
        print(f"{status.name:<{name_width}}  {status.artifact_type:<5}  {status.provider:<10}  {state}")
    return 0


async def _statuses(settings: Settings) -> list[GeneratorStatus]:
    keys = KeyStore(settings.environment)
    await keys.load_async()
    preferences = Preferences(settings)
    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=3.0)) as http:
        providers = build_providers(PROVIDERS, settings=settings, keys=keys, preferences=preferences, http=http)
        endpoints = providers.get("openai-compatible")
        if isinstance(endpoints, OpenAICompatibleProvider):
            endpoints.attach(preferences, keys)
        registry = load_registry(settings.generators, settings.generator_modules, providers)
        EndpointCatalog(endpoints, registry).sync()  # the language model servers' models, as last listed
        ModelCatalog(settings.data_dir / CATALOG_FILE_NAME, providers, registry).load()
        # A workflow file left out is logged (on stderr here) with its path and why.
        WorkflowCatalog(settings.data_dir / WORKFLOWS_DIR_NAME, providers.get("comfyui"), registry).load(
            make_folder=False
        )
        for provider in providers:
            await provider.refresh_availability()
        return registry.statuses()
