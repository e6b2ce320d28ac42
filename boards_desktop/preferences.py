"""What the Settings page changes: the local engines' addresses and per-provider concurrency, applied at once.

Kept in `<data dir>/preferences.json`, written atomically. The order that decides a value:
the environment > these preferences > the config file > the default. So a value the environment
sets cannot be changed here (the page says where it comes from, and a change is refused with the
variable named); one the config file sets can, and the preference wins until it is reset.

Readers ask for the current value every time (`concurrency_of`, `comfyui_url`): the job runner's
per-provider limit and the ComfyUI provider follow a change without a restart.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from boards_desktop.settings import ONE_AT_A_TIME, Settings

log = logging.getLogger("boards")

PREFERENCES_FILE_NAME = "preferences.json"
MAX_CONCURRENCY = 64
# The engines whose address the page sets: preference key -> (setting, the page's field, an example).
ENGINE_URLS = {
    "comfyui_url": ("BOARDS_COMFYUI_URL", "comfyuiUrl", "http://127.0.0.1:8188"),
    "sd_webui_url": ("BOARDS_SD_WEBUI_URL", "sdWebuiUrl", "http://127.0.0.1:7860"),
}


class PreferenceError(ValueError):
    """A value the page cannot set; the message names the field."""


@dataclass(frozen=True)
class Sourced:
    value: Any
    source: str  # environment | settings | config | default


class Preferences:
    def __init__(self, settings: Settings, path: Path | None = None) -> None:
        self._settings = settings
        self.path = path or settings.data_dir / PREFERENCES_FILE_NAME
        self._lock = threading.Lock()
        self._values = self._read()
        self._listeners: list[Callable[[], None]] = []

    # -- effective values ----------------------------------------------------------------------

    def comfyui_url(self) -> Sourced:
        return self._engine_url("comfyui_url", self._settings.comfyui_url)

    def sd_webui_url(self) -> Sourced:
        return self._engine_url("sd_webui_url", self._settings.sd_webui_url)

    def _engine_url(self, key: str, configured: str) -> Sourced:
        source = self._settings.source_of(ENGINE_URLS[key][0])
        if source != "environment" and isinstance(self._values.get(key), str):
            return Sourced(self._values[key], "settings")
        return Sourced(configured, source)

    def concurrency(self, provider: str) -> Sourced:
        """The limit of a provider, or of a group within one (`openai-compatible/<endpoint>`): a group
        without a choice of its own takes its provider's."""
        if "/" in provider:
            own = self._values.get("concurrency", {}).get(provider)
            if isinstance(own, int):
                return Sourced(own, "settings")
            return self.concurrency(provider.split("/", 1)[0])
        setting = f"BOARDS_CONCURRENCY_{provider.upper()}"
        source = self._settings.source_of(setting)
        chosen = self._values.get("concurrency", {}).get(provider)
        if source != "environment" and isinstance(chosen, int):
            return Sourced(chosen, "settings")
        if provider in self._settings.concurrency:
            return Sourced(self._settings.concurrency[provider], source)
        own_default = provider == "local" or provider in ONE_AT_A_TIME  # BOARDS_CONCURRENCY does not apply
        general = "default" if own_default else self._settings.source_of("BOARDS_CONCURRENCY")
        return Sourced(self._settings.default_concurrency_of(provider), general)

    def concurrency_of(self, provider: str) -> int:
        """The job runner's limit for `provider`, as it stands now."""
        return int(self.concurrency(provider).value)

    # -- changes ---------------------------------------------------------------------------------

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every applied change (the job runner wakes, engines are checked again)."""
        self._listeners.append(listener)

    def update(
        self,
        *,
        comfyui_url: str | None = None,
        sd_webui_url: str | None = None,
        concurrency: Mapping[str, int] | None = None,
    ) -> None:
        """Check every value, then save and apply them together (or none). Blocking: a file write."""
        changes: dict[str, Any] = {}
        for key, raw in (("comfyui_url", comfyui_url), ("sd_webui_url", sd_webui_url)):
            if raw is not None:
                changes[key] = self._checked_url(key, raw)
        limits: dict[str, int] = {}
        for provider, limit in (concurrency or {}).items():
            limits[provider] = self._checked_limit(provider, limit)
        with self._lock:
            values = json.loads(json.dumps(self._values))  # a copy: nothing changes if the write fails
            values.update(changes)
            if limits:
                values.setdefault("concurrency", {}).update(limits)
            _write_atomically(self.path, values)
            self._values = values
        self._apply()

    # -- values another module checks and owns (the OpenAI-compatible endpoints) ---------------------

    def stored(self, name: str) -> Any:
        """A value kept under `name` by its owner (None when never set)."""
        return self._values.get(name)

    def store(self, name: str, value: Any, *, limit_moves: Mapping[str, str | None] | None = None) -> None:
        """Save `value` (already checked by its owner) under `name`, then apply it like `update`.
        `limit_moves`: concurrency choices that go along in the same write (old group -> new group, or
        None to forget it): an endpoint renamed keeps its limit, one removed takes it along."""
        with self._lock:
            values = json.loads(json.dumps(self._values))
            values[name] = value
            limits = values.get("concurrency") or {}
            for old, new in (limit_moves or {}).items():
                moved = limits.pop(old, None)
                if new is not None and moved is not None:
                    limits[new] = moved
            if limits or "concurrency" in values:
                values["concurrency"] = limits
            _write_atomically(self.path, values)
            self._values = values
        self._apply()

    def _apply(self) -> None:
        # Each listener applies the saved values to what it owns; one that fails leaves the others to theirs.
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("applying a settings change failed")

    def _checked_url(self, key: str, raw: str) -> str:
        setting, field, example = ENGINE_URLS[key]
        if self._settings.source_of(setting) == "environment":
            raise PreferenceError(
                f"{field}: {setting} is set in the environment, which wins over this page; change or remove it there"
            )
        url = raw.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PreferenceError(f"{field}: {raw!r} is not an http(s) address; e.g. {example}")
        return url

    def _checked_limit(self, provider: str, limit: int) -> int:
        name = provider.strip().lower()
        if not name or name != provider:
            raise PreferenceError(f"concurrency.provider: {provider!r} is not a provider name (lower case, e.g. fal)")
        if not 0 <= limit <= MAX_CONCURRENCY:
            raise PreferenceError(
                f"concurrency[{provider}].limit: {limit} is out of range; give 0 to {MAX_CONCURRENCY} (0 pauses its queue)"
            )
        variable = f"BOARDS_CONCURRENCY_{provider.upper()}"
        if self._settings.source_of(variable) == "environment":
            raise PreferenceError(
                f"concurrency[{provider}]: {variable} is set in the environment, which wins over this page; "
                "change or remove it there"
            )
        return limit

    def _read(self) -> dict[str, Any]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # Written by the app only; a damaged file costs the page's choices, not the start-up.
            log.warning("%s could not be read (%s); the app's own settings start from the defaults", self.path, exc)
            return {}
        if not isinstance(raw, dict):
            return {}
        concurrency = raw.get("concurrency")
        raw["concurrency"] = (
            {str(k): v for k, v in (concurrency or {}).items() if isinstance(v, int) and 0 <= v <= MAX_CONCURRENCY}
            if isinstance(concurrency, dict)
            else {}
        )
        return raw


def _write_atomically(path: Path, values: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(values, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)
