"""localEngines, testLocalEngine, setEngineJobsAtOnce: Settings › Local engines (an addition to upstream).

ComfyUI, the Stable Diffusion WebUI and each OpenAI-compatible endpoint, each with its status and
how many of its jobs run at once (boards_desktop.providers.local_engines). A change is checked first
(the field named when it is wrong), changes nothing when refused, and applies without a restart.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import bad_input
from boards_desktop.graphql.openai_endpoints import OpenaiEndpoint, endpoint_answer
from boards_desktop.preferences import PreferenceError
from boards_desktop.services import Services

if TYPE_CHECKING:
    from boards_desktop.providers.local_engines import LocalEngine as Engine


@strawberry.enum(description="Where a local engine stands, as its last check found it.")
class EngineState(Enum):
    ANSWERS = "answers"
    NOT_CHECKED = "not-checked"
    NOT_RUNNING = "not-running"
    API_OFF = "api-off"
    KEY_REFUSED = "key-refused"
    WRONG_ADDRESS = "wrong-address"
    NO_MODEL = "no-model"
    OTHER = "other"


@strawberry.type(description="A local engine: ComfyUI, the Stable Diffusion WebUI, or an OpenAI-compatible endpoint.")
class LocalEngine:
    id: str = strawberry.field(description="comfyui, sdwebui, or openai-compatible/<endpoint>: its jobs' group.")
    kind: str = strawberry.field(description="comfyui | sdwebui | openai-compatible")
    name: str
    url: str
    state: EngineState
    reason: str | None = strawberry.field(description="Why it cannot run jobs, in words an artist can act on.")
    jobs_at_once: int = strawberry.field(description="How many of its jobs run at once; the rest wait their turn.")
    jobs_at_once_source: str = strawberry.field(description="environment | settings | config | default")
    jobs_at_once_fixed_reason: str | None = strawberry.field(
        description="Why it cannot be changed here (the WebUI runs one job at a time; or the environment sets it)."
    )
    models: list[str] = strawberry.field(description="The WebUI's checkpoints, or the models an endpoint lists.")
    samplers: list[str] = strawberry.field(description="The WebUI's samplers; empty for the others.")
    endpoint: OpenaiEndpoint | None = strawberry.field(description="The endpoint's own details; null for the others.")


@strawberry.type
class LocalEnginesQuery:
    @strawberry.field(description="ComfyUI, the WebUI and the OpenAI-compatible endpoints, each with its status.")
    async def local_engines(self, info: strawberry.Info) -> list[LocalEngine]:
        from boards_desktop.providers.local_engines import local_engines

        services = context_of(info).services
        await services.keys.ready()
        return [_answer(services, engine) for engine in local_engines(services.providers, services.preferences)]


@strawberry.type
class LocalEnginesMutations:
    @strawberry.mutation(description="Check a local engine now (the WebUI also looks for new checkpoints).")
    async def test_local_engine(self, info: strawberry.Info, id: str) -> LocalEngine:
        from boards_desktop.providers.local_engines import check_now

        services = context_of(info).services
        await services.keys.ready()
        try:
            engine = await check_now(services.providers, services.preferences, id)
        except PreferenceError as exc:
            raise bad_input(str(exc)) from None
        return _answer(services, engine)

    @strawberry.mutation(
        description="How many of a local engine's jobs run at once (1 to 16); saved and applied at once. "
        "The WebUI stays at 1."
    )
    async def set_engine_jobs_at_once(self, info: strawberry.Info, id: str, jobs_at_once: int) -> LocalEngine:
        from boards_desktop.providers.local_engines import set_jobs_at_once

        services = context_of(info).services
        await services.keys.ready()
        try:
            # A small file write, on the loop: the listeners it calls (the runner's wake) are not thread-safe.
            engine = set_jobs_at_once(services.providers, services.preferences, id, jobs_at_once)
        except PreferenceError as exc:
            raise bad_input(str(exc)) from None
        except OSError as exc:
            raise bad_input(f"jobsAtOnce could not be saved in {services.preferences.path}: {exc.strerror}") from None
        return _answer(services, engine)


def _answer(services: Services, engine: Engine) -> LocalEngine:
    return LocalEngine(
        id=engine.id,
        kind=engine.kind,
        name=engine.name,
        url=engine.url,
        state=EngineState(engine.state),
        reason=engine.reason,
        jobs_at_once=engine.jobs_at_once,
        jobs_at_once_source=engine.jobs_at_once_source,
        jobs_at_once_fixed_reason=engine.fixed_reason,
        models=list(engine.models),
        samplers=list(engine.samplers),
        endpoint=endpoint_answer(services, engine.endpoint) if engine.endpoint is not None else None,
    )
