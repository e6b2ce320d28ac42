"""Checks on a profile (display name, email, avatar) as `updateUser` receives it.

The avatar is kept as a small `data:image/...;base64,` URL in `users.avatar_url`, not as a media file:
on a team database every teammate's app shows it straight from the user row, whatever folder or bucket
holds the media, and a user owns no board to file it under. Settings shrinks the picked image to
128 pixels square before sending it, so it stays a few kilobytes.
"""

from __future__ import annotations

import base64
import binascii
import re

from boards_desktop.graphql.errors import bad_input

MAX_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 255
MAX_AVATAR_BYTES = 96 * 1024
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_AVATAR = re.compile(r"data:image/(png|jpeg|webp|gif);base64,([A-Za-z0-9+/=]+)")


def display_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise bad_input("displayName is empty; give the name your teammates will see")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise bad_input(f"displayName is {len(cleaned)} characters long; use at most {MAX_NAME_LENGTH}")
    return cleaned


def email(value: str | None) -> str | None:
    """A plausible address, or None (blank clears it)."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    if len(cleaned) > MAX_EMAIL_LENGTH:
        raise bad_input(f"email is {len(cleaned)} characters long; use at most {MAX_EMAIL_LENGTH}")
    if not _EMAIL.fullmatch(cleaned):
        raise bad_input(f"email {cleaned[:80]!r} is not an address; write it as name@example.com, or leave it empty")
    return cleaned


def avatar_url(value: str | None) -> str | None:
    """A `data:image/png|jpeg|webp|gif;base64,...` URL of at most MAX_AVATAR_BYTES, or None (blank clears it)."""
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    match = _AVATAR.fullmatch(cleaned)
    if match is None:
        raise bad_input(
            "avatarUrl must be an image as a data URL (data:image/png;base64,...; PNG, JPEG, WebP or GIF); "
            "pick an image in Settings, or send an empty string to remove the avatar"
        )
    try:
        size = len(base64.b64decode(match.group(2), validate=True))
    except (binascii.Error, ValueError):
        raise bad_input("avatarUrl's base64 data is damaged; pick the image again") from None
    if size > MAX_AVATAR_BYTES:
        raise bad_input(
            f"The avatar image is {size // 1024} KB; at most {MAX_AVATAR_BYTES // 1024} KB: shrink it (Settings does)"
        )
    return cleaned
