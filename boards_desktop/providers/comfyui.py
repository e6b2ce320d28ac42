"""ComfyUI, the local engine: workflows (graphs in ComfyUI's API format) run on the artist's machine.

The protocol, as ComfyUI's own server speaks it:
- `POST /prompt {"prompt": graph, "client_id", "prompt_id"}`: the app chooses the prompt id, so a
  submission whose answer was lost can be found again (`/queue`, `/history`) instead of being sent
  twice. A 400 names the nodes and inputs ComfyUI refused (comfyui_refusals).
- Progress comes over one WebSocket (comfyui_events); the result is read from `/history/{id}`;
  files come from `/view`; input images go up through `/upload/image`.
- Cancel: `POST /interrupt {"prompt_id"}` while it runs, `POST /queue {"delete": [id]}` while it waits.
- ComfyUI keeps its queue and history in memory. A prompt id found in neither has been lost (ComfyUI
  restarted): the job fails so, and is never taken for done.

Reachability is checked in the background (`EngineStatus`) on `/system_stats`; no key is needed.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import socket as _socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.jobs.failures import backoff_seconds
from boards_desktop.providers.base import BaseProvider, Status, completed, processing, queued, submitted
from boards_desktop.providers.calls import Retry
from boards_desktop.providers.comfyui_events import CONNECTED, DISCONNECTED, Event, EventSocket
from boards_desktop.providers.comfyui_progress import WorkflowProgress
from boards_desktop.providers.comfyui_refusals import (
    INTERRUPTED,
    LOST,
    FieldNames,
    execution_error_message,
    missing_nodes_message,
    refusal_message,
)
from boards_desktop.providers.engine import NOT_RUNNING, WRONG_ADDRESS, EngineStatus, Unavailable

log = logging.getLogger("boards.providers")

UPLOAD_SUBFOLDER = "boards-desktop"  # in ComfyUI's input folder
CHECK_TIMEOUT = httpx.Timeout(2.5, connect=2.0)
PROMPT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # validation loads nothing, but a busy ComfyUI is slow
OBJECT_INFO_TIMEOUT = httpx.Timeout(60.0, connect=5.0)  # large with many custom nodes
READ_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
SUBMIT_ATTEMPTS = 4
# Progress while the workflow runs is mapped into this part of the job's bar; the rest is the
# submission before it and the download of the results after it.
RUN_START, RUN_END = 0.05, 0.95


@dataclass
class _Found:
    """Where a prompt stands, read from ComfyUI's history and queue."""

    state: str  # done | failed | running | pending | lost | unreachable
    images: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    position: int | None = None
    graph: dict[str, Any] | None = None


