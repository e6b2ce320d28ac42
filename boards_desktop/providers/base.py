"""`BaseProvider`: one remote service (or local engine), spoken to over an injected HTTP client.

A provider knows its service's protocol; generators (boards_desktop.generators.providers) are thin
definitions on top of one: which model, which inputs, how the output becomes artifacts.

As the upstream seed has it, a provider's work methods are async generators that yield status
dicts while they work and end with the result:

    async def generate_image(self, prompt: str, params: dict) -> AsyncIterator[Status]:
        yield submitted("pred_123")                       # the remote job's id: saved before waiting
        yield processing(0.5, "step 25 of 50")            # progress 0..1, a message, a phase
        yield completed({"images": [...]})                # last: the service's output

`submitted`, `queued`, `processing` and `completed` build those dicts; failures are raised
(`GeneratorError`, `TransientError`), never yielded. `RemoteGenerator.follow` (in
boards_desktop.generators.providers.remote) consumes such a stream into a job's progress.

A provider is built with `http` (the app's shared `httpx.AsyncClient`: `services.http`), its base
URL (a string, or a function for one that the Settings page can change), a function giving its
key (`KeyStore.get`), and the app's settings (`self.settings`, for a provider with more than one
address, such as fal's model descriptions). Everything it sends goes through `self.request`, the
request helper of boards_desktop.providers.calls (timeouts, retries with backoff and jitter,
`Retry-After`, readable errors), with the key added by `auth_headers`.

Optional, for "any model by name": `describe_model(model_id)` reads a model's input schema from
the service, and `model_generator(description)` turns that description into a generator
(boards_desktop.generators.model_catalog keeps them).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx

from boards_desktop.generators.errors import GeneratorUnavailable
from boards_desktop.providers.calls import (
    DEFAULT_TIMEOUT,
    ErrorReader,
    Retry,
    RetryNotice,
    call,
    read_error_generically,
)

if TYPE_CHECKING:
    from boards_desktop.generators.base import BaseGenerator
    from boards_desktop.generators.model_catalog import ModelDescription
    from boards_desktop.settings import Settings

Status = dict[str, Any]
T = TypeVar("T")


def submitted(job_id: str, message: str | None = None) -> Status:
    """The service took the job under `job_id`: the generator saves it before waiting (resume needs it)."""
    return {"status": "submitted", "job_id": job_id, "progress": 0.0, "phase": "queued", "message": message}


def queued(position: int | None = None, message: str | None = None) -> Status:
    text = message or (
        f"waiting in the queue (position {position})" if position is not None else "waiting in the queue"
    )
    return {"status": "queued", "progress": 0.0, "phase": "queued", "position": position, "message": text}


def processing(progress: float | None, message: str | None = None, phase: str = "processing", **extra: Any) -> Status:
    """Work in progress: `progress` 0..1, or None to keep the last figure (a message alone)."""
    return {"status": "processing", "progress": progress, "phase": phase, "message": message, **extra}


def completed(output: dict[str, Any]) -> Status:
    return {"status": "completed", "output": output}


class BaseProvider:
    name: ClassVar[str]  # "openai": the concurrency group of its generators, and its key's name
    label: ClassVar[str]  # "OpenAI": how an artist knows the service, in every message
    needs_key: ClassVar[bool] = True  # False for local engines (ComfyUI)
    read_error: ClassVar[ErrorReader] = staticmethod(read_error_generically)  # the service's error body
    # At most this many of the provider's requests at once (None: no limit of its own); the rest wait
    # their turn. For many short requests to one service (fal's status polls of 200 jobs): httpcore's
    # connection pool works in proportion to its connections on every request that starts or ends,
    # so a pool of a few hundred connections to one service takes much of the event loop. Not for a
    # provider whose requests are held for the whole job (OpenAI's): they would wait in line.
    requests_at_once: ClassVar[int | None] = None

    def __init__(
        self,
        *,
        http: httpx.AsyncClient | None,
        base_url: str | Callable[[], str],
        api_key: Callable[[], str | None] = lambda: None,
        missing_key_message: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url
        self._api_key = api_key
        self._missing_key_message = missing_key_message or f"no {self.label} key: add it in Settings"
        self.settings = settings  # None when built outside the app (a test's own provider)
        self._slots: asyncio.Semaphore | None = None  # made at the first request, in the app's event loop

    # -- configuration ---------------------------------------------------------------------------

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            raise RuntimeError(f"the {self.label} provider was built without an HTTP client (a listing, not the app)")
        return self._http

    @property
    def base_url(self) -> str:
        """As it is now (the Settings page may change a local engine's address)."""
        url = self._base_url() if callable(self._base_url) else self._base_url
        return url.rstrip("/")

    def api_key(self) -> str | None:
        return self._api_key() if self.needs_key else None

    def auth_headers(self, key: str) -> dict[str, str]:
        """How the key is sent; `Authorization: Bearer <key>` unless the service says otherwise."""
        return {"Authorization": f"Bearer {key}"}

    # -- availability (synchronous, never on the network: called on every `generators` query) -------

    def availability(self) -> str | None:
        """None when the provider can run jobs; else the reason, for the artist."""
        if self.needs_key and not self.api_key():
            return self._missing_key_message
        return None

    async def refresh_availability(self) -> None:
        """Check again what `availability()` reports from a cache (an engine's reachability)."""

    def settings_changed(self) -> None:
        """The Settings page changed something (the ComfyUI address): check again, in the background."""

    async def start(self) -> None:
        """Called once when the app starts (after the keys are read): background checks begin here."""

    async def stop(self) -> None:
        """Called when the app stops."""

    # -- requests --------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """`path` under the base URL; an absolute URL (one the service returned) is kept as it is."""
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        retry: Retry = Retry.SAFE,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        authenticate: bool = True,
        headers: dict[str, str] | None = None,
        on_retry: RetryNotice | None = None,
        **options: Any,
    ) -> httpx.Response:
        """One call to the service through the request helper (see boards_desktop.providers.calls)."""
        sent_headers = dict(headers or {})
        if authenticate and self.needs_key:
            key = self.api_key()
            if not key:
                raise GeneratorUnavailable(self._missing_key_message)
            sent_headers.update(self.auth_headers(key))
        if self.requests_at_once is not None and self._slots is None:
            self._slots = asyncio.Semaphore(self.requests_at_once)
        return await call(
            self.http,
            method,
            self.url(path),
            label=self.label,
            retry=retry,
            timeout=timeout,
            read_error=type(self).read_error,
            on_retry=on_retry,
            headers=sent_headers,
            slots=self._slots,
            **options,
        )

    def generators(self) -> list[BaseGenerator]:
        """Generators offered beyond `PROVIDER_GENERATORS` (boards_desktop.generators.providers): a
        provider that is not part of the app (a plugin's, a test's) brings its own here."""
        return []

    # -- any model by name (optional) ------------------------------------------------------------

    @property
    def describes_models(self) -> bool:
        return type(self).describe_model is not BaseProvider.describe_model

    async def describe_model(self, model_id: str) -> ModelDescription:
        """Read a model's inputs from the service; raise `GeneratorError` when it has no such model."""
        raise NotImplementedError

    def model_generator(self, description: ModelDescription) -> BaseGenerator:
        """The generator for a described model (from `describe_model`, or from the cache file)."""
        raise NotImplementedError


@dataclass
class Done(Generic[T]):
    """The last item of `while_waiting`: what the awaited call returned."""

    value: T


async def while_waiting(
    work: Callable[[RetryNotice], Awaitable[T]],
    *,
    every: float,
    update: Callable[[float], Status],
) -> AsyncIterator[Status | Done[T]]:
    """Run `work` (given a retry notice hook), yielding `update(elapsed)` every `every` seconds and a
    status for each retry pause, then `Done(result)`.

    For calls that answer only at the end (OpenAI Images): the artist sees time pass and retries
    happen instead of a frozen bar. Cancelling the consumer cancels the work.
    """
    notices: asyncio.Queue[Status] = asyncio.Queue()

    async def notice(what: str, pause: float) -> None:
        await notices.put(processing(None, f"{what}; trying again in {pause:.0f} s"))

    started = time.monotonic()
    task = asyncio.ensure_future(work(notice))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=every)
            while not notices.empty():
                yield notices.get_nowait()
            if done:
                yield Done(task.result())
                return
            yield update(time.monotonic() - started)
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
