"""The generation engine's services, started after the database and stopped before it.

Order matters at both ends: the event broker must be listening before the runner publishes; the
models added by name and the ComfyUI workflows must be in the registry before the runner looks for
interrupted jobs; the OS keyring must have been read before the runner starts (it resumes
interrupted jobs at once, and a job whose key looks missing would fail). Reading the keyring takes a
few hundred milliseconds, so it happens in the background and the runner starts when it is done,
after the server already answers (queuing and the `generators` query wait for it too). At shutdown
the runner stops (its jobs given a few seconds, the rest left resumable) before the providers, the
broker, the HTTP client and the database go away. Housekeeping (boards_desktop.housekeeping) starts
last, in the background, and is stopped first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AsyncExitStack

import httpx

from boards_desktop.generators.model_catalog import CATALOG_FILE_NAME, ModelCatalog
from boards_desktop.generators.providers.comfyui_catalog import WORKFLOWS_DIR_NAME, WorkflowCatalog
from boards_desktop.generators.providers.openai_compatible_catalog import EndpointCatalog
from boards_desktop.generators.registry import load_registry
from boards_desktop.housekeeping import Housekeeper
from boards_desktop.jobs.events import EventBroker
from boards_desktop.jobs.runner import JobRunner
from boards_desktop.media.store import MediaStore
from boards_desktop.media.trash_emptying import keep_emptying
from boards_desktop.preferences import Preferences
from boards_desktop.providers import PROVIDERS, BaseProvider
from boards_desktop.providers.keys import KeyStore
from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider
from boards_desktop.providers.provider_set import build_providers
from boards_desktop.services import Services

# Providers wait on slow services (a video takes minutes); each provider sets its own timeouts.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
HTTP_LIMITS = httpx.Limits(max_connections=400, max_keepalive_connections=50)


async def start_engine(
    services: Services, stack: AsyncExitStack, provider_classes: Mapping[str, type[BaseProvider]] | None = None
) -> None:
    settings = services.settings
    # Off the loop: a bucket's keys may be read from the OS keyring (media.bucket_credentials).
    services.media = await asyncio.to_thread(MediaStore.for_settings, settings)
    if not services.database.is_sqlite:
        # Which storage this app's jobs name on the shared database (a local folder's id is read from, or
        # made in, the folder: file work, off the loop). SQLite is one app: no job needs to say.
        await asyncio.to_thread(getattr, services.media, "storage_id")
    services.events = EventBroker.for_database(services.database)
    await services.events.start()
    stack.push_async_callback(services.events.stop)
    services.http = await stack.enter_async_context(
        httpx.AsyncClient(timeout=HTTP_TIMEOUT, limits=HTTP_LIMITS, follow_redirects=True)
    )
    services.keys = keys = KeyStore(settings.environment)
    services.preferences = preferences = Preferences(settings)
    services.providers = providers = build_providers(
        PROVIDERS if provider_classes is None else provider_classes,
        settings=settings,
        keys=services.keys,
        preferences=preferences,
        http=services.http,
    )
    endpoints = providers.get("openai-compatible")
    if isinstance(endpoints, OpenAICompatibleProvider):
        endpoints.attach(preferences, keys)  # the endpoints' keys join the keyring read below
    keys.start_loading()
    stack.push_async_callback(keys.stop)
    services.generators = load_registry(settings.generators, settings.generator_modules, providers)
    services.model_generators = ModelCatalog(settings.data_dir / CATALOG_FILE_NAME, providers, services.generators)
    services.model_generators.load()
    services.comfyui_workflows = WorkflowCatalog(
        settings.data_dir / WORKFLOWS_DIR_NAME, providers.get("comfyui"), services.generators
    )
    services.comfyui_workflows.load()
    services.openai_endpoints = EndpointCatalog(endpoints, services.generators)
    services.openai_endpoints.sync()  # the models listed at the last run: a resumed job finds its generator
    await providers.start()
    stack.push_async_callback(providers.stop)
    services.jobs = jobs = JobRunner(
        settings=settings,
        database=services.database,
        registry=services.generators,
        media=services.media,
        events=services.events,
        http=services.http,
        installation=str(services.actor.user_id),  # one local user per installation (data folder)
        concurrency_of=preferences.concurrency_of,  # read at every claim: a change applies at once
    )
    preferences.on_change(jobs.wake)  # a raised limit frees slots now
    preferences.on_change(providers.settings_changed)  # the ComfyUI address is checked again
    services.model_generators.on_added(lambda generator: jobs.wake(generator.provider))
    services.comfyui_workflows.on_added(lambda generator: jobs.wake(generator.provider))
    services.openai_endpoints.on_added(lambda generator: jobs.wake(generator.provider))
    stack.push_async_callback(jobs.stop, settings.shutdown_grace_seconds)

    async def start_runner() -> None:
        await keys.ready()
        await jobs.start()

    starting = asyncio.create_task(start_runner(), name="jobs-start")
    # Leftovers of killed uploads and upgrades go in the background: the first answer does not wait.
    services.housekeeping = housekeeping = Housekeeper(settings, services.database, services.media)
    housekeeping.start()
    stack.push_async_callback(housekeeping.stop)

    async def stop_starting() -> None:  # before jobs.stop (the stack runs its callbacks last first)
        if not starting.done():
            starting.cancel()
        await asyncio.gather(starting, return_exceptions=True)

    stack.push_async_callback(stop_starting)

    # The trash's old entries are emptied now and daily (media.trash_emptying); stopped before the database closes.
    emptying = asyncio.create_task(keep_emptying(services.database, services.media), name="trash-emptying")

    async def stop_emptying() -> None:
        emptying.cancel()
        await asyncio.gather(emptying, return_exceptions=True)

    stack.push_async_callback(stop_emptying)