def default_client_id(base_url: str) -> str:
    """The app's WebSocket identity at an engine: the same across restarts of the app, so a resumed
    job hears its prompt's messages again (ComfyUI sends them to the client id they were sent with).
    Two data folders of one user on one engine share it; then one socket wins, and the other app's
    jobs learn their ends from /history and /queue (every `reconcile_every` seconds) instead."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name (a container): the host alone
        user = "user"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"boards-desktop:{user}@{_socket.gethostname()}:{base_url}"))


class ComfyUIProvider(BaseProvider):
    name = "comfyui"
    label = "ComfyUI"
    needs_key = False
    reconcile_every = 10.0  # seconds without a word from the socket before asking /history and /queue
    unreachable_grace = 120.0  # seconds ComfyUI may be away while a job waits, before the job fails

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.status = EngineStatus(self._check, label=self.label)
        self._address = self.base_url
        self.events = EventSocket(lambda: self.base_url, self._client_id())
        self._node_classes: frozenset[str] | None = None
        self._node_read: asyncio.Future[frozenset[str]] | None = None
        self._queue_read: tuple[float, asyncio.Task[dict[str, Any]]] | None = None

    def _client_id(self) -> str:
        return default_client_id(self.base_url)

    # -- availability ------------------------------------------------------------------------------

    def availability(self) -> str | None:
        return self.status.reason()

    async def refresh_availability(self) -> None:
        await self.status.refresh()

    def settings_changed(self) -> None:
        if self.base_url == self._address:
            return  # another setting changed (a concurrency limit)
        # Another engine: other nodes, another client identity there, a socket to open there.
        self._address = self.base_url
        self._node_classes = None
        self.events.client_id = self._client_id()
        self.events.reset()
        self.status.poke()

    async def start(self) -> None:
        self.status.start()

    async def stop(self) -> None:
        await self.events.stop()
        await self.status.stop()

    async def _check(self) -> str | None:
        try:
            response = await self.request("GET", "system_stats", attempts=1, timeout=CHECK_TIMEOUT, accept={404})
        except (GeneratorError, TransientError):
            return Unavailable(
                f"ComfyUI does not answer at {self.base_url}: start ComfyUI, or set its address in Settings",
                NOT_RUNNING,
            )
        if response.status_code == 404 or "system" not in _json(response):
            return Unavailable(
                f"something answers at {self.base_url}, but it is not ComfyUI: check its address in Settings",
                WRONG_ADDRESS,
            )
        return None

    # -- running a workflow ---------------------------------------------------------------------------

    async def run_workflow(self, graph: dict[str, Any], *, fields: FieldNames | None = None) -> AsyncIterator[Status]:
        """Submit `graph` and follow it to its end; the last status's output is `{"images": [...]}`,
        each image `{filename, subfolder, type, node}`."""
        yield processing(None, "checking that ComfyUI has the workflow's nodes", phase="initializing")
        await self.check_nodes(graph)
        prompt_id = str(uuid.uuid4())
        address = self.base_url
        async with self.events.subscription(prompt_id) as inbox:
            await self.events.wait_connected(timeout=3.0)  # so that its first messages are heard
            await self._submit(graph, prompt_id, fields or {})
            yield _kept(submitted(prompt_id, "ComfyUI took the workflow"))
            async for status in self._follow(prompt_id, inbox, WorkflowProgress(graph), address):
                yield status

    async def watch_prompt(self, prompt_id: str) -> AsyncIterator[Status]:
        """Follow a prompt submitted earlier (by this app before it restarted)."""
        async with self.events.subscription(prompt_id) as inbox:
            async for status in self._follow(prompt_id, inbox, WorkflowProgress(), self.base_url):
                yield status

    async def _follow(
        self, prompt_id: str, inbox: asyncio.Queue[Event], progress: WorkflowProgress, address: str
    ) -> AsyncIterator[Status]:
        since = time.monotonic()  # ComfyUI has (or had) the prompt from here on
        away_since: float | None = None
        ask: float | None = since  # reconcile, with a queue read no older than this; first of all
        while True:
            if ask is not None:
                found, ask = await self._reconcile(prompt_id, not_before=max(ask, since)), None
                if found.state == "unreachable":
                    away_since = away_since or time.monotonic()
                    if time.monotonic() - away_since > self.unreachable_grace:
                        raise GeneratorError(
                            f"ComfyUI stopped answering at {self.base_url} while it had this job; start it again "
                            "and generate again"
                        )
                    yield processing(None, "ComfyUI does not answer; waiting for it to come back")
                else:
                    away_since = None
                if found.state == "done":
                    yield completed({"images": found.images})
                    return
                if found.state == "failed":
                    raise GeneratorError(found.message)
                if found.state == "lost":
                    if self.base_url != address:
                        raise GeneratorError(
                            "the ComfyUI address changed in Settings while this job ran there; generate it again"
                        )
                    raise GeneratorError(LOST)
                if found.state == "pending":
                    yield _kept(queued(found.position, _waiting(found.position)))
                if found.state == "running":
                    if found.graph and not progress.graph:
                        progress.learn(found.graph)
                    if not progress.started:
                        progress.start()
                        yield self._running(progress, "ComfyUI is running the workflow")
            try:
                wait = 2.0 if away_since is not None else self.reconcile_every
                event = await asyncio.wait_for(inbox.get(), wait)
            except TimeoutError:
                ask = time.monotonic()  # a quiet socket may be a dead one: ask
                continue
            kind, data = event.type, event.data
            if kind == CONNECTED:
                ask = time.monotonic()  # messages sent while no socket was open are lost: ask
            elif kind == DISCONNECTED:
                yield processing(None, "the connection to ComfyUI dropped; connecting again")
            elif kind == "status":
                # The queue changed: a waiting job moved up (or ran, unheard). Jobs waiting together
                # share one read of the queue here.
                ask = since if not progress.started else None
            elif kind == "execution_start":
                progress.start()
                yield self._running(progress, "ComfyUI started the workflow")
            elif kind == "execution_cached":
                nodes = data.get("nodes") or []
                progress.cached(nodes)
                if nodes:
                    yield self._running(progress, f"{len(nodes)} node(s) unchanged since ComfyUI's last run: reused")
            elif kind == "executing":
                node = data.get("node")
                if node is None:
                    ask = time.monotonic()  # finished: it is in the history now
                else:
                    progress.executing(node)
                    yield self._running(progress, f"running node {node} ({progress.class_of(node)})")
            elif kind == "progress":
                progress.step(data.get("node"), data.get("value"), data.get("max"))
                what = progress.class_of(data.get("node"))
                yield self._running(progress, f"{what}: step {data.get('value')} of {data.get('max')}")
            elif kind == "executed":
                node = data.get("node")
                progress.executed(node)
                yield self._running(progress, f"node {node} ({progress.class_of(node)}) done")
            elif kind == "execution_success":
                ask = time.monotonic()  # the history may lag this message a little: then it still runs
            elif kind == "execution_error":
                raise GeneratorError(execution_error_message(data))
            elif kind == "execution_interrupted":
                raise GeneratorError(INTERRUPTED)

    @staticmethod
    def _running(progress: WorkflowProgress, message: str | None) -> Status:
        return processing(RUN_START + (RUN_END - RUN_START) * progress.fraction, message)

    # -- submitting -------------------------------------------------------------------------------------

    async def check_nodes(self, graph: dict[str, Any]) -> None:
        """Refuse, before sending, a workflow whose node classes this ComfyUI lacks (custom nodes)."""
        needed: dict[str, list[str]] = {}
        for node_id, spec in graph.items():
            needed.setdefault(str(spec.get("class_type")), []).append(str(node_id))
        if self._node_classes is None or not set(needed) <= self._node_classes:
            self._node_classes = await self._node_classes_now()  # custom nodes may have been installed
        if not self._node_classes:
            return  # not readable: ComfyUI's own validation answers instead
        missing = {name: ids for name, ids in needed.items() if name not in self._node_classes}
        if missing:
            raise GeneratorError(missing_nodes_message(missing))

    async def _node_classes_now(self) -> frozenset[str]:
        """Read `/object_info` (large with many custom nodes): jobs starting together share one read."""
        if self._node_read is None or self._node_read.done():
            self._node_read = asyncio.ensure_future(self._read_node_classes())
            self._node_read.add_done_callback(lambda done: done.cancelled() or done.exception())
        return await asyncio.shield(self._node_read)

    async def _read_node_classes(self) -> frozenset[str]:
        response = await self.request("GET", "object_info", timeout=OBJECT_INFO_TIMEOUT, accept={404})
        body = _json(response) if response.status_code == 200 else {}
        return frozenset(body) if isinstance(body, dict) else frozenset()

    async def _submit(self, graph: dict[str, Any], prompt_id: str, fields: FieldNames) -> None:
        body = {"prompt": graph, "client_id": self.events.client_id, "prompt_id": prompt_id}
        for attempt in range(1, SUBMIT_ATTEMPTS + 1):
            try:
                # One try at a time: after a lost answer, look for the prompt before sending it again.
                response = await self.request(
                    "POST", "prompt", retry=Retry.SAFE, attempts=1, accept={400}, timeout=PROMPT_TIMEOUT, json=body
                )
            except TransientError as exc:
                if await self._is_known(prompt_id):
                    return  # it was taken; only the answer was lost
                if attempt == SUBMIT_ATTEMPTS:
                    raise TransientError(f"ComfyUI did not take the workflow: {exc}", exc.retry_after) from None
                await asyncio.sleep(backoff_seconds(attempt, exc.retry_after, base=0.5))
                continue
            if response.status_code == 400:
                raise GeneratorError(refusal_message(_json(response), fields))
            answer = _json(response)
            if answer.get("node_errors"):
                # Some outputs were refused and the rest will run: say so in the log.
                log.warning("ComfyUI runs %s without some outputs: %s", prompt_id, refusal_message(answer, fields))
            return

    async def _is_known(self, prompt_id: str) -> bool:
        found = await self._reconcile(prompt_id, not_before=time.monotonic())
        return found.state not in ("lost", "unreachable")

    # -- where a prompt stands -----------------------------------------------------------------------------

    async def _reconcile(self, prompt_id: str, *, not_before: float) -> _Found:
        """Where the prompt stands. The queue read must have started after the prompt was submitted
        (`not_before`): then a prompt in neither the queue nor the history (read after it) is lost, since
        a prompt only moves forward, from pending to running to the history."""
        try:
            queue = await self._queue(not_before=not_before)
            for item in queue.get("queue_running") or []:
                if _item_id(item) == prompt_id:
                    return _Found("running", graph=_item_graph(item))
            pending = sorted((item for item in queue.get("queue_pending") or [] if _item_id(item)), key=_item_number)
            for index, item in enumerate(pending):
                if _item_id(item) == prompt_id:
                    ahead = len(queue.get("queue_running") or []) + index
                    return _Found("pending", position=ahead + 1, graph=_item_graph(item))
            entry = await self._history(prompt_id)
            return _from_history(entry) if entry is not None else _Found("lost")
        except (TransientError, httpx.TransportError):
            return _Found("unreachable")

    async def _history(self, prompt_id: str) -> dict[str, Any] | None:
        response = await self.request("GET", f"history/{prompt_id}", attempts=2, timeout=READ_TIMEOUT)
        entry = _json(response).get(prompt_id)
        return entry if isinstance(entry, dict) else None

    async def _queue(self, *, not_before: float) -> dict[str, Any]:
        """ComfyUI's queue, read no earlier than `not_before`; jobs asking together share one read."""
        if self._queue_read is not None:
            started, task = self._queue_read
            if started >= not_before and (not task.done() or time.monotonic() - started < 0.25):
                return await asyncio.shield(task)
        task = asyncio.ensure_future(self._read_queue())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())  # read by someone, or not
        self._queue_read = (time.monotonic(), task)
        return await asyncio.shield(task)

    async def _read_queue(self) -> dict[str, Any]:
        response = await self.request("GET", "queue", attempts=2, timeout=READ_TIMEOUT)
        return _json(response)

    # -- files and cancelling ---------------------------------------------------------------------------------

    async def upload_image(self, data: bytes, filename: str, content_type: str) -> str:
        """Put an input image in ComfyUI's input folder; the name a LoadImage node takes."""
        response = await self.request(
            "POST",
            "upload/image",
            retry=Retry.SAFE,  # the same name and bytes again change nothing (overwrite)
            timeout=httpx.Timeout(120.0, connect=5.0),
            data={"type": "input", "subfolder": UPLOAD_SUBFOLDER, "overwrite": "true"},
            files={"image": (filename, data, content_type)},
        )
        body = _json(response)
        if not body.get("name"):
            raise GeneratorError("ComfyUI did not take the input image (its answer named no file)")
        return f"{body['subfolder']}/{body['name']}" if body.get("subfolder") else str(body["name"])

    async def fetch_output(self, image: dict[str, Any]) -> bytes:
        params = {
            "filename": image.get("filename", ""),
            "subfolder": image.get("subfolder", ""),
            "type": image.get("type", "output"),
        }
        response = await self.request(
            "GET", "view", params=params, timeout=httpx.Timeout(120.0, connect=5.0), accept={404}
        )
        if response.status_code == 404:
            raise GeneratorError(
                f"ComfyUI no longer has the result {params['filename']!r} (its output folder was changed?); "
                "generate it again"
            )
        return response.content

    async def cancel_prompt(self, prompt_id: str) -> None:
        """Stop it at ComfyUI: interrupted while it runs, taken out of the queue while it waits."""
        queue = await self._queue(not_before=time.monotonic())
        if any(_item_id(item) == prompt_id for item in queue.get("queue_running") or []):
            await self.request("POST", "interrupt", json={"prompt_id": prompt_id}, timeout=READ_TIMEOUT)
        elif any(_item_id(item) == prompt_id for item in queue.get("queue_pending") or []):
            await self.request("POST", "queue", json={"delete": [prompt_id]}, timeout=READ_TIMEOUT)


