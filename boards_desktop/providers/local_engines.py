"""Settings › Local engines: ComfyUI, the Stable Diffusion WebUI and each OpenAI-compatible endpoint,
each with its status and how many of its jobs run at once.

An engine's id is also its jobs' concurrency group (boards_desktop.generators.base): `comfyui`,
`sdwebui`, or `openai-compatible/<endpoint>`. Its jobs at once is that group's limit in the
preferences (boards_desktop.preferences), which the job runner reads at every claim: a change
applies to the next job without a restart. The page offers 1 to `MAX_JOBS_AT_ONCE`; pausing is the
queue panel's.

The WebUI stays at one: it runs one request at a time, and a second request of ours would wait
inside it where it cannot be told from the artist's own work there (boards_desktop.providers.sd_webui).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from boards_desktop.preferences import PreferenceError, Preferences
from boards_desktop.providers.engine import EngineStatus, kind_of

if TYPE_CHECKING:
    from boards_desktop.providers.openai_compatible import Endpoint, OpenAICompatibleProvider
    from boards_desktop.providers.provider_set import ProviderSet

MAX_JOBS_AT_ONCE = 16
COMFYUI, SD_WEBUI, OPENAI_COMPATIBLE = "comfyui", "sdwebui", "openai-compatible"
WEBUI_ONE_AT_A_TIME = (
    "The WebUI runs one image at a time; a second request would only wait inside it, "
    "where it cannot be told from your own work there"
)
ANSWERS, NOT_CHECKED = "answers", "not-checked"


@dataclass(frozen=True)
class LocalEngine:
    id: str  # its jobs' concurrency group
    kind: str  # comfyui | sdwebui | openai-compatible
    name: str
    url: str
    state: str  # answers | not-checked | a kind of boards_desktop.providers.engine (not-running, api-off, ...)
    reason: str | None  # why it cannot run jobs, in the artist's words; None when it answers
    jobs_at_once: int
    jobs_at_once_source: str  # environment | settings | config | default
    fixed_reason: str | None  # why it cannot be changed here (the WebUI's nature, or the environment)
    models: tuple[str, ...]  # the WebUI's checkpoints, an endpoint's models; ComfyUI's are in its workflows
    samplers: tuple[str, ...] = ()  # the WebUI's
    endpoint: Endpoint | None = None


def local_engines(providers: ProviderSet, preferences: Preferences) -> list[LocalEngine]:
    """ComfyUI, the WebUI, then the endpoints by name (Ollama's only once it has answered)."""
    found: list[LocalEngine] = []
    for name in (COMFYUI, SD_WEBUI):
        engine = providers.get(name)
        if engine is not None:
            status: EngineStatus | None = getattr(engine, "status", None)
            choices = getattr(engine, "choices", None)
            models = tuple(getattr(choices, "checkpoints", {}).values()) if choices is not None else ()
            view = _engine(preferences, name, name, engine.label, engine.base_url, status, models)
            found.append(replace(view, samplers=tuple(getattr(choices, "samplers", ()))))
    endpoints = _endpoints(providers)
    if endpoints is not None:
        for endpoint in sorted(endpoints.listed(), key=lambda e: e.name.lower()):
            view = _engine(
                preferences,
                endpoint.config.group,
                OPENAI_COMPATIBLE,
                endpoint.name,
                endpoint.url,
                endpoint.status,
                endpoint.models,
            )
            found.append(replace(view, endpoint=endpoint))
    return found


def local_engine(providers: ProviderSet, preferences: Preferences, engine_id: str) -> LocalEngine:
    """The engine of `engine_id`; PreferenceError naming the known ones when there is none."""
    engines = local_engines(providers, preferences)
    for engine in engines:
        if engine.id == engine_id:
            return engine
    known = ", ".join(e.id for e in engines) or "none here"
    raise PreferenceError(f"id: there is no local engine {engine_id!r}; use one of {known}")


async def check_now(providers: ProviderSet, preferences: Preferences, engine_id: str) -> LocalEngine:
    """ "Test connection": ask the engine now (the WebUI also looks in its models folder again)."""
    engine = local_engine(providers, preferences, engine_id)
    if engine.kind == OPENAI_COMPATIBLE:
        endpoints = _endpoints(providers)
        assert endpoints is not None and engine.endpoint is not None
        await endpoints.refresh_endpoint(engine.endpoint.name)
    else:
        provider = providers[engine.kind]
        rescan = getattr(provider, "refresh_choices", None)
        if rescan is not None:
            await rescan(rescan=True)
        else:
            await provider.refresh_availability()
    return local_engine(providers, preferences, engine_id)


def set_jobs_at_once(providers: ProviderSet, preferences: Preferences, engine_id: str, value: Any) -> LocalEngine:
    """Save and apply the engine's jobs at once; PreferenceError (naming `jobsAtOnce`) changes nothing."""
    engine = local_engine(providers, preferences, engine_id)
    if engine.kind == SD_WEBUI:
        raise PreferenceError(f"jobsAtOnce: {_clause(WEBUI_ONE_AT_A_TIME)}, so it stays at 1")
    if isinstance(value, bool) or not isinstance(value, int):
        raise PreferenceError(f"jobsAtOnce: {value!r} is not a whole number; give 1 to {MAX_JOBS_AT_ONCE}")
    if not 1 <= value <= MAX_JOBS_AT_ONCE:
        raise PreferenceError(
            f"jobsAtOnce: {value} is out of range; give 1 to {MAX_JOBS_AT_ONCE} "
            "(to stop an engine's jobs for a while, pause its queue in the queue panel)"
        )
    if engine.fixed_reason is not None:
        raise PreferenceError(f"jobsAtOnce: {_clause(engine.fixed_reason)}")
    try:
        preferences.update(concurrency={engine.id: value})
    except PreferenceError as exc:  # the preferences' own words name `concurrency[...]`: say it as the page does
        raise PreferenceError(f"jobsAtOnce: {str(exc).split(': ', 1)[-1]}") from None
    return local_engine(providers, preferences, engine_id)


def _engine(
    preferences: Preferences,
    engine_id: str,
    kind: str,
    name: str,
    url: str,
    status: EngineStatus | None,
    models: tuple[str, ...],
) -> LocalEngine:
    reason = status.reason() if status is not None else None
    if status is not None and not status.checked:
        state = NOT_CHECKED
    else:
        state = kind_of(reason) or ANSWERS
    limit = preferences.concurrency(engine_id)
    fixed: str | None = None
    jobs_at_once, source = int(limit.value), limit.source
    if kind == SD_WEBUI:
        fixed, jobs_at_once, source = WEBUI_ONE_AT_A_TIME, 1, "default"
    elif kind == OPENAI_COMPATIBLE:
        # An endpoint without a choice of its own takes the limit of the OpenAI-compatible servers as a
        # whole (the config file's, or the default): its default, which the page can change.
        source = "settings" if source == "settings" else "default"
    elif source == "environment":
        variable = f"BOARDS_CONCURRENCY_{engine_id.upper()}"
        fixed = f"{variable} is set in the environment, which wins over this page: change or remove it there"
    return LocalEngine(
        id=engine_id,
        kind=kind,
        name=name,
        url=url,
        state=state,
        reason=reason,
        jobs_at_once=jobs_at_once,
        jobs_at_once_source=source,
        fixed_reason=fixed,
        models=tuple(models),
    )


def _endpoints(providers: ProviderSet) -> OpenAICompatibleProvider | None:
    provider = providers.get(OPENAI_COMPATIBLE)
    return provider if provider is not None and hasattr(provider, "listed") else None  # type: ignore[return-value]


def _clause(sentence: str) -> str:
    """A sentence as the part of a message after "<field>: " (lower case first, but not a name in capitals)."""
    first = sentence.split(" ", 1)[0]
    return sentence if first.isupper() else sentence[:1].lower() + sentence[1:]
