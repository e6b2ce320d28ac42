"""providerKeys, appSettings, setProviderKey, clearProviderKey, updateAppSettings (the Settings page).

Keys go to the OS keyring and nowhere else: the answers say whether a key is set and its last four
characters, never the key. Keyring calls run in a thread (one may wait on an unlock dialog).
The preferences (ComfyUI address, per-provider concurrency) are applied at once: the job runner
reads its limits at every claim, and the engines are checked again.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import strawberry

from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import bad_input
from boards_desktop.graphql.types.settings import (
    AppSettings,
    EngineConnection,
    HousekeepingRun,
    ProviderConcurrency,
    ProviderKey,
    UpdateAppSettingsInput,
)
from boards_desktop.media.disk_space import disk_usage
from boards_desktop.preferences import PreferenceError
from boards_desktop.providers.keys import KeyStoreError
from boards_desktop.services import Services


@strawberry.type
class SettingsQuery:
    @strawberry.field(description="The provider keys: whether each is set, where from, and whether it can be stored.")
    async def provider_keys(self, info: strawberry.Info) -> list[ProviderKey]:
        keys = context_of(info).services.keys
        await keys.ready()
        return [ProviderKey.from_status(keys.status(provider)) for provider in keys.providers]

    @strawberry.field(description="The app's settings as they apply now, each with where it comes from.")
    async def app_settings(self, info: strawberry.Info) -> AppSettings:
        return await app_settings_of(context_of(info).services)


@strawberry.type
class SettingsMutations:
    @strawberry.mutation(description="Store a provider's key in the OS keyring; the answer never contains the key.")
    async def set_provider_key(self, info: strawberry.Info, provider: str, key: str) -> ProviderKey:
        keys = context_of(info).services.keys
        await keys.ready()
        try:
            status = await asyncio.to_thread(keys.set, provider, key)
        except KeyStoreError as exc:
            raise bad_input(str(exc)) from None
        return ProviderKey.from_status(status)

    @strawberry.mutation(description="Remove a provider's key from the OS keyring; a key set in the environment stays.")
    async def clear_provider_key(self, info: strawberry.Info, provider: str) -> ProviderKey:
        keys = context_of(info).services.keys
        await keys.ready()
        try:
            status = await asyncio.to_thread(keys.clear, provider)
        except KeyStoreError as exc:
            raise bad_input(str(exc)) from None
        return ProviderKey.from_status(status)

    @strawberry.mutation(
        description="Change the local engines' addresses and per-provider concurrency; saved and applied at once."
    )
    async def update_app_settings(self, info: strawberry.Info, input: UpdateAppSettingsInput) -> AppSettings:
        services = context_of(info).services
        limits = {item.provider: item.limit for item in input.concurrency or []}
        known = services.generators.providers()
        for provider in limits:
            if provider not in known:
                raise bad_input(
                    f"concurrency.provider: there is no provider {provider!r} with generators; "
                    f"use one of {', '.join(sorted(known))}"
                )
        try:
            # A small file write, on the loop: the listeners it calls (the runner's wake) are not thread-safe.
            services.preferences.update(
                comfyui_url=input.comfyui_url, sd_webui_url=input.sd_webui_url, concurrency=limits
            )
        except PreferenceError as exc:
            raise bad_input(str(exc)) from None
        except OSError as exc:
            raise bad_input(f"the settings could not be saved in {services.preferences.path}: {exc.strerror}") from None
        return await app_settings_of(services)

    @strawberry.mutation(
        description="Check a local engine now (comfyui, sdwebui): whether it answers, and read its choices again."
    )
    async def test_engine_connection(self, info: strawberry.Info, provider: str) -> EngineConnection:
        services = context_of(info).services
        providers = getattr(services, "providers", None)
        engine = providers.get(provider) if providers is not None else None
        if engine is None or engine.needs_key:
            raise bad_input(f"provider: {provider!r} is not a local engine; use comfyui or sdwebui")
        rescan = getattr(engine, "refresh_choices", None)
        if rescan is not None:
            await rescan(rescan=True)  # the WebUI looks in its models folder again
        else:
            await engine.refresh_availability()
        reason = engine.availability()
        choices = getattr(engine, "choices", None)
        return EngineConnection(
            provider=engine.name,
            label=engine.label,
            url=engine.base_url,
            ok=reason is None,
            reason=reason,
            checkpoints=list(getattr(choices, "checkpoints", {}).values()) if choices is not None else [],
            samplers=list(getattr(choices, "samplers", [])) if choices is not None else [],
        )


async def app_settings_of(services: Services) -> AppSettings:
    settings, preferences = services.settings, services.preferences
    url = preferences.comfyui_url()
    webui = preferences.sd_webui_url()
    providers = sorted(services.generators.providers()) if services.generators is not None else []
    limits = [preferences.concurrency(name) for name in providers]
    files = [settings.media_dir]
    if settings.sqlite_path is not None:
        files += [settings.sqlite_path.with_name(settings.sqlite_path.name + suffix) for suffix in ("", "-wal", "-shm")]
    size = await asyncio.to_thread(_size_of, files)
    usage = await asyncio.to_thread(disk_usage, settings.media_dir)
    report = services.housekeeping.last if services.housekeeping is not None else None
    return AppSettings(
        comfyui_url=url.value,
        comfyui_url_source=url.source,
        sd_webui_url=webui.value,
        sd_webui_url_source=webui.source,
        concurrency=[
            ProviderConcurrency(provider=name, limit=limit.value, source=limit.source)
            for name, limit in zip(providers, limits, strict=True)
        ],
        data_dir=str(settings.data_dir),
        media_dir=str(settings.media_dir),
        media_storage=settings.storage_url or str(settings.media_dir),
        database_kind="sqlite" if settings.is_sqlite else "postgresql",
        data_size_bytes=float(size),
        free_space_bytes=float(usage.free_bytes) if usage is not None else None,
        disk_size_bytes=float(usage.total_bytes) if usage is not None else None,
        last_housekeeping=HousekeepingRun(
            finished_at=report.finished_at,
            files_removed=report.files_removed,
            bytes_freed=float(report.bytes_freed),
            unfinished_files=report.unfinished_files,
            backups_removed=report.backups_removed,
            keep_backups=settings.keep_backups,
        )
        if report is not None
        else None,
    )


def _size_of(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            for folder, _, names in os.walk(path):
                for name in names:
                    try:
                        total += os.lstat(os.path.join(folder, name)).st_size
                    except OSError:
                        pass  # removed while we counted
    return total
