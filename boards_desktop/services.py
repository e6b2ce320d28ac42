"""The long-lived services of one running app, built once in the lifespan and handed on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boards_desktop.db.engine import Database
from boards_desktop.db.queries.users import Actor
from boards_desktop.identity import LocalIdentity
from boards_desktop.settings import Settings

if TYPE_CHECKING:
    import httpx

    from boards_desktop.generators.model_catalog import ModelCatalog
    from boards_desktop.generators.providers.comfyui_catalog import WorkflowCatalog
    from boards_desktop.generators.registry import GeneratorRegistry
    from boards_desktop.housekeeping import Housekeeper
    from boards_desktop.jobs.events import EventBroker
    from boards_desktop.jobs.runner import JobRunner
    from boards_desktop.media.store import MediaStore
    from boards_desktop.preferences import Preferences
    from boards_desktop.providers.keys import KeyStore
    from boards_desktop.providers.provider_set import ProviderSet


@dataclass
class Services:
    settings: Settings
    database: Database
    identity: LocalIdentity
    actor: Actor  # the local user; every request runs as this user
    # Built in the lifespan after the database; None only while the app is starting.
    media: MediaStore | None = None
    events: EventBroker | None = None
    generators: GeneratorRegistry | None = None
    jobs: JobRunner | None = None
    http: httpx.AsyncClient | None = None  # shared by providers and URL downloads
    keys: KeyStore | None = None  # provider keys: environment, then the OS keyring
    preferences: Preferences | None = None  # what the Settings page changed (preferences.json)
    providers: ProviderSet | None = None  # one client per remote service or local engine
    model_generators: ModelCatalog | None = None  # models added by name, kept across restarts
    comfyui_workflows: WorkflowCatalog | None = None  # ComfyUI workflows as generators (a folder of files)
    security: Any = None  # boards_desktop.security: the token, session cookies and launch codes
    housekeeping: Housekeeper | None = None  # leftovers and old backups, at start-up and daily
