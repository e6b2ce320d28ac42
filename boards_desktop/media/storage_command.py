"""`boards-desktop storage credentials` and `storage status`: the bucket's keys in the OS keyring.

The secret is typed at a prompt that does not echo it (or piped on stdin with `--secret-stdin`, for
scripts), never given as an argument (arguments show in the process list and the shell's history).
`status` says where each of the bucket's settings comes from, and never shows a key.
"""

from __future__ import annotations

import getpass
import sys
from typing import TextIO

from boards_desktop.media.bucket_credentials import FIELDS, clear_keyring, resolve, store_in_keyring
from boards_desktop.providers.keys import KeyStoreError
from boards_desktop.settings import Settings

_SHOWN = {
    "AWS_ENDPOINT_URL": "endpoint",
    "AWS_REGION": "region",
    "AWS_ACCESS_KEY_ID": "access key id",
    "AWS_SECRET_ACCESS_KEY": "secret access key",
}
_NOT_SECRET = ("AWS_ENDPOINT_URL", "AWS_REGION")  # shown as they are; the keys only by where they come from


def run_credentials(
    settings: Settings,
    *,
    access_key_id: str | None,
    endpoint_url: str | None,
    region: str | None,
    secret_stdin: bool,
    clear: bool,
    stdin: TextIO | None = None,
) -> int:
    environment = settings.environment
    try:
        if clear:
            removed = clear_keyring(environment)
            print("the bucket's keys were removed from the OS keyring" if removed else "the OS keyring held no keys")
            return 0
        access_key_id = (access_key_id or "").strip() or _ask("Access key id: ", stdin)
        secret = _read_secret(secret_stdin, stdin)
        if not access_key_id or not secret:
            print(
                "boards-desktop: give both the access key id and the secret access key; nothing was stored",
                file=sys.stderr,
            )
            return 2
        if any(ch.isspace() for ch in access_key_id + secret):
            print("boards-desktop: a key has spaces or line breaks in it; paste it again, alone", file=sys.stderr)
            return 2
        fields = {"access_key_id": access_key_id, "secret_access_key": secret}
        fields.update(
            {
                key: value.strip()
                for key, value in (("endpoint_url", endpoint_url), ("region", region))
                if value and value.strip()
            }
        )
        store_in_keyring(environment, fields)
    except KeyStoreError as exc:
        print(f"boards-desktop: {exc}", file=sys.stderr)
        return 2
    stored = ", ".join(_SHOWN[FIELDS[key]] for key in fields)
    print(f"stored in the OS keyring: {stored} (the environment and the config file still win where they set one)")
    return 0


def run_status(settings: Settings) -> int:
    if settings.storage_url is None:
        print(f"media: the folder {settings.media_dir} (BOARDS_STORAGE_URL names no bucket)")
        return 0
    credentials = resolve(settings)
    print(f"media: {settings.storage_url}")
    for name, label in _SHOWN.items():
        source = credentials.sources.get(name)
        if source is None:
            print(f"  {label}: not set")
        elif name in _NOT_SECRET:
            print(f"  {label}: {credentials.values.get(name)} (from the {source})")
        else:
            print(f"  {label}: set (from the {source})")
    if credentials.keyring_problem:
        print(f"  OS keyring: {credentials.keyring_problem}")
    return 0


def _ask(prompt: str, stdin: TextIO | None) -> str:
    if stdin is not None or not sys.stdin.isatty():
        return (stdin or sys.stdin).readline().strip()
    return input(prompt).strip()


def _read_secret(from_stdin: bool, stdin: TextIO | None) -> str:
    if from_stdin or stdin is not None:
        return (stdin or sys.stdin).readline().strip()
    return getpass.getpass("Secret access key (not shown): ").strip()
