"""Provider keys: from the environment, or from the OS keyring; never from the database or a log.

Lookup order for each provider: its environment variable (`OPENAI_API_KEY`, `REPLICATE_API_TOKEN`,
`FAL_KEY`), then the OS keyring (service "Boards Desktop", user name = the provider). The keyring
is read once, off the event loop, when the app starts (`start_loading()`: importing keyring and
finding its backend take a few hundred milliseconds, which the start-up does not wait for), and
kept in memory: `get()` is called by every `availability()` check, which must never wait on a
keyring (on macOS the first read can show a permission dialog; on Linux it is a D-Bus round trip).
What must not answer before the keyring is read (the job runner's start, queuing, the
`generators` query) awaits `ready()` first.

Which keyring: the one the artist chose (`PYTHON_KEYRING_BACKEND`, or keyring's own
`keyringrc.cfg`), else the best *recommended* backend that the `keyring` library finds (macOS
Keychain, Windows Credential Locker, the Secret Service or KWallet on Linux). Backends that keyring
itself does not recommend (priority below 1: plain-text files, the "fail" backend) are never picked
on their own: a key would end up in a plain file without the artist having asked for it. Where
there is none, `can_store` is False and `store_unavailable_reason` says to use the environment.

Every key seen is registered with `boards_desktop.logs.register_secret`, so no log line shows it;
errors name the provider and the variable, never the key.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from boards_desktop.logs import register_secret

log = logging.getLogger("boards.providers")

KEYRING_SERVICE = "Boards Desktop"
_PROPERTY_PREFIX = "KEYRING_PROPERTY_"
MAX_KEY_LENGTH = 500
MIN_KEY_LENGTH = 8


@dataclass(frozen=True)
class KeySpec:
    provider: str  # "openai"
    label: str  # "OpenAI": how an artist knows the service
    env_var: str  # "OPENAI_API_KEY"


KEY_SPECS: dict[str, KeySpec] = {
    "openai": KeySpec("openai", "OpenAI", "OPENAI_API_KEY"),
    "replicate": KeySpec("replicate", "Replicate", "REPLICATE_API_TOKEN"),
    "fal": KeySpec("fal", "fal.ai", "FAL_KEY"),
}


class KeyStoreError(ValueError):
    """A key cannot be stored or removed here; the message says what to do instead."""


@dataclass(frozen=True)
class KeyStatus:
    """What the API may say about a key: whether it is set, and at most its last four characters."""

    spec: KeySpec
    is_set: bool
    last_four: str | None
    source: str | None  # "environment" | "keyring" | None
    can_store: bool
    store_unavailable_reason: str | None


class KeyStore:
    """The provider keys of one app. `environment` is `Settings.environment` (the process's, in production)."""

    def __init__(self, environment: Mapping[str, str], specs: Mapping[str, KeySpec] = KEY_SPECS) -> None:
        self._environment = dict(environment)
        self._specs = dict(specs)
        self._unlisted: set[str] = set()  # keys of named endpoints: kept here, not listed as providers
        self._stored: dict[str, str] = {}  # from the keyring, as last read or written
        self._lock = threading.Lock()  # keyring calls run in threads; one at a time
        self._backend: Any = None
        self._backend_problem: str | None = "the OS keyring has not been read yet"
        self._loading: asyncio.Future[None] | None = None
        for spec in self._specs.values():
            value = self._environment.get(spec.env_var, "").strip()
            if value:
                register_secret(value, lasting=True)

    # -- reading ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Find the keyring and read the stored keys (blocking: call it in a thread)."""
        with self._lock:
            self._backend, self._backend_problem = _find_backend(self._environment)
            if self._backend is None:
                return
            for provider in list(self._specs):
                try:
                    value = self._backend.get_password(KEYRING_SERVICE, provider)
                except Exception as exc:  # noqa: BLE001 - a locked or broken keyring must not stop the app
                    log.warning("could not read the %s key from the OS keyring: %s", provider, type(exc).__name__)
                    continue
                if value:
                    register_secret(value, lasting=True)
                    self._stored[provider] = value

    async def load_async(self, timeout: float = 10.0) -> None:
        """`load()` off the event loop; a keyring that does not answer in time is left unread."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self.load), timeout)
        except TimeoutError:
            log.warning("the OS keyring did not answer within %g s; keys stored there are not used", timeout)

    def start_loading(self) -> None:
        """Read the keyring in the background (the app's start does not wait for it)."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self.load_async())

    async def ready(self) -> None:
        """Return once the keyring has been read (at once when it has, or when nothing started it)."""
        if self._loading is not None and not self._loading.done():
            await asyncio.shield(self._loading)

    async def stop(self) -> None:
        if self._loading is not None and not self._loading.done():
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)

    def spec(self, provider: str) -> KeySpec:
        try:
            return self._specs[provider]
        except KeyError:
            known = ", ".join(sorted(self._specs))
            raise KeyStoreError(f"provider: there is no provider {provider!r} with a key; use one of {known}") from None

    @property
    def providers(self) -> list[str]:
        return [name for name in self._specs if name not in self._unlisted]

    def add_unlisted(self, spec: KeySpec) -> None:
        """A key of something the artist named (an OpenAI-compatible endpoint), stored like the
        providers' keys but not listed with them. Blocking when the keyring is already read (its
        entry is read now): call it in a thread then."""
        with self._lock:
            known = spec.provider in self._specs
            self._specs[spec.provider] = spec
            self._unlisted.add(spec.provider)
            if known or self._backend is None:
                return
            try:
                value = self._backend.get_password(KEYRING_SERVICE, spec.provider)
            except Exception as exc:  # noqa: BLE001 - as in load()
                log.warning("could not read the %s key from the OS keyring: %s", spec.label, type(exc).__name__)
                return
            if value:
                register_secret(value, lasting=True)
                self._stored[spec.provider] = value

    def get(self, provider: str) -> str | None:
        """The key to send, or None. Never blocks."""
        spec = self.spec(provider)
        value = self._environment.get(spec.env_var, "").strip() if spec.env_var else ""
        return value or self._stored.get(provider)

    def status(self, provider: str) -> KeyStatus:
        spec = self.spec(provider)
        from_env = self._environment.get(spec.env_var, "").strip() if spec.env_var else ""
        value = from_env or self._stored.get(provider)
        source = None if not value else ("environment" if from_env else "keyring")
        return KeyStatus(
            spec=spec,
            is_set=bool(value),
            last_four=_last_four(value),
            source=source,
            can_store=self._backend is not None,
            store_unavailable_reason=None if self._backend is not None else self.no_keyring_message(provider),
        )

    def missing_message(self, provider: str) -> str:
        """Why a generator of `provider` cannot run without its key, and how to give one."""
        spec = self.spec(provider)
        return f"no {spec.label} key: add it in Settings, or set {spec.env_var} in the environment"

    def no_keyring_message(self, provider: str) -> str:
        spec = self.spec(provider)
        problem = self._backend_problem or "no OS keyring is available here"
        if not spec.env_var:
            return f"{problem}; a key for {spec.label} can only be kept in an OS keyring"
        return f"{problem}; set {spec.env_var} in the environment instead"

    # -- writing (blocking: the GraphQL mutations call these in a thread) ---------------------------

    def set(self, provider: str, key: str) -> KeyStatus:
        spec = self.spec(provider)
        key = _checked_key(key, spec)
        register_secret(key, lasting=True)  # before anything can fail and be logged
        with self._lock:
            if self._backend is None:
                raise KeyStoreError(self.no_keyring_message(provider))
            try:
                self._backend.set_password(KEYRING_SERVICE, provider, key)
            except Exception as exc:  # noqa: BLE001 - the keyring's own error, named, never with the key
                raise KeyStoreError(
                    f"the OS keyring refused to store the {spec.label} key ({type(exc).__name__}); "
                    f"unlock it and try again, or set {spec.env_var} in the environment"
                ) from None
            self._stored[provider] = key
        log.info("the %s key was stored in the OS keyring", spec.label)
        return self.status(provider)

    def clear(self, provider: str) -> KeyStatus:
        """Remove the keyring entry; a key from the environment stays (it is the environment's)."""
        spec = self.spec(provider)
        with self._lock:
            if self._backend is None:
                if provider not in self._stored:
                    return self.status(provider)  # nothing stored, nothing to remove
                raise KeyStoreError(self.no_keyring_message(provider))
            try:
                if self._backend.get_password(KEYRING_SERVICE, provider) is not None:
                    self._backend.delete_password(KEYRING_SERVICE, provider)
            except Exception as exc:  # noqa: BLE001
                raise KeyStoreError(
                    f"the OS keyring refused to remove the {spec.label} key ({type(exc).__name__}); unlock it and try again"
                ) from None
            self._stored.pop(provider, None)
        log.info("the %s key was removed from the OS keyring", spec.label)
        return self.status(provider)


def _last_four(value: str | None) -> str | None:
    # A short key would give too much of itself away; real keys are far longer than this.
    return value[-4:] if value and len(value) >= 12 else None


def _checked_key(key: str, spec: KeySpec) -> str:
    key = key.strip()
    if not key:
        raise KeyStoreError(f"key: the {spec.label} key is empty; paste the key from your {spec.label} account")
    if any(ch.isspace() for ch in key) or not key.isprintable() or not key.isascii():
        raise KeyStoreError(f"key: the {spec.label} key has spaces or invisible characters; paste it again, alone")
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH:
        raise KeyStoreError(
            f"key: {spec.label} keys are between {MIN_KEY_LENGTH} and {MAX_KEY_LENGTH} characters long; "
            "paste the whole key"
        )
    return key


def open_keyring(environment: Mapping[str, str]) -> tuple[Any, str | None]:
    """The OS keyring chosen as for the provider keys (blocking), or (None, why there is none)."""
    return _find_backend(environment)


def _find_backend(environment: Mapping[str, str]) -> tuple[Any, str | None]:
    """(backend, None), or (None, why there is none)."""
    try:
        import keyring.backend
        import keyring.core
        from keyring.backends import chainer, fail
    except ImportError:
        return None, "the keyring library is not installed"
    name = environment.get("PYTHON_KEYRING_BACKEND", "").strip()
    backend: keyring.backend.KeyringBackend | None
    try:
        if name:
            backend = keyring.core.load_keyring(name)  # the artist's explicit choice, whatever its priority
        else:
            backend = keyring.core.load_config() or max(
                (b for b in keyring.backend.get_all_keyring() if keyring.core.recommended(b)),
                key=keyring.backend.by_priority,
                default=None,
            )
    except Exception as exc:  # noqa: BLE001 - an unusable configured backend: say which
        return None, f"the OS keyring {name or 'configured in keyringrc.cfg'} cannot be used ({type(exc).__name__})"
    if backend is None or isinstance(backend, fail.Keyring):
        return None, "no OS keyring is available here"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None, "no OS keyring is available here"
    for variable, value in environment.items():
        # keyring reads KEYRING_PROPERTY_* from os.environ; ours come from the app's own environment.
        if variable.startswith(_PROPERTY_PREFIX):
            setattr(backend, variable[len(_PROPERTY_PREFIX) :].lower(), value)
    return backend, None
