"""openaiEndpoints, saveOpenaiEndpoint, removeOpenaiEndpoint, testOpenaiEndpoint: the Settings page's
OpenAI-compatible servers (Ollama, LM Studio, LocalAI, llama.cpp's server, vLLM).

An endpoint is a name, an address and maybe a key. The key goes to the OS keyring, like the
providers' keys; answers say whether one is set and its last four characters, never the key.
A change is checked first (the field named when it is wrong) and changes nothing when refused.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import strawberry

from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import bad_input
from boards_desktop.preferences import PreferenceError
from boards_desktop.providers.keys import KeyStoreError
from boards_desktop.providers.openai_endpoints import EndpointConfig, check_endpoint, configured, save
from boards_desktop.services import Services

if TYPE_CHECKING:  # the provider (and httpx under it) comes with the engine, after the first answer
    from boards_desktop.providers.openai_compatible import Endpoint, OpenAICompatibleProvider


@strawberry.type(description="An OpenAI-compatible server: its address, whether it answers, what it offers.")
class OpenaiEndpoint:
    name: str
    url: str
    auto: bool = strawberry.field(description="Ollama's address, offered because it answered; not named in Settings.")
    key_set: bool
    key_last_four: str | None = strawberry.field(description="The key's last four characters; never the key.")
    checked: bool = strawberry.field(description="False until the first check has answered.")
    unavailable_reason: str | None = strawberry.field(description="Null when it answers with models.")
    models: list[str]
    offers_images: bool
    generators: list[str] = strawberry.field(description="The names of the generators it offers.")


@strawberry.input
class OpenaiEndpointInput:
    name: str
    url: str
    key: str | None = strawberry.field(default=None, description="Null: keep the key as it is; empty: remove it.")
    previous_name: str | None = strawberry.field(default=None, description="The name it had, when it is renamed.")


@strawberry.type
class OpenaiEndpointsQuery:
    @strawberry.field(description="The OpenAI-compatible endpoints, each with what it offers now.")
    async def openai_endpoints(self, info: strawberry.Info) -> list[OpenaiEndpoint]:
        services = context_of(info).services
        await services.keys.ready()
        return [endpoint_answer(services, e) for e in _listed(_provider(services))]


@strawberry.type
class OpenaiEndpointsMutations:
    @strawberry.mutation(description="Add or change an endpoint (its key goes to the OS keyring); checked at once.")
    async def save_openai_endpoint(self, info: strawberry.Info, input: OpenaiEndpointInput) -> OpenaiEndpoint:
        services = context_of(info).services
        provider = _provider(services)
        await services.keys.ready()
        existing = configured(services.preferences)
        previous = input.previous_name
        if previous is not None and previous not in {e.name for e in existing}:
            raise bad_input(f"previousName: there is no endpoint named {previous!r}; leave it empty to add one")
        try:
            config = check_endpoint(existing, input.name, input.url, previous)
        except PreferenceError as exc:
            raise bad_input(str(exc)) from None
        keys = services.keys
        try:
            await asyncio.to_thread(keys.add_unlisted, config.key_spec())
            old_key = keys.get(EndpointConfig(previous, "").key_name) if previous and previous != config.name else None
            if input.key is not None and input.key.strip():
                await asyncio.to_thread(keys.set, config.key_name, input.key)
            elif input.key is not None:
                await asyncio.to_thread(keys.clear, config.key_name)
            elif old_key:  # renamed: the key goes along
                await asyncio.to_thread(keys.set, config.key_name, old_key)
            if previous and previous != config.name and old_key:
                await asyncio.to_thread(keys.clear, EndpointConfig(previous, "").key_name)
        except KeyStoreError as exc:
            raise bad_input(str(exc)) from None
        updated = [config if e.name == previous else e for e in existing]
        if previous is None:
            updated.append(config)
        moves: dict[str, str | None] = {}
        if previous is not None and EndpointConfig(previous, "").group != config.group:
            moves[EndpointConfig(previous, "").group] = config.group  # its jobs-at-once goes along
        try:
            save(services.preferences, updated, moves)
        except OSError as exc:
            raise bad_input(f"the endpoint could not be saved in {services.preferences.path}: {exc.strerror}") from None
        await provider.refresh_endpoint(config.name)
        endpoint = provider.endpoint(config.name)
        assert endpoint is not None
        return endpoint_answer(services, endpoint)

    @strawberry.mutation(description="Remove an endpoint and its key; its generators go, its past results stay.")
    async def remove_openai_endpoint(self, info: strawberry.Info, name: str) -> list[OpenaiEndpoint]:
        services = context_of(info).services
        provider = _provider(services)
        existing = configured(services.preferences)
        if name not in {e.name for e in existing}:
            raise bad_input(f"name: there is no endpoint named {name!r} in Settings")
        try:
            await asyncio.to_thread(services.keys.clear, EndpointConfig(name, "").key_name)
        except KeyStoreError:
            pass  # no keyring here: there was no key to remove
        try:
            gone = EndpointConfig(name, "").group
            save(services.preferences, [e for e in existing if e.name != name], {gone: None})
        except OSError as exc:
            raise bad_input(
                f"the endpoint could not be removed in {services.preferences.path}: {exc.strerror}"
            ) from None
        return [endpoint_answer(services, e) for e in _listed(provider)]

    @strawberry.mutation(description="Check an endpoint now: whether it answers, and the models it lists.")
    async def test_openai_endpoint(self, info: strawberry.Info, name: str) -> OpenaiEndpoint:
        services = context_of(info).services
        provider = _provider(services)
        if provider.endpoint(name) is None:
            raise bad_input(f"name: there is no endpoint named {name!r}")
        await provider.refresh_endpoint(name)
        endpoint = provider.endpoint(name)
        assert endpoint is not None
        return endpoint_answer(services, endpoint)


def _provider(services: Services) -> OpenAICompatibleProvider:
    from boards_desktop.providers.openai_compatible import OpenAICompatibleProvider

    provider = services.providers.get("openai-compatible")
    if not isinstance(provider, OpenAICompatibleProvider):
        raise bad_input("this app runs without the OpenAI-compatible provider")
    return provider


def _listed(provider: OpenAICompatibleProvider) -> list[Endpoint]:
    return provider.listed()


def endpoint_answer(services: Services, endpoint: Endpoint) -> OpenaiEndpoint:
    status = services.keys.status(endpoint.config.key_name) if not endpoint.auto else None
    generators = [
        g.name for g in services.openai_endpoints.generators() if getattr(g, "endpoint_name", None) == endpoint.name
    ]
    return OpenaiEndpoint(
        name=endpoint.name,
        url=endpoint.url,
        auto=endpoint.auto,
        key_set=bool(status and status.is_set),
        key_last_four=status.last_four if status else None,
        checked=endpoint.status.checked,
        unavailable_reason=endpoint.status.reason(),
        models=list(endpoint.models),
        offers_images=endpoint.images,
        generators=generators,
    )
