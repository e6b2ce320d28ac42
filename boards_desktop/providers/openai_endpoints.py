"""The OpenAI-compatible endpoints an artist names in Settings: each a name, an address, and maybe a key.

Kept in the preferences file (`openai_endpoints`: a list of `{"name", "url"}`), the keys in the OS
keyring like the providers' keys (user name `openai-compatible/<name>`), never shown back.
`check_endpoint` refuses what cannot be used, naming the field; nothing is saved then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from boards_desktop.preferences import PreferenceError, Preferences
from boards_desktop.providers.keys import KeySpec

PREFERENCE = "openai_endpoints"
MAX_ENDPOINTS = 32
MAX_NAME = 40
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$")
GROUP_PREFIX = "openai-compatible/"  # + the endpoint's slug: its jobs' concurrency group
OLLAMA_NAME = "Ollama"
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434/v1"


@dataclass(frozen=True)
class EndpointConfig:
    name: str
    url: str

    @property
    def slug(self) -> str:
        """The endpoint in generator names: `chat/<slug>/<model>`."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def group(self) -> str:
        return endpoint_group(self.slug)

    @property
    def key_name(self) -> str:
        return f"openai-compatible/{self.name}"

    def key_spec(self) -> KeySpec:
        return KeySpec(self.key_name, self.name, "")


def endpoint_group(slug: str) -> str:
    """The concurrency group of an endpoint's jobs, also the key of its limit in the preferences."""
    return f"{GROUP_PREFIX}{slug}"


def configured(preferences: Preferences) -> list[EndpointConfig]:
    raw = preferences.stored(PREFERENCE)
    found: list[EndpointConfig] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("url"), str):
            found.append(EndpointConfig(item["name"], item["url"]))
    return found


def check_endpoint(existing: list[EndpointConfig], name: str, url: str, previous: str | None) -> EndpointConfig:
    """The endpoint as it will be saved; PreferenceError names what is wrong."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME or not _NAME.match(name):
        raise PreferenceError(
            f"name: {name!r} cannot name an endpoint; use 1 to {MAX_NAME} letters, digits, spaces, dots, - or _ "
            "(e.g. LM Studio)"
        )
    others = [e for e in existing if e.name != previous]
    if any(e.name.lower() == name.lower() for e in others):
        raise PreferenceError(f"name: there is already an endpoint named {name!r}; choose another name")
    if previous is None and len(others) >= MAX_ENDPOINTS:
        raise PreferenceError(f"name: {MAX_ENDPOINTS} endpoints at most; remove one first")
    clean = url.strip().rstrip("/")
    parts = urlsplit(clean)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PreferenceError(f"url: {url!r} is not an http(s) address; e.g. http://127.0.0.1:1234/v1")
    if any(e.url == clean for e in others):
        raise PreferenceError(f"url: {clean} is already the address of another endpoint")
    if EndpointConfig(name, clean).slug in {e.slug for e in others}:
        raise PreferenceError(f"name: {name!r} is too close to another endpoint's name; choose another name")
    return EndpointConfig(name, clean)


def save(
    preferences: Preferences, endpoints: list[EndpointConfig], limit_moves: dict[str, str | None] | None = None
) -> None:
    """Save the endpoints; `limit_moves` carries a renamed endpoint's jobs-at-once along (or drops a removed one's)."""
    value: list[dict[str, Any]] = [{"name": e.name, "url": e.url} for e in endpoints]
    preferences.store(PREFERENCE, value, limit_moves=limit_moves)
