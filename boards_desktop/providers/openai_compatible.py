"""OpenAI-compatible servers (Ollama, LM Studio, LocalAI, llama.cpp's server, vLLM): named endpoints.

The artist names any number of endpoints in Settings (boards_desktop.providers.openai_endpoints),
each an address ending in `/v1` and maybe a key. Ollama's address (`BOARDS_OLLAMA_URL`, by default
`http://127.0.0.1:11434/v1`; empty: never) is offered on its own once it answers.

Each endpoint has its own `EngineStatus`: a background check lists its models (`GET /models`) and,
when the list changes, probes once whether it has the images API (`POST /images/generations`
with an empty body: a 404 or 405 means no such API; anything else, usually a 400 for the missing
prompt, means there is one). The listeners (the generator catalog:
boards_desktop.generators.providers.openai_compatible_catalog) hear every change and offer a text
generator per model and an image generator per endpoint with the images API. The last lists are
kept in `<data dir>/openai-compatible-models.json`, so the generators exist at start-up, before
any check (a job interrupted by a restart finds its generator again).

Each endpoint's jobs are a concurrency group of their own, `openai-compatible/<endpoint>`, with its own
limit of jobs at once (Settings › Local engines; boards_desktop.providers.local_engines).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from boards_desktop.providers.base import BaseProvider
from boards_desktop.providers.engine import KEY_REFUSED, NO_MODEL, NOT_RUNNING, WRONG_ADDRESS, EngineStatus, Unavailable
from boards_desktop.providers.openai_endpoints import DEFAULT_OLLAMA_URL, OLLAMA_NAME, EndpointConfig, configured

if TYPE_CHECKING:
    from boards_desktop.preferences import Preferences
    from boards_desktop.providers.keys import KeyStore

log = logging.getLogger("boards.providers")

CACHE_FILE_NAME = "openai-compatible-models.json"
CHECK_TIMEOUT = httpx.Timeout(2.5, connect=2.0)
WHERE = "Settings › Local engines"


@dataclass
class Endpoint:
    config: EndpointConfig
    auto: bool  # Ollama's address, offered because it answered (not named by the artist)
    status: EngineStatus
    models: tuple[str, ...] = ()  # as last listed (or read from the cache file)
    images: bool = False  # it has /images/generations
    probed_for: tuple[str, ...] | None = None  # the model list the images probe was made with

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def url(self) -> str:
        return self.config.url


class OpenAICompatibleProvider(BaseProvider):
    name = "openai-compatible"
    label = "OpenAI-compatible server"
    needs_key = False

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._endpoints: dict[str, Endpoint] = {}
        self._preferences: Preferences | None = None
        self._keys: KeyStore | None = None
        self._listeners: list[Callable[[], None]] = []
        self._started = False
        self._cache_path: Path | None = self.settings.data_dir / CACHE_FILE_NAME if self.settings else None

    # -- configuration --------------------------------------------------------------------------

    def attach(self, preferences: Preferences, keys: KeyStore) -> None:
        """Called once at start-up, before the generators are offered: the endpoints named in the
        preferences, their keys, and the model lists of the last run."""
        self._preferences, self._keys = preferences, keys
        for config in configured(preferences):
            keys.add_unlisted(config.key_spec())  # before the keyring is read: read with the rest
        self._sync(self._read_cache())

    def ollama_url(self) -> str:
        extra = self.settings.extra if self.settings is not None else {}
        return extra.get("BOARDS_OLLAMA_URL", DEFAULT_OLLAMA_URL).strip().rstrip("/")

    def endpoints(self) -> list[Endpoint]:
        return list(self._endpoints.values())

    def listed(self) -> list[Endpoint]:
        """The endpoints Settings shows: Ollama's address only once it has answered (it is offered, not named)."""
        return [
            e
            for e in self._endpoints.values()
            if not e.auto or e.models or (e.status.checked and not e.status.reason())
        ]

    def endpoint(self, name: str) -> Endpoint | None:
        return self._endpoints.get(name)

    def key_of(self, endpoint: Endpoint) -> str | None:
        if endpoint.auto or self._keys is None:
            return None
        try:
            return self._keys.get(endpoint.config.key_name)
        except ValueError:
            return None

    def on_change(self, listener: Callable[[], None]) -> None:
        """Hear every change of the endpoints or of what they offer (the generator catalog)."""
        self._listeners.append(listener)

    def settings_changed(self) -> None:
        self._sync({})

    def _sync(self, cached: dict[str, Any]) -> None:
        """Make the endpoints match the preferences (and Ollama's address); keep what is unchanged."""
        wanted = {config.name: (config, False) for config in configured(self._preferences)} if self._preferences else {}
        ollama = self.ollama_url()
        if ollama and all(c.url != ollama and c.name.lower() != OLLAMA_NAME.lower() for c, _ in wanted.values()):
            wanted[OLLAMA_NAME] = (EndpointConfig(OLLAMA_NAME, ollama), True)
        changed = False
        for name in [name for name in self._endpoints if name not in wanted]:
            gone = self._endpoints.pop(name)
            self._stop_later(gone)
            changed = True
        for name, (config, auto) in wanted.items():
            current = self._endpoints.get(name)
            if current is not None and current.config == config and current.auto == auto:
                continue
            if current is not None:
                self._stop_later(current)
            endpoint = Endpoint(config, auto, EngineStatus(partial(self._check, name), label=name))
            memory = cached.get(name)
            if isinstance(memory, dict) and memory.get("url") == config.url:
                endpoint.models = tuple(str(m) for m in memory.get("models") or [])
                endpoint.images = bool(memory.get("images"))
                endpoint.probed_for = endpoint.models
            self._endpoints[name] = endpoint
            if self._started:
                endpoint.status.start()
                endpoint.status.poke()
            changed = True
        if changed:
            self._changed()

    def _stop_later(self, endpoint: Endpoint) -> None:
        try:
            asyncio.get_running_loop().create_task(endpoint.status.stop())
        except RuntimeError:
            pass

    # -- availability ---------------------------------------------------------------------------

    def availability(self) -> str | None:
        return None  # each generator asks its endpoint (`endpoint_reason`)

    def endpoint_reason(self, name: str, model: str | None = None) -> str | None:
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            return f"the endpoint {name!r} is no longer in Settings; add it again there"
        reason = endpoint.status.reason()
        if reason is not None:
            return reason
        if model is not None and endpoint.status.checked and model not in endpoint.models:
            return f"{name} no longer lists the model {model!r}: pull or load it there"
        return None

    async def refresh_availability(self) -> None:
        for endpoint in list(self._endpoints.values()):
            await endpoint.status.refresh()

    async def refresh_endpoint(self, name: str) -> str | None:
        endpoint = self._endpoints.get(name)
        return await endpoint.status.refresh() if endpoint is not None else None

    async def start(self) -> None:
        self._started = True
        for endpoint in self._endpoints.values():
            endpoint.status.start()

    async def stop(self) -> None:
        self._started = False
        for endpoint in self._endpoints.values():
            await endpoint.status.stop()

    # -- the background check -------------------------------------------------------------------

    async def _check(self, name: str) -> str | None:
        endpoint = self._endpoints.get(name)
        if endpoint is None:
            return "removed"
        headers = self._headers(endpoint)
        try:
            response = await self.http.get(f"{endpoint.url}/models", headers=headers, timeout=CHECK_TIMEOUT)
        except httpx.HTTPError:
            return Unavailable(
                f"{name} does not answer at {endpoint.url}: start it, or check its address in {WHERE}", NOT_RUNNING
            )
        if response.status_code in (401, 403):
            return Unavailable(
                f"{name} refused the key: set this endpoint's key in {WHERE} (it answered {response.status_code})",
                KEY_REFUSED,
            )
        models = _model_ids(response)
        if models is None:
            return Unavailable(
                f"something answers at {endpoint.url}, but it lists no models there: check the address "
                "(an OpenAI-compatible server's usually ends in /v1)",
                WRONG_ADDRESS,
            )
        if endpoint.probed_for != models:
            endpoint.images = await self._offers_images(endpoint, headers)
            endpoint.probed_for = models
        if models != endpoint.models:
            endpoint.models = models
            self._changed()
        if not models:
            return Unavailable(f"{name} answers but has no model: pull or load one there", NO_MODEL)
        return None

    async def _offers_images(self, endpoint: Endpoint, headers: dict[str, str]) -> bool:
        try:
            response = await self.http.post(
                f"{endpoint.url}/images/generations", json={}, headers=headers, timeout=CHECK_TIMEOUT
            )
        except httpx.HTTPError:
            return False
        return response.status_code not in (404, 405, 501)

    def _headers(self, endpoint: Endpoint) -> dict[str, str]:
        key = self.key_of(endpoint)
        return {"Authorization": f"Bearer {key}"} if key else {}

    def _changed(self) -> None:
        self._write_cache()
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("applying a change of the OpenAI-compatible endpoints failed")

    # -- the cache of model lists ---------------------------------------------------------------

    def _read_cache(self) -> dict[str, Any]:
        if self._cache_path is None:
            return {}
        try:
            raw = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("%s could not be read (%s); the endpoints' models are listed again", self._cache_path, exc)
            return {}
        return raw if isinstance(raw, dict) else {}

    def _write_cache(self) -> None:
        if self._cache_path is None:
            return
        value = {
            e.name: {"url": e.url, "models": list(e.models), "images": e.images}
            for e in self._endpoints.values()
            if e.models
        }
        try:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            temp = self._cache_path.with_name(f".{self._cache_path.name}.{os.getpid()}.tmp")
            temp.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
            os.replace(temp, self._cache_path)
        except OSError as exc:
            log.warning("%s could not be written: %s", self._cache_path, exc)


def _model_ids(response: httpx.Response) -> tuple[str, ...] | None:
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return None
    ids = [str(item["id"]) for item in data if isinstance(item, dict) and item.get("id")]
    return tuple(sorted(dict.fromkeys(ids)))
