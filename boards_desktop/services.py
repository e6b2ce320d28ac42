"""The long-lived services of one running app, built once in the lifespan and handed on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from boards_desktop.db.engine import Database
from boards_desktop.db.queries.users import Actor
from boards_desktop.identity import LocalIdentity
from boards_desktop.settings import Settings

if TYPE_CHECKING:
    import httpx

    from boards_desktop.generators.model_catalog import ModelCatalog
    from boards_desktop.generators.providers.comfyui_catalog import WorkflowCatalog
    from boards_desktop.generators.providers.openai_compatible_catalog import EndpointCatalog
    from boards_desktop.generators.registry import GeneratorRegistry
    from boards_desktop.housekeeping import Housekeeper
    from boards_desktop.jobs.events import EventBroker
    from boards_desktop.jobs.runner import JobRunner
    from boards_desktop.media.store import MediaStore
    from boards_desktop.preferences import Preferences
    from boards_desktop.providers.keys import KeyStore
    from boards_desktop.providers.provider_set import ProviderSet
    from boards_desktop.security import AppSecurity


@dataclass
class Services:
    settings: Settings
    database: Database
    identity: LocalIdentity
    actor: Actor  # the local user; every request runs as this user
    security: AppSecurity  # the token, session cookies and launch codes
    # Set by boards_desktop.engine_services.start_engine in the lifespan, before the server answers its
    # first request; reading one earlier raises AttributeError naming it (never a None to check for).
    media: MediaStore = field(init=False)
    events: EventBroker = field(init=False)
    generators: GeneratorRegistry = field(init=False)
    jobs: JobRunner = field(init=False)
    http: httpx.AsyncClient = field(init=False)  # shared by providers and URL downloads
    keys: KeyStore = field(init=False)  # provider keys: environment, then the OS keyring
    preferences: Preferences = field(init=False)  # what the Settings page changed (preferences.json)
    providers: ProviderSet = field(init=False)  # one client per remote service or local engine
    model_generators: ModelCatalog = field(init=False)  # models added by name, kept across restarts
    comfyui_workflows: WorkflowCatalog = field(init=False)  # ComfyUI workflows as generators (a folder of files)
    openai_endpoints: EndpointCatalog = field(init=False)  # the OpenAI-compatible endpoints' models as generators
    housekeeping: Housekeeper = field(init=False)  # leftovers and old backups, at start-up and daily
