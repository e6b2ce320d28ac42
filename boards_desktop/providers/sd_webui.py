"""The Stable Diffusion WebUI (AUTOMATIC1111, Forge, SD.Next): its `/sdapi/v1/` HTTP API, on the artist's machine.

The protocol, as the WebUI's own server speaks it (only when it was started with `--api`; without
it every `/sdapi/` route answers 404 while its page still answers):
- choices: `GET /sdapi/v1/sd-models`, `samplers`, `schedulers` (newer versions), `upscalers`;
- `POST /sdapi/v1/txt2img` and `img2img` answer only when the images are made, with
  `{images: [base64], parameters, info: "<json>"}`; `info` has the seeds actually used. A batch of
  more than one image comes with a grid first (`info.index_of_first_image`), which is left out.
- `force_task_id` names the request: `POST /internal/progress {id_task}` then says whether it
  waits (`queued`: the WebUI runs one request at a time, so its own page's work goes first), runs
  (`active`) or is done (`completed`). Versions without that route (404) are followed without it.
- `GET /sdapi/v1/progress` is the running job's figures and its live preview (`current_image`);
  `POST /sdapi/v1/interrupt` stops whatever runs, so it is sent only while our task is the one
  running.

The result travels only in the answer to the request that asked for it. A request whose answer
is lost (the connection dropped, the app closed) cannot be collected later: it is stopped at the
WebUI if it still runs there, and the job ends saying so (`settle`). One job at a time per engine
(`_turn`): two of the app's requests would only queue inside the WebUI, where they cannot be told
apart from the artist's own work there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.providers.base import BaseProvider, Status, completed, processing, queued, submitted
from boards_desktop.providers.calls import Retry
from boards_desktop.providers.engine import API_OFF as API_OFF_KIND
from boards_desktop.providers.engine import NOT_RUNNING, WRONG_ADDRESS, EngineStatus, Unavailable
from boards_desktop.providers.sd_webui_preview import shrink_preview

log = logging.getLogger("boards.providers")

LABEL = "the Stable Diffusion WebUI"
CHECK_TIMEOUT = httpx.Timeout(2.5, connect=2.0)
READ_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
# A request answers when its images are made: minutes for a large batch, longer behind other work.
RUN_TIMEOUT = httpx.Timeout(3600.0, connect=5.0, write=120.0)
CHOICES_WAIT = 20.0  # seconds a test of the connection waits for the lists
POLL_SECONDS = 0.5  # progress asked this often while a request runs
RUN_START, RUN_END = 0.05, 0.9  # the engine's figure maps into this part of the job's bar

API_OFF = (
    "the WebUI at {url} answers, but its API is off: start it with --api (add it to COMMANDLINE_ARGS in "
    "webui-user.bat or webui-user.sh), then try again"
)
NOT_ANSWERING = "the Stable Diffusion WebUI does not answer at {url}: start it, or set its address in Settings"
NOT_WEBUI = "something answers at {url}, but it is not the Stable Diffusion WebUI: check its address in Settings"
INTERRUPTED = "the WebUI stopped this job before it finished (it was interrupted in the WebUI); generate it again"
DROPPED = (
    "the connection to the WebUI dropped while it made this image, and the WebUI gives a result only to the "
    "request that asked for it{stopped}; generate it again"
)
RESTARTED = (
    "the app closed while the WebUI made this image, and the WebUI gives a result only to the request that "
    "asked for it{stopped}; generate it again"
)


@dataclass
class Choices:
    """What the engine offers, read from it (refreshed with each successful check)."""

    checkpoints: dict[str, str] = field(default_factory=dict)  # title (as `sd_model_checkpoint` takes it) -> name
    samplers: list[str] = field(default_factory=list)
    schedulers: dict[str, str] = field(default_factory=dict)  # name -> label; empty: the engine has none
    upscalers: list[str] = field(default_factory=list)
    read_at: float | None = None


@dataclass
class TaskState:
    """Where one of our requests stands at the WebUI (`/internal/progress`)."""

    known: bool | None  # None: the engine cannot say (no /internal/progress)
    active: bool = False
    queued: bool = False
    completed: bool = False
    position: str | None = None


class SDWebUIProvider(BaseProvider):
    name = "sdwebui"
    label = "Stable Diffusion WebUI"
    needs_key = False

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.status = EngineStatus(self._check, label=self.label)
        self.choices = Choices()
        self._address = self.base_url
        self._turn = asyncio.Lock()  # made outside a loop is fine: it binds at first use
        self._task_routes: bool | None = None  # /internal/progress exists (None: not asked yet)
        self._choices_read: asyncio.Future[None] | None = None

    # -- availability ------------------------------------------------------------------------------

    def availability(self) -> str | None:
        return self.status.reason()

    async def refresh_availability(self) -> None:
        await self.refresh_choices()

    def settings_changed(self) -> None:
        if self.base_url == self._address:
            return
        self._address = self.base_url
        self.choices = Choices()
        self._task_routes = None
        self.status.poke()

    async def start(self) -> None:
        self.status.start()

    async def stop(self) -> None:
        await self.status.stop()
        if self._choices_read is not None and not self._choices_read.done():
            self._choices_read.cancel()
            await asyncio.gather(self._choices_read, return_exceptions=True)

    async def _check(self) -> str | None:
        """Reachable with its API on, and its choices read again (a model added in the WebUI shows up)."""
        url = self.base_url
        try:
            response = await self.request("GET", "sdapi/v1/sd-models", attempts=1, timeout=CHECK_TIMEOUT, accept={404})
        except (GeneratorError, TransientError):
            return Unavailable(NOT_ANSWERING.format(url=url), NOT_RUNNING)
        if response.status_code == 404:
            return await self._why_not_found(url)
        models = _json_list(response)
        if models is None:
            return Unavailable(NOT_WEBUI.format(url=url), WRONG_ADDRESS)
        # The other lists are read beside the check, not in it: a WebUI busy on its graphics card answers
        # slowly, and a slow answer must not make it look unreachable.
        if self._choices_read is None or self._choices_read.done():
            self._choices_read = asyncio.ensure_future(self._read_choices(models))
        return None

    async def _why_not_found(self, url: str) -> str:
        """A 404 on /sdapi/: the WebUI without --api (its page answers), or something else."""
        try:
            page = await self.request("GET", "", attempts=1, timeout=CHECK_TIMEOUT, accept={404})
        except (GeneratorError, TransientError):
            return Unavailable(NOT_WEBUI.format(url=url), WRONG_ADDRESS)
        text = page.text[:20000].lower() if page.status_code == 200 else ""
        if any(mark in text for mark in ("gradio", "stable diffusion", "sd.next", "forge")):
            return Unavailable(API_OFF.format(url=url), API_OFF_KIND)
        return Unavailable(NOT_WEBUI.format(url=url), WRONG_ADDRESS)

    async def _read_choices(self, models: list[Any]) -> None:
        try:
            self.choices = await self._choices_now(models)
        except (GeneratorError, TransientError) as exc:
            log.info("the WebUI's choices could not be read: %s", exc)

    async def _choices_now(self, models: list[Any]) -> Choices:
        choices = Choices(read_at=time.monotonic())
        for model in models:
            if isinstance(model, dict) and model.get("title"):
                choices.checkpoints[str(model["title"])] = str(model.get("model_name") or model["title"])
        samplers = await self._list("sdapi/v1/samplers")
        choices.samplers = [str(s["name"]) for s in samplers if isinstance(s, dict) and s.get("name")]
        for item in await self._list("sdapi/v1/schedulers"):  # absent before A1111 1.9: no choice then
            if isinstance(item, dict) and item.get("name"):
                choices.schedulers[str(item["name"])] = str(item.get("label") or item["name"])
        upscalers = await self._list("sdapi/v1/upscalers")
        choices.upscalers = [str(u["name"]) for u in upscalers if isinstance(u, dict) and u.get("name")]
        return choices

    async def _list(self, path: str) -> list[Any]:
        response = await self.request("GET", path, attempts=1, timeout=READ_TIMEOUT, accept={404})
        return (_json_list(response) or []) if response.status_code == 200 else []

    async def refresh_choices(self, *, rescan: bool = False) -> str | None:
        """Check now and read the choices again (the Settings page's "Test connection"); the reason, or None.
        `rescan`: first have the WebUI look in its models folder again (a checkpoint put there since it started)."""
        if rescan:
            try:
                await self.request(
                    "POST", "sdapi/v1/refresh-checkpoints", attempts=1, timeout=READ_TIMEOUT, accept={404, 405}
                )
            except (GeneratorError, TransientError):
                pass  # the check below says why
        reason = await self.status.refresh()
        if self._choices_read is not None:
            await asyncio.wait({self._choices_read}, timeout=CHOICES_WAIT)
        return reason

    # -- running a request -----------------------------------------------------------------------------

    async def run(self, mode: str, payload: dict[str, Any], *, task_id: str | None = None) -> AsyncIterator[Status]:
        """Send `payload` to `/sdapi/v1/{mode}` (txt2img | img2img) and follow it; the last status's output
        is `{"images": [base64 ...], "info": {...}}` (the grid left out)."""
        task_id = task_id or f"task(boards-{uuid.uuid4().hex})"
        if self._turn.locked():
            yield queued(None, "waiting for this app's job at the WebUI to end (the WebUI runs one at a time)")
        async with self._turn:
            if payload.get("override_settings", {}).get("sd_model_checkpoint"):
                await self._check_checkpoint(payload["override_settings"]["sd_model_checkpoint"])
            yield submitted(task_id, "sent to the WebUI")
            body = {**payload, "force_task_id": task_id, "send_images": True}
            request = asyncio.ensure_future(self._post(mode, body))
            try:
                async for status in self._follow(task_id, request):
                    yield status
                answer = await request
            except BaseException:
                if not request.done():
                    request.cancel()
                    await asyncio.gather(request, return_exceptions=True)
                raise
            if answer is None:  # the answer was lost on the way
                raise GeneratorError(await self.settle(task_id, DROPPED))
            yield completed(answer)

    async def _post(self, mode: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The request's answer; None when the connection dropped after it was sent (it may run on)."""
        try:
            response = await self.http.request("POST", self.url(f"sdapi/v1/{mode}"), json=body, timeout=RUN_TIMEOUT)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            raise TransientError(f"could not connect to {LABEL} at {self.base_url}") from None
        except httpx.TransportError:
            return None
        if response.status_code == 404:
            detail = str(_json(response).get("detail") or "")
            if detail in ("", "Not Found"):  # the route itself is missing: the API is off
                raise GeneratorError(API_OFF.format(url=self.base_url))
            raise GeneratorError(f"the WebUI refused the request: {detail}")  # "Sampler not found"
        if response.status_code == 422:
            raise GeneratorError(f"the WebUI refused the request: {_validation_words(response)}")
        if response.status_code >= 400:
            raise GeneratorError(_failure_words(response))
        answer = _json(response)
        info = _info_of(answer)
        images = [image for image in answer.get("images") or [] if isinstance(image, str)]
        first = info.get("index_of_first_image")
        first = first if isinstance(first, int) and 0 <= first <= len(images) else 0
        # Extensions may add pictures after the batch (ControlNet's detected maps): one image per seed is kept.
        seeds = info.get("all_seeds")
        last = first + len(seeds) if isinstance(seeds, list) and seeds else len(images)
        return {"images": images[first:last], "info": info, "parameters": answer.get("parameters") or {}}

    async def _follow(self, task_id: str, request: asyncio.Future[Any]) -> AsyncIterator[Status]:
        """Progress while `request` runs: waiting behind other work, then the engine's figures and preview."""
        figure, preview, last_raw, interrupted = 0.0, None, None, False
        while not request.done():
            await asyncio.wait({request}, timeout=POLL_SECONDS)
            if request.done():
                break
            try:
                task = await self.task_state(task_id)
                if task.known is not False and task.queued and not task.active:
                    where = f" ({task.position})" if task.position else ""
                    yield queued(None, f"the WebUI is busy with other work; this job waits its turn{where}")
                    continue
                if task.known is False or task.completed:
                    continue  # not taken yet, or answered: the answer is on its way
                reading = await self._progress()
            except (GeneratorError, TransientError) as exc:
                log.debug("the WebUI's progress could not be read: %s", exc)
                continue
            state = _state_of(reading)
            interrupted = interrupted or bool(state.get("interrupted"))
            raw = reading.get("current_image")
            if isinstance(raw, str) and raw and raw != last_raw:
                last_raw = raw
                preview = await asyncio.to_thread(shrink_preview, raw) or preview
            figure = max(figure, _fraction(reading.get("progress")))
            yield processing(RUN_START + (RUN_END - RUN_START) * figure, _step_words(state), preview=preview)
        if interrupted and not request.cancelled() and request.exception() is None:
            raise GeneratorError(INTERRUPTED)
        if not request.cancelled() and request.exception() is None and await self._was_interrupted():
            raise GeneratorError(INTERRUPTED)

    async def _was_interrupted(self) -> bool:
        """The WebUI keeps `state.interrupted` after a job until the next one begins."""
        try:
            reading = await self._progress(skip_image=True)
        except (GeneratorError, TransientError):
            return False
        state = _state_of(reading)
        return bool(state.get("interrupted")) and not state.get("job")

    async def _progress(self, *, skip_image: bool = False) -> dict[str, Any]:
        params = {"skip_current_image": "true" if skip_image else "false"}
        response = await self.request("GET", "sdapi/v1/progress", attempts=1, timeout=READ_TIMEOUT, params=params)
        return _json(response)

    async def task_state(self, task_id: str) -> TaskState:
        """Where our request stands; `known=None` on a WebUI without `/internal/progress`."""
        if self._task_routes is False:
            return TaskState(known=None)
        body = {"id_task": task_id, "id_live_preview": -1, "live_preview": False}
        response = await self.request(
            "POST", "internal/progress", attempts=1, timeout=READ_TIMEOUT, accept={404, 405, 422}, json=body
        )
        if response.status_code != 200:
            self._task_routes = False
            return TaskState(known=None)
        self._task_routes = True
        answer = _json(response)
        active, waiting, done = bool(answer.get("active")), bool(answer.get("queued")), bool(answer.get("completed"))
        text = str(answer.get("textinfo") or "")
        position = text.split(":", 1)[1].strip() if text.startswith("In queue:") else None
        return TaskState(
            known=active or waiting or done, active=active, queued=waiting, completed=done, position=position
        )

    async def _check_checkpoint(self, title: str) -> None:
        """Refuse, before sending, a checkpoint the WebUI no longer lists (it would fall back to another
        one with only a warning in its console). The list is read again for each job: it is small."""
        models = _json_list(await self.request("GET", "sdapi/v1/sd-models", attempts=2, timeout=READ_TIMEOUT))
        if models is None:
            return
        listed = {
            str(m["title"]): str(m.get("model_name") or m["title"])
            for m in models
            if isinstance(m, dict) and m.get("title")
        }
        if listed != self.choices.checkpoints:
            self.choices = replace(self.choices, checkpoints=listed)  # the picker offers the new list at once
        if title not in listed:
            has = ", ".join(list(listed.values())[:8]) or "none"
            raise GeneratorError(
                f"the checkpoint {title!r} is not in the WebUI's models folder (any more); put it back and refresh "
                f"the WebUI's checkpoints, or choose one it has: {has}"
            )

    # -- stopping ------------------------------------------------------------------------------------------

    async def cancel_task(self, task_id: str) -> None:
        """Stop our request: interrupted while it runs. One still waiting behind other work cannot be taken
        out of the WebUI's line; it is interrupted as soon as it starts (looked for a while, in the background)."""
        state = await self.task_state(task_id)
        if state.active or state.known is None:
            await self._interrupt()
        elif state.queued:
            asyncio.ensure_future(self._interrupt_when_started(task_id))

    async def _interrupt(self) -> None:
        await self.request("POST", "sdapi/v1/interrupt", attempts=2, timeout=READ_TIMEOUT, retry=Retry.SAFE)

    async def _interrupt_when_started(self, task_id: str, *, patience: float = 600.0) -> None:
        ends = time.monotonic() + patience
        while time.monotonic() < ends:
            try:
                state = await self.task_state(task_id)
                if state.active:
                    await self._interrupt()
                    return
                if not state.queued:
                    return
            except (GeneratorError, TransientError):
                pass
            await asyncio.sleep(POLL_SECONDS)

    async def settle(self, task_id: str, message: str) -> str:
        """A request whose answer is lost: stop it if it still runs; the job's message says what happened."""
        stopped = ""
        try:
            state = await self.task_state(task_id)
            if state.active:
                await self._interrupt()
                stopped = "; it was stopped at the WebUI"
            elif state.queued:
                asyncio.ensure_future(self._interrupt_when_started(task_id))
                stopped = "; it will be stopped at the WebUI when its turn comes"
            elif state.completed:
                stopped = "; it finished there, but the image could not be collected"
        except (GeneratorError, TransientError):
            stopped = "; the WebUI does not answer, so it may still be running there"
        return message.format(stopped=stopped)


def _state_of(reading: dict[str, Any]) -> dict[str, Any]:
    state = reading.get("state")
    return state if isinstance(state, dict) else {}


def _fraction(value: Any) -> float:
    try:
        return max(0.0, min(float(value), 1.0))
    except (TypeError, ValueError):
        return 0.0


def _step_words(state: dict[str, Any]) -> str:
    step, steps = state.get("sampling_step"), state.get("sampling_steps")
    words = f"step {step} of {steps}" if isinstance(step, int) and isinstance(steps, int) and steps else "working"
    number, count = state.get("job_no"), state.get("job_count")
    if isinstance(number, int) and isinstance(count, int) and count > 1:
        words += f", image {min(number + 1, count)} of {count}"
    return words


def _info_of(answer: dict[str, Any]) -> dict[str, Any]:
    info = answer.get("info")
    if isinstance(info, str):
        try:
            info = json.loads(info)
        except ValueError:
            return {}
    return info if isinstance(info, dict) else {}


def _failure_words(response: httpx.Response) -> str:
    """The WebUI's API errors: `{"error": type, "detail", "body", "errors": str(exception)}`."""
    body = _json(response)
    kind = str(body.get("error") or "")
    said = " ".join(str(body.get("errors") or body.get("detail") or "").split())[:600]
    if "out of memory" in said.lower() or "OutOfMemory" in kind:
        return (
            f"the WebUI ran out of memory: {said or kind}; try a smaller size or fewer images, or close other "
            "programs that use the graphics card"
        )
    what = f"{kind}: {said}" if kind and said else (said or kind or f"status {response.status_code}")
    return f"the WebUI failed ({response.status_code}): {what}"


def _validation_words(response: httpx.Response) -> str:
    body = _json(response)
    problems = []
    for item in body.get("detail") or []:
        if isinstance(item, dict):
            where = ".".join(str(part) for part in item.get("loc") or [] if part != "body")
            problems.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
    return "; ".join(problems)[:600] or f"status {response.status_code}"


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _json_list(response: httpx.Response) -> list[Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, list) else None
