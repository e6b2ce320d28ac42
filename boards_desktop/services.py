"""The long-lived services of one running app, built once in the lifespan and handed on."""

from __future__ import annotations

from dataclasses import dataclass

from boards_desktop.db.engine import Database
from boards_desktop.db.queries.users import Actor
from boards_desktop.identity import LocalIdentity
from boards_desktop.settings import Settings


@dataclass
class Services:
    settings: Settings
    database: Database
    identity: LocalIdentity
    actor: Actor  # the local user; every request runs as this user