def _from_history(entry: dict[str, Any]) -> _Found:
    status = raw_status if isinstance(raw_status := entry.get("status"), dict) else {}
    for message in status.get("messages") or []:
        if isinstance(message, (list, tuple)) and len(message) == 2:
            kind, data = message
            if kind == "execution_error":
                return _Found("failed", message=execution_error_message(data))
            if kind == "execution_interrupted":
                return _Found("failed", message=INTERRUPTED)
    if status.get("status_str") == "error":
        return _Found("failed", message="ComfyUI reported an error for this job; see ComfyUI's console")
    images = []
    outputs = raw_outputs if isinstance(raw_outputs := entry.get("outputs"), dict) else {}
    for node_id, output in outputs.items():
        for image in (output or {}).get("images") or []:
            if isinstance(image, dict) and image.get("filename"):
                images.append({**image, "node": str(node_id)})
    return _Found("done", images=images)


def _kept(status: Status) -> Status:
    """The status without a figure: the bar stays where the job's earlier steps left it."""
    return {**status, "progress": None}


def _waiting(position: int | None) -> str:
    return f"waiting in ComfyUI's queue (position {position})" if position else "waiting in ComfyUI's queue"


def _item_id(item: Any) -> str | None:
    """A queue item is `[number, prompt_id, prompt, extra_data, outputs, ...]`."""
    return str(item[1]) if isinstance(item, (list, tuple)) and len(item) > 1 else None


def _item_number(item: Any) -> float:
    try:
        return float(item[0])
    except (TypeError, ValueError, IndexError):
        return 0.0


def _item_graph(item: Any) -> dict[str, Any] | None:
    graph = item[2] if isinstance(item, (list, tuple)) and len(item) > 2 else None
    return graph if isinstance(graph, dict) else None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return body if isinstance(body, dict) else {}
