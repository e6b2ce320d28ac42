"""The bucket's endpoint, region and keys: from the environment, the config file, or the OS keyring.

Each value is taken from the first place that has it: the standard variables (`AWS_ENDPOINT_URL`,
`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), then the config
file's `[storage]` section (`endpoint_url`, `region`, `access_key_id`, `secret_access_key`), then
the OS keyring (service "Boards Desktop", user name "storage": what `boards-desktop storage
credentials` stored there, one JSON object). The keyring is read only when the first two leave a
value missing, so an artist who sets the variables never sees a keyring prompt.

Every key found is registered with `boards_desktop.logs.register_secret`, so no log line shows it;
messages name where a value came from, never the value.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from boards_desktop.logs import register_secret
from boards_desktop.providers.keys import KEYRING_SERVICE, KeyStoreError, open_keyring
from boards_desktop.settings import STORAGE_CONFIG_KEYS

if TYPE_CHECKING:
    from boards_desktop.settings import Settings

log = logging.getLogger("boards.media")

KEYRING_USER = "storage"
# What the keyring entry may hold (the config file's names), and the variables they stand for.
FIELDS = STORAGE_CONFIG_KEYS
# Variables that count as the same value (the client takes the S3-specific endpoint over the general one).
_SAME_AS = {"AWS_ENDPOINT_URL": ("AWS_ENDPOINT_URL_S3",), "AWS_REGION": ("AWS_DEFAULT_REGION",)}
_SECRETS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@dataclass(frozen=True)
class BucketCredentials:
    values: dict[str, str]  # AWS_* name -> value, for the S3 client only
    sources: dict[str, str]  # AWS_* name (of FIELDS) -> "environment" | "config" | "keyring"
    keyring_problem: str | None = None  # why the keyring was not read, when it was needed


def resolve(settings: Settings) -> BucketCredentials:
    """The bucket's settings, each from the first of environment, config file, keyring that has it (blocking)."""
    values = dict(settings.storage_environment)
    sources = {name: "environment" for name in FIELDS.values() if _has(values, name)}
    for name, value in settings.storage_config.items():
        if not _has(values, name):
            values[name], sources[name] = value, "config"
    if sources.get("AWS_SECRET_ACCESS_KEY") == "config" and settings.config_file is not None:
        _warn_when_others_can_read(settings.config_file)
    problem = None
    if any(not _has(values, name) for name in FIELDS.values()):
        stored, problem = read_keyring(settings.environment)
        for name, value in stored.items():
            if not _has(values, name):
                values[name], sources[name] = value, "keyring"
    for name in _SECRETS:
        if values.get(name):
            register_secret(values[name], lasting=True)
    return BucketCredentials(values, sources, problem)


def _warn_when_others_can_read(path: Path) -> None:
    """A secret in a file others can read has leaked to them: say so (POSIX permissions only)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if os.name == "posix" and mode & (stat.S_IRGRP | stat.S_IROTH):
        log.warning(
            "the config file %s holds the bucket's secret key and others on this computer can read it: "
            "run chmod 600 on it, or keep the keys in the OS keyring (boards-desktop storage credentials)",
            path,
        )


def _has(values: Mapping[str, str], name: str) -> bool:
    return bool(values.get(name)) or any(values.get(alias) for alias in _SAME_AS.get(name, ()))


def read_keyring(environment: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The AWS_* values stored in the keyring (none when there is no keyring or no entry), and why not."""
    backend, problem = open_keyring(environment)
    if backend is None:
        return {}, problem
    try:
        raw = backend.get_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception as exc:  # noqa: BLE001 - a locked or broken keyring must not stop the app
        return {}, f"the OS keyring could not be read ({type(exc).__name__})"
    if not raw:
        return {}, None
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return (
            {},
            "the bucket's entry in the OS keyring is damaged; store it again with boards-desktop storage credentials",
        )
    found = {FIELDS[key]: str(value).strip() for key, value in document.items() if key in FIELDS and str(value).strip()}
    for name in _SECRETS:
        if found.get(name):
            register_secret(found[name], lasting=True)
    return found, None


def store_in_keyring(environment: Mapping[str, str], fields: Mapping[str, str]) -> None:
    """Keep `fields` (config-file names: access_key_id, secret_access_key, endpoint_url, region) in the
    keyring, over what was there; KeyStoreError says why not (never with a value)."""
    for key in ("access_key_id", "secret_access_key"):
        if fields.get(key):
            register_secret(fields[key], lasting=True)
    backend = _backend_or_refuse(environment)
    document: dict[str, Any] = {key: value for key, value in fields.items() if key in FIELDS and value}
    try:
        backend.set_password(KEYRING_SERVICE, KEYRING_USER, json.dumps(document))
    except Exception as exc:  # noqa: BLE001 - the keyring's own error, named, never with the key
        raise KeyStoreError(
            f"the OS keyring refused to store the bucket's keys ({type(exc).__name__}); unlock it and try again, "
            "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment"
        ) from None


def clear_keyring(environment: Mapping[str, str]) -> bool:
    """Remove the bucket's entry from the keyring; False when there was none."""
    backend = _backend_or_refuse(environment)
    try:
        if backend.get_password(KEYRING_SERVICE, KEYRING_USER) is None:
            return False
        backend.delete_password(KEYRING_SERVICE, KEYRING_USER)
    except Exception as exc:  # noqa: BLE001
        raise KeyStoreError(
            f"the OS keyring refused to remove the bucket's keys ({type(exc).__name__}); unlock it and try again"
        ) from None
    return True


def _backend_or_refuse(environment: Mapping[str, str]) -> Any:
    backend, problem = open_keyring(environment)
    if backend is None:
        raise KeyStoreError(
            f"{problem or 'no OS keyring is available here'}; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "in the environment, or put them in the config file's [storage] section"
        )
    return backend
