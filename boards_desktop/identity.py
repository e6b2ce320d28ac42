"""Who the artist is on this installation.

Boards Desktop has no sign-in: each installation (data folder) is one local user, known to the
database by a subject kept in `<data dir>/identity.json`. On a shared PostgreSQL database every
teammate's app therefore appears as a user of its own, and board roles work between them.
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

AUTH_PROVIDER = "local"
DEFAULT_TENANT_SLUG = "default"


@dataclass(frozen=True)
class LocalIdentity:
    subject: str
    display_name: str


def load_identity(data_dir: Path) -> LocalIdentity:
    """Read the installation's identity, creating it on first run (atomically)."""
    path = data_dir / "identity.json"
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return LocalIdentity(str(uuid.UUID(raw["subject"])), str(raw.get("display_name") or proposed_name()))
        except (ValueError, KeyError, TypeError):
            pass  # a damaged file is replaced below; the old user stays in the database
    identity = LocalIdentity(str(uuid.uuid4()), proposed_name())
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"subject": identity.subject, "display_name": identity.display_name}))
    os.replace(temporary, path)
    return identity


def proposed_name() -> str:
    """The name a new user starts with (they change it in Settings): the OS account's full name
    (the first field of its GECOS entry on POSIX), else the login name."""
    return _full_name() or _login_name()


def _full_name() -> str | None:
    try:
        import pwd  # POSIX only
    except ImportError:
        return None
    try:
        gecos = pwd.getpwuid(os.getuid()).pw_gecos
    except (KeyError, OSError):  # no passwd entry (containers, some services)
        return None
    name = gecos.split(",", 1)[0].strip()  # "Full Name,Room,Work phone,Home phone,Other"
    return name or None


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name on some sandboxes and services (no passwd entry)
        return "Artist"
