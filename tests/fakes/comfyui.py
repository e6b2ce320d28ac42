"""A faithful fake of a local ComfyUI, as `providers.md` (and ComfyUI's own server) describe it.

- `POST /prompt {"prompt", "client_id", "prompt_id"}`: validated as ComfyUI validates it
  (tests/fakes/comfyui_nodes), 200 `{prompt_id, number, node_errors}` or 400 `{error, node_errors}`;
  a prompt id given is kept (ComfyUI does not refuse one it has seen: it would run it twice);
- a queue and a history in memory, gone when the fake is made anew (a restart: serve a new
  `FakeComfyUI` on the same port, `free_port()` and `serve_fake(port=...)`);
- execution driven by the clock (`clock.advance`, or `FakeClock(running=True)`), one prompt at a
  time, sending over `/ws?clientId=` what ComfyUI sends, in its order, to the prompt's client only:
  `execution_start`, `execution_cached` (nodes unchanged since the last run), `executing {node}`,
  `progress {value, max}` per sampler step, a binary preview frame every few steps, `executed
  {output: {images}}`, `execution_success`, then the history, then `executing {node: null}`;
  `execution_error` for a class listed in `failures`, `execution_interrupted` after `/interrupt`;
  `status` (queue_remaining) to every socket when the queue changes, and to a new socket at once;
- `/history[/{id}]`, `/queue` (GET; POST `{"delete": [...]}` or `{"clear": true}`),
  `POST /interrupt` (optionally `{"prompt_id"}`: only that one), `/object_info[/{class}]`,
  `/system_stats`, `POST /upload/image` (multipart `image`, `type`, `subfolder`, `overwrite`) and
  `GET /view` serving the real PNGs it saved (sized by the graph's latent or input image).
Records: `prompts` (every accepted submission), `interrupts`, `deleted`, `uploads`. Faults: the
harness's switches (`server.faults`, a "WEBSOCKET" fault refuses a socket) and
`server.drop_connections()` to cut the sockets mid-job.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import io
import json
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, WebSocket, get, post, websocket
from litestar.exceptions import WebSocketDisconnect
from PIL import Image, UnidentifiedImageError

from tests.fakes.comfyui_nodes import STEPPED, execution_order, node_classes, upstream, validate_prompt
from tests.fakes.harness import FakeClock

DEFAULT_CHECKPOINTS = ("v1-5-pruned-emaonly-fp16.safetensors", "sd_xl_base_1.0.safetensors")
TICK_SECONDS = 0.005  # how often the executor looks at the clock (real time)


@dataclass
class _Run:
    number: float
    prompt_id: str
    graph: dict[str, Any]
    client_id: str | None
    outputs_to_execute: list[str]
    steps: list[tuple[float, Any]] = field(default_factory=list)  # (clock time, async action), in order
    messages: list[list[Any]] = field(default_factory=list)  # for the history's status
    outputs: dict[str, Any] = field(default_factory=dict)
    executed: list[str] = field(default_factory=list)
    node: str | None = None
    interrupted: bool = False

    def item(self) -> list[Any]:
        return [self.number, self.prompt_id, self.graph, {"client_id": self.client_id}, self.outputs_to_execute]


@dataclass
class FakeComfyUI:
    clock: FakeClock = field(default_factory=FakeClock)
    checkpoints: tuple[str, ...] = DEFAULT_CHECKPOINTS
    step_seconds: float = 0.01  # clock time per sampler step
    node_seconds: float = 0.005  # clock time per other node
    preview_every: int = 4
    failures: dict[str, tuple[str, str]] = field(default_factory=dict)  # class -> (exception type, message)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    interrupts: list[str | None] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    uploads: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._pending: list[_Run] = []
        self._running: _Run | None = None
        self._history: dict[str, dict[str, Any]] = {}
        self._files: dict[tuple[str, str, str], bytes] = {}  # (type, subfolder, filename) -> bytes
        self._sockets: dict[str, WebSocket] = {}
        self._number = 0
        self._counters: dict[str, int] = {}
        self._last: dict[str, Any] = {}  # the last run's graph, for execution_cached
        self._last_outputs: dict[str, Any] = {}
        self._executor: asyncio.Task[None] | None = None

    # -- what tests look at --------------------------------------------------------------------------

    def input_files(self) -> list[str]:
        return [f"{sub}/{name}" if sub else name for (kind, sub, name) in self._files if kind == "input"]

    def input_file(self, name: str) -> bytes | None:
        sub, _, base = name.rpartition("/")
        return self._files.get(("input", sub, base))

    @property
    def listening(self) -> list[str]:
        """The client ids with an open socket."""
        return list(self._sockets)

    @property
    def running_id(self) -> str | None:
        return self._running.prompt_id if self._running else None

    @property
    def pending_ids(self) -> list[str]:
        return [run.prompt_id for run in sorted(self._pending, key=lambda r: r.number)]

    @property
    def app(self) -> Litestar:
        fake = self

        @get("/system_stats")
        async def system_stats() -> dict:
            return {
                "system": {"os": "posix", "comfyui_version": "0.3.40-fake", "python_version": "3.11"},
                "devices": [{"name": "cpu", "type": "cpu", "index": None}],
            }

        @get("/object_info")
        async def object_info() -> dict:
            return fake._classes()

        @get("/object_info/{node_class:str}")
        async def object_info_node(node_class: str) -> dict:
            classes = fake._classes()
            return {node_class: classes[node_class]} if node_class in classes else {}

        @post("/prompt", status_code=200)
        async def submit(request: Request) -> Response:
            return fake._submit(json.loads(await request.body() or b"{}"))

        @get("/prompt")
        async def prompt_info() -> dict:
            return {"exec_info": {"queue_remaining": fake._remaining()}}

        @get("/queue")
        async def queue() -> dict:
            return {
                "queue_running": [fake._running.item()] if fake._running else [],
                "queue_pending": [run.item() for run in fake._pending],
            }

        @post("/queue", status_code=200)
        async def change_queue(request: Request) -> Response:
            body = json.loads(await request.body() or b"{}")
            if body.get("clear"):
                fake._pending.clear()
            for prompt_id in body.get("delete") or []:
                fake.deleted.append(prompt_id)
                fake._pending = [run for run in fake._pending if run.prompt_id != prompt_id]
            await fake._queue_changed()
            return Response(b"", status_code=200)

        @post("/interrupt", status_code=200)
        async def interrupt(request: Request) -> Response:
            raw = await request.body()
            wanted = json.loads(raw).get("prompt_id") if raw else None
            fake.interrupts.append(wanted)
            running = fake._running
            if running is not None and (wanted is None or wanted == running.prompt_id):
                running.interrupted = True
            return Response(b"", status_code=200)

        @get("/history")
        async def history(max_items: int | None = None) -> dict:
            items = list(fake._history.items())
            return dict(items[-max_items:] if max_items else items)

        @get("/history/{prompt_id:str}")
        async def history_of(prompt_id: str) -> dict:
            entry = fake._history.get(prompt_id)
            return {prompt_id: copy.deepcopy(entry)} if entry is not None else {}

        @get("/view")
        async def view(filename: str, subfolder: str = "", type: str = "output") -> Response:
            data = fake._files.get((type, subfolder, filename))
            if data is None:
                return Response(b"", status_code=404)
            return Response(data, media_type="image/png", headers={"Content-Disposition": f'filename="{filename}"'})

        @post("/upload/image", status_code=200)
        async def upload(request: Request) -> Response:
            form = await request.form()
            image = form.get("image")
            if image is None or isinstance(image, str) or not image.filename:
                return Response(b"", status_code=400)
            kind = str(form.get("type") or "input")
            subfolder = str(form.get("subfolder") or "")
            name = image.filename
            data = await image.read()
            if str(form.get("overwrite")) not in ("true", "1"):
                stem, dot, ext = name.rpartition(".")
                counter = 1
                while (kind, subfolder, name) in fake._files and fake._files[(kind, subfolder, name)] != data:
                    name = f"{stem} ({counter}){dot}{ext}"
                    counter += 1
            fake._files[(kind, subfolder, name)] = data
            fake.uploads.append(f"{subfolder}/{name}" if subfolder else name)
            return Response({"name": name, "subfolder": subfolder, "type": kind})

        @websocket("/ws")
        async def events(socket: WebSocket) -> None:
            await socket.accept()
            sid = socket.query_params.get("clientId") or uuid.uuid4().hex
            fake._sockets[sid] = socket  # a second socket of the same client replaces the first
            try:
                await socket.send_text(
                    json.dumps({"type": "status", "data": {"status": fake._queue_info(), "sid": sid}})
                )
                running = fake._running
                if running is not None and running.client_id == sid and running.node is not None:
                    await socket.send_text(json.dumps({"type": "executing", "data": {"node": running.node}}))
                while True:
                    await socket.receive_data(mode="text")
            except (WebSocketDisconnect, RuntimeError, OSError):
                pass
            finally:
                if fake._sockets.get(sid) is socket:
                    del fake._sockets[sid]

        return Litestar(
            [
                system_stats,
                object_info,
                object_info_node,
                submit,
                prompt_info,
                queue,
                change_queue,
                interrupt,
                history,
                history_of,
                view,
                upload,
                events,
            ],
            request_max_body_size=None,
            debug=False,
        )

    # -- submission --------------------------------------------------------------------------------------

    def _classes(self) -> dict[str, Any]:
        return node_classes(self.checkpoints, self.input_files())

    def _submit(self, body: dict[str, Any]) -> Response:
        if "prompt" not in body:
            error = {
                "type": "no_prompt",
                "message": "No prompt provided",
                "details": "No prompt provided",
                "extra_info": {},
            }
            return Response({"error": error, "node_errors": {}}, status_code=400)
        prompt = body["prompt"]
        valid, error, outputs, node_errors = validate_prompt(prompt, self._classes())
        if not valid:
            return Response({"error": error, "node_errors": node_errors}, status_code=400)
        prompt_id = str(body.get("prompt_id") or uuid.uuid4())
        number = float(self._number)
        self._number += 1
        self.prompts.append({"prompt_id": prompt_id, "prompt": prompt, "client_id": body.get("client_id")})
        self._pending.append(_Run(number, prompt_id, prompt, body.get("client_id"), outputs))
        self._ensure_executor()
        self._notify_soon()
        return Response({"prompt_id": prompt_id, "number": number, "node_errors": node_errors})

    def _remaining(self) -> int:
        return len(self._pending) + (1 if self._running else 0)

    def _queue_info(self) -> dict[str, Any]:
        return {"exec_info": {"queue_remaining": self._remaining()}}

    def _notify_soon(self) -> None:
        asyncio.get_running_loop().create_task(self._queue_changed())

    async def _queue_changed(self) -> None:
        await self._broadcast({"type": "status", "data": {"status": self._queue_info()}})

    # -- the executor ----------------------------------------------------------------------------------------

    def _ensure_executor(self) -> None:
        # Started by the first request: the harness answers the ASGI lifespan itself.
        if self._executor is None or self._executor.done():
            self._executor = asyncio.get_running_loop().create_task(self._execute_forever())

    async def close(self) -> None:
        """Stop executing (the engine is gone); `comfyui_fake` calls it when its block ends."""
        if self._executor is not None:
            self._executor.cancel()
            await asyncio.gather(self._executor, return_exceptions=True)
            self._executor = None

    async def _execute_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            await self._tick()

    async def _tick(self) -> None:
        if self._running is None:
            if not self._pending:
                return
            self._pending.sort(key=lambda run: run.number)
            self._running = self._pending.pop(0)
            self._plan(self._running, self.clock.now())
            await self._queue_changed()
        run = self._running
        if run.interrupted:
            await self._interrupt(run)
            return
        while run.steps and run.steps[0][0] <= self.clock.now() and self._running is run:
            _at, action = run.steps.pop(0)
            await action()

    def _plan(self, run: _Run, start: float) -> None:
        order = execution_order(run.graph, run.outputs_to_execute)
        cached = [node for node in order if self._is_cached(run.graph, node)]
        at = start
        run.steps.append((at, lambda: self._started(run, cached)))
        for node in order:
            if node in cached:
                continue
            spec = run.graph[node]
            run.steps.append((at, lambda node=node: self._executing(run, node)))
            if spec["class_type"] in self.failures:
                run.steps.append((at + self.node_seconds, lambda node=node: self._error(run, node)))
                return
            if spec["class_type"] in STEPPED:
                total = int(spec["inputs"].get("steps", 20))
                for step in range(1, total + 1):
                    at += self.step_seconds
                    run.steps.append((at, lambda node=node, step=step, total=total: self._step(run, node, step, total)))
            else:
                at += self.node_seconds
            run.steps.append((at, lambda node=node: self._executed(run, node)))
        run.steps.append((at, lambda: self._success(run)))

    def _is_cached(self, graph: dict[str, Any], node: str) -> bool:
        before = self._last.get(node)
        if before != graph[node]:
            return False
        links = [v for v in graph[node]["inputs"].values() if isinstance(v, list) and len(v) == 2]
        return all(self._is_cached(graph, str(link[0])) for link in links if str(link[0]) in graph)

    async def _started(self, run: _Run, cached: list[str]) -> None:
        await self._send(run, "execution_start", {"prompt_id": run.prompt_id, "timestamp": _ms()}, keep=True)
        await self._send(
            run, "execution_cached", {"nodes": cached, "prompt_id": run.prompt_id, "timestamp": _ms()}, keep=True
        )
        for node in cached:
            if node in self._last_outputs:
                run.outputs[node] = self._last_outputs[node]

    async def _executing(self, run: _Run, node: str) -> None:
        run.node = node
        await self._send(run, "executing", {"node": node, "display_node": node, "prompt_id": run.prompt_id})

    async def _step(self, run: _Run, node: str, step: int, total: int) -> None:
        await self._send(run, "progress", {"value": step, "max": total, "prompt_id": run.prompt_id, "node": node})
        if self.preview_every and step % self.preview_every == 0:
            socket = self._sockets.get(run.client_id or "")
            if socket is not None:
                frame = struct.pack(">II", 1, 2) + _png(64, 64, (120, 120, 200))
                await self._deliver(socket, frame)

    async def _executed(self, run: _Run, node: str) -> None:
        run.executed.append(node)
        if run.graph[node]["class_type"] in ("SaveImage", "PreviewImage"):
            images = await self._save(run, node)
            run.outputs[node] = {"images": images}
            data = {"node": node, "display_node": node, "output": {"images": images}, "prompt_id": run.prompt_id}
            await self._send(run, "executed", data)

    async def _success(self, run: _Run) -> None:
        await self._send(run, "execution_success", {"prompt_id": run.prompt_id, "timestamp": _ms()}, keep=True)
        self._finish(run, "success")
        await self._send(run, "executing", {"node": None, "prompt_id": run.prompt_id})
        await self._queue_changed()

    async def _error(self, run: _Run, node: str) -> None:
        exception_type, message = self.failures[run.graph[node]["class_type"]]
        data = {
            "prompt_id": run.prompt_id,
            "node_id": node,
            "node_type": run.graph[node]["class_type"],
            "executed": list(run.executed),
            "exception_message": message,
            "exception_type": exception_type,
            "traceback": ["Traceback (most recent call last):\n", "  ...\n"],
            "current_inputs": {},
            "current_outputs": {},
            "timestamp": _ms(),
        }
        await self._send(run, "execution_error", data, keep=True)
        self._finish(run, "error")
        await self._send(run, "executing", {"node": None, "prompt_id": run.prompt_id})
        await self._queue_changed()

    async def _interrupt(self, run: _Run) -> None:
        node = run.node
        data = {
            "prompt_id": run.prompt_id,
            "node_id": node,
            "node_type": run.graph[node]["class_type"] if node else None,
            "executed": list(run.executed),
            "timestamp": _ms(),
        }
        await self._send(run, "execution_interrupted", data, keep=True)
        self._finish(run, "error")
        await self._send(run, "executing", {"node": None, "prompt_id": run.prompt_id})
        await self._queue_changed()

    def _finish(self, run: _Run, status: str) -> None:
        self._history[run.prompt_id] = {
            "prompt": run.item(),
            "outputs": copy.deepcopy(run.outputs),
            "status": {"status_str": status, "completed": status == "success", "messages": run.messages},
            "meta": {
                node: {"node_id": node, "display_node": node, "parent_node": None, "real_node_id": node}
                for node in run.outputs
            },
        }
        if status == "success":
            self._last = copy.deepcopy(run.graph)
            self._last_outputs = copy.deepcopy(run.outputs)
        self._running = None

    # -- images --------------------------------------------------------------------------------------------

    async def _save(self, run: _Run, node: str) -> list[dict[str, Any]]:
        graph = run.graph
        width, height, count, source = 512, 512, 1, None
        latent = upstream(graph, node, {"EmptyLatentImage"})
        loader = upstream(graph, node, {"LoadImage"})
        if latent is not None:
            inputs = graph[latent]["inputs"]
            width, height, count = int(inputs["width"]), int(inputs["height"]), int(inputs.get("batch_size", 1))
        elif loader is not None:
            source = self.input_file(graph[loader]["inputs"]["image"])
        seed = json.dumps(graph, sort_keys=True)
        images = []
        for index in range(count):
            data = await asyncio.to_thread(_picture, f"{seed}-{index}", width, height, source)
            prefix = str(graph[node]["inputs"].get("filename_prefix", "ComfyUI"))
            kind = "output" if graph[node]["class_type"] == "SaveImage" else "temp"
            subfolder, _, base = prefix.rpartition("/")
            counter = self._counters.get(prefix, 0) + 1
            self._counters[prefix] = counter
            filename = f"{base}_{counter:05}_.png"
            self._files[(kind, subfolder, filename)] = data
            images.append({"filename": filename, "subfolder": subfolder, "type": kind})
        return images

    # -- the sockets -----------------------------------------------------------------------------------------

    async def _send(self, run: _Run, kind: str, data: dict[str, Any], *, keep: bool = False) -> None:
        if keep:
            run.messages.append([kind, data])
        socket = self._sockets.get(run.client_id or "")
        if socket is not None:
            await self._deliver(socket, json.dumps({"type": kind, "data": data}))

    async def _broadcast(self, message: dict[str, Any]) -> None:
        text = json.dumps(message)
        for socket in list(self._sockets.values()):
            await self._deliver(socket, text)

    async def _deliver(self, socket: WebSocket, frame: str | bytes) -> None:
        try:
            if isinstance(frame, bytes):
                await socket.send_bytes(frame)
            else:
                await socket.send_text(frame)
        except Exception:  # noqa: BLE001 - a socket that went away: ComfyUI logs "send error" and goes on
            for sid, known in list(self._sockets.items()):
                if known is socket:
                    del self._sockets[sid]


def _ms() -> int:
    return int(time.time() * 1000)


def _picture(seed: str, width: int, height: int, source: bytes | None) -> bytes:
    """A plain picture coloured by the request; from an input image, that image tinted (same size)."""
    digest = hashlib.sha256(seed.encode()).digest()
    if source is not None:
        try:
            with Image.open(io.BytesIO(source)) as original:
                image = original.convert("RGB")
        except (UnidentifiedImageError, OSError):
            image = Image.new("RGB", (width, height))
        tint = Image.new("RGB", image.size, (digest[0], digest[1], digest[2]))
        return _encoded(Image.blend(image, tint, 0.3))
    image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
    image.paste((255 - digest[0], 255 - digest[1], 255 - digest[2]), (width // 4, height // 4, width // 2, height // 2))
    return _encoded(image)


def _png(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    return _encoded(Image.new("RGB", (width, height), colour))


def _encoded(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
