"""A faithful fake of the Stable Diffusion WebUI's API (AUTOMATIC1111 1.9+, Forge), as its own server speaks it.

- `--api` off (`api_enabled=False`): every `/sdapi/` route answers 404 `{"detail": "Not Found"}`
  while the page at `/` (Gradio's) still answers, as the real one does;
- `GET /sdapi/v1/sd-models`, `samplers`, `schedulers`, `upscalers`, `options` (the loaded checkpoint);
  a checkpoint put in its folder (`new_files`) is listed only after `POST /sdapi/v1/refresh-checkpoints`;
- `POST /sdapi/v1/txt2img` and `img2img` hold the request until the images are made (the WebUI's
  queue lock: one request at a time, in order of arrival), then answer `{images, parameters, info}`
  with `info` a JSON *string*; a batch of more than one image comes with a grid first
  (`index_of_first_image: 1`). A seed of -1 is chosen here and reported in `all_seeds`. An unknown
  sampler is a 404 `{"detail": "Sampler not found"}`; an unknown checkpoint falls back to the first
  one (the real WebUI only warns in its console); wrong types are FastAPI's 422;
- `force_task_id` names a request; `POST /internal/progress {id_task}` says `queued` (with
  "In queue: n/m"), `active` or `completed` (the last 16 finished);
- `GET /sdapi/v1/progress`: the running job's `progress`, `state` (`sampling_step`, `job_count`,
  `interrupted`, ...) and `current_image` (a base64 PNG, unless `skip_current_image`);
- `POST /sdapi/v1/interrupt` stops whatever runs: it answers at once with the images so far, and
  `state.interrupted` stays set until the next job begins.
Steps advance with the clock (`step_seconds` of clock time each; `FakeClock(running=True)` or
`clock.advance`); `step_seconds=0` makes a job take no time at all (the overhead benchmark).
`occupy(steps)` starts a job from the WebUI's own page (no request of ours): the engine is busy.
Records: `requests` (each body received), `interrupts` (the task running at each, or None).
Faults: `api_enabled=False`, `task_routes=False` (no `/internal/progress`), `failure` (the next
request answers the WebUI's 500 `{error, detail, body, errors}`, e.g. a CUDA out of memory),
`occupy()` (busy), and the harness's `server.faults` and `server.drop_connections()`.
A connection dropped mid-job (`server.drop_connections()`) does not stop the job, as in the real one.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import random
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar, Request, Response, get, post
from PIL import Image

from tests.fakes.harness import FakeClock

DEFAULT_CHECKPOINTS = {
    "v1-5-pruned-emaonly.safetensors [6ce0161689]": "v1-5-pruned-emaonly",
    "sd_xl_base_1.0.safetensors [31e35c80fc]": "sd_xl_base_1.0",
}
DEFAULT_SAMPLERS = ("DPM++ 2M", "Euler a", "Euler", "DDIM")
DEFAULT_SCHEDULERS = {"automatic": "Automatic", "karras": "Karras", "exponential": "Exponential"}
DEFAULT_UPSCALERS = ("None", "Lanczos", "Nearest", "R-ESRGAN 4x+")
TICK_SECONDS = 0.005  # how often a running job looks at the clock (real time)
PAGE = (
    b"<!DOCTYPE html><html><head><title>Stable Diffusion</title><script>window.gradio_config={}</script></head></html>"
)


@dataclass
class _Job:
    task_id: str
    mode: str  # txt2img | img2img | page (the WebUI's own page)
    body: dict[str, Any]
    steps: int
    step: int = 0
    started_at: float = 0.0
    interrupted: bool = False
    finished: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class FakeSDWebUI:
    clock: FakeClock = field(default_factory=FakeClock)
    checkpoints: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CHECKPOINTS))
    samplers: tuple[str, ...] = DEFAULT_SAMPLERS
    schedulers: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SCHEDULERS))
    upscalers: tuple[str, ...] = DEFAULT_UPSCALERS
    api_enabled: bool = True
    step_seconds: float = 0.01
    previews: bool = True  # live previews on (the WebUI's setting)
    extra_images: int = 0  # pictures an extension adds after the batch (ControlNet's detected maps)
    task_routes: bool = True  # False: no `/internal/progress` (older versions, SD.Next's own API)
    failure: tuple[str, str] | None = None  # (exception type, message): the next request fails so (a 500)
    requests: list[dict[str, Any]] = field(default_factory=list)
    new_files: dict[str, str] = field(default_factory=dict)  # put in its models folder: listed after a rescan
    interrupts: list[str | None] = field(default_factory=list)
    timings: list[tuple[float, float]] = field(default_factory=list)  # (received, answered) on the clock

    def __post_init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._arrivals = 0
        self.pending: dict[str, int] = {}  # task id -> arrival number
        self.current: _Job | None = None
        self.finished: deque[str] = deque(maxlen=16)
        self.loaded = next(iter(self.checkpoints), "")
        self._interrupted_flag = False
        self._job_timestamp = "0"
        self._page_jobs: list[asyncio.Task[Any]] = []

    @property
    def running_id(self) -> str | None:
        return self.current.task_id if self.current else None

    def occupy(self, steps: int = 20) -> str:
        """Work started from the WebUI's own page: it holds the engine until its steps are done."""
        job = _Job(f"task(page-{self._arrivals})", "page", {}, steps)
        self._page_jobs.append(asyncio.ensure_future(self._run(job)))
        return job.task_id

    async def close(self) -> None:
        for task in self._page_jobs:
            task.cancel()
        await asyncio.gather(*self._page_jobs, return_exceptions=True)

    # -- the engine -----------------------------------------------------------------------------------

    async def _run(self, job: _Job) -> dict[str, Any] | None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        self._arrivals += 1
        self.pending[job.task_id] = self._arrivals
        try:
            async with self._lock:  # the WebUI's queue lock: one job at a time, in order of arrival
                self.pending.pop(job.task_id, None)
                self.current = job
                self._interrupted_flag = False  # state.begin()
                self._job_timestamp = time.strftime("%Y%m%d%H%M%S")
                job.started_at = self.clock.now()
                try:
                    while job.step < job.steps and not job.interrupted:
                        due = job.started_at + (job.step + 1) * self.step_seconds
                        while self.clock.now() < due and not job.interrupted:
                            await asyncio.sleep(TICK_SECONDS)
                        if not job.interrupted:
                            job.step += 1
                    return None if job.mode == "page" else self._answer(job)
                finally:
                    self.current = None
                    self.finished.append(job.task_id)
                    job.finished.set()
        finally:
            self.pending.pop(job.task_id, None)

    def _answer(self, job: _Job) -> dict[str, Any]:
        body = job.body
        count = int(body.get("batch_size") or 1) * int(body.get("n_iter") or 1)
        seed = int(body.get("seed", -1))
        seed = random.randint(0, 2**32 - 1) if seed == -1 else seed
        width, height = int(body.get("width") or 512), int(body.get("height") or 512)
        if body.get("enable_hr"):
            scale = float(body.get("hr_scale") or 2.0)
            width, height = int(width * scale), int(height * scale)
        requested = (body.get("override_settings") or {}).get("sd_model_checkpoint")
        if requested:
            self.loaded = requested if requested in self.checkpoints else next(iter(self.checkpoints))
        model = self.checkpoints.get(self.loaded, "")
        seeds = [seed + index for index in range(count)]
        prompt = str(body.get("prompt") or "")
        sampler = str(body.get("sampler_name") or self.samplers[0])
        infotexts = [
            f"{prompt}\nSteps: {job.steps}, Sampler: {sampler}, CFG scale: {body.get('cfg_scale', 7.0)}, "
            f"Seed: {one}, Size: {width}x{height}, Model: {model}"
            for one in seeds
        ]
        images = [_png(width, height, one, job.step / max(job.steps, 1)) for one in seeds]
        images += [_png(64, 64, 99, 1.0) for _ in range(self.extra_images)]
        first = 0
        if count > 1:
            images.insert(0, _png(width * 2, height, seed, 1.0))  # the grid, first
            first = 1
        info = {
            "prompt": prompt,
            "all_prompts": [prompt] * count,
            "negative_prompt": body.get("negative_prompt", ""),
            "all_negative_prompts": [body.get("negative_prompt", "")] * count,
            "seed": seed,
            "all_seeds": seeds,
            "subseed": 1234,
            "all_subseeds": [1234 + index for index in range(count)],
            "subseed_strength": 0,
            "width": width,
            "height": height,
            "sampler_name": sampler,
            "cfg_scale": body.get("cfg_scale", 7.0),
            "steps": job.steps,
            "batch_size": int(body.get("batch_size") or 1),
            "restore_faces": False,
            "sd_model_name": model,
            "sd_model_hash": self.loaded.rsplit("[", 1)[-1].rstrip("]") if "[" in self.loaded else None,
            "seed_resize_from_w": -1,
            "seed_resize_from_h": -1,
            "denoising_strength": body.get("denoising_strength"),
            "extra_generation_params": {},
            "index_of_first_image": first,
            "infotexts": infotexts,
            "styles": [],
            "job_timestamp": self._job_timestamp,
            "clip_skip": 1,
            "is_using_inpainting_conditioning": False,
            "version": "v1.10.1-fake",
        }
        if body.get("scheduler"):
            info["scheduler"] = body["scheduler"]
        parameters = {key: value for key, value in body.items() if key not in ("init_images", "mask")}
        return {"images": images, "parameters": parameters, "info": json.dumps(info)}

    # -- the HTTP API -----------------------------------------------------------------------------------

    @property
    def app(self) -> Litestar:
        fake = self

        def api_off() -> Response | None:
            return None if fake.api_enabled else Response({"detail": "Not Found"}, status_code=404)

        @get("/")
        async def page() -> Response:
            return Response(PAGE, media_type="text/html")

        @get("/sdapi/v1/sd-models")
        async def sd_models() -> Response:
            return api_off() or Response(
                [
                    {"title": title, "model_name": name, "hash": title[-11:-1], "filename": f"/models/{name}"}
                    for title, name in fake.checkpoints.items()
                ]
            )

        @post("/sdapi/v1/refresh-checkpoints", status_code=200)
        async def refresh_checkpoints() -> Response:
            if (off := api_off()) is not None:
                return off
            fake.checkpoints.update(fake.new_files)
            fake.new_files.clear()
            return Response(None, status_code=200)

        @get("/sdapi/v1/samplers")
        async def samplers() -> Response:
            return api_off() or Response([{"name": name, "aliases": [], "options": {}} for name in fake.samplers])

        @get("/sdapi/v1/schedulers")
        async def schedulers() -> Response:
            return api_off() or Response([{"name": n, "label": label} for n, label in fake.schedulers.items()])

        @get("/sdapi/v1/upscalers")
        async def upscalers() -> Response:
            return api_off() or Response([{"name": name, "scale": 4} for name in fake.upscalers])

        @get("/sdapi/v1/options")
        async def options() -> Response:
            return api_off() or Response({"sd_model_checkpoint": fake.loaded})

        @post("/sdapi/v1/txt2img", status_code=200)
        async def txt2img(request: Request) -> Response:
            return api_off() or await fake._submit("txt2img", await request.body())

        @post("/sdapi/v1/img2img", status_code=200)
        async def img2img(request: Request) -> Response:
            return api_off() or await fake._submit("img2img", await request.body())

        @get("/sdapi/v1/progress")
        async def progress(skip_current_image: bool = False) -> Response:
            return api_off() or Response(fake._progress(skip_current_image))

        @post("/sdapi/v1/interrupt", status_code=200)
        async def interrupt() -> Response:
            if (off := api_off()) is not None:
                return off
            job = fake.current
            fake.interrupts.append(job.task_id if job else None)
            if job is not None:
                job.interrupted = True
                fake._interrupted_flag = True
            return Response(None, status_code=200)

        @post("/internal/progress", status_code=200)
        async def internal_progress(request: Request) -> Response:
            if not fake.task_routes:
                return Response({"detail": "Not Found"}, status_code=404)
            task_id = str(json.loads(await request.body() or b"{}").get("id_task") or "")
            return Response(fake._task_progress(task_id))

        return Litestar(
            [
                page,
                sd_models,
                refresh_checkpoints,
                samplers,
                schedulers,
                upscalers,
                options,
                txt2img,
                img2img,
                progress,
                interrupt,
                internal_progress,
            ],
            debug=False,
        )

    async def _submit(self, mode: str, raw: bytes) -> Response:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return Response(
                {"detail": [{"loc": ["body"], "msg": "invalid JSON", "type": "value_error"}]}, status_code=422
            )
        problems = [
            {"loc": ["body", name], "msg": "value is not a valid integer", "type": "type_error.integer"}
            for name in ("steps", "width", "height", "batch_size")
            if name in body and not isinstance(body[name], int)
        ]
        if problems:
            return Response({"detail": problems}, status_code=422)
        if body.get("sampler_name") and body["sampler_name"] not in self.samplers:
            return Response({"detail": "Sampler not found"}, status_code=404)
        if mode == "img2img":
            try:
                for encoded in [*(body.get("init_images") or []), *([body["mask"]] if body.get("mask") else [])]:
                    Image.open(io.BytesIO(base64.b64decode(encoded.split(",", 1)[-1]))).verify()
            except Exception as exc:  # noqa: BLE001 - the WebUI's answer to a bad image is a 500
                return Response(
                    {"error": type(exc).__name__, "detail": "", "body": "", "errors": str(exc)}, status_code=500
                )
            if not body.get("init_images"):
                return Response(
                    {"error": "IndexError", "detail": "", "body": "", "errors": "list index out of range"},
                    status_code=500,
                )
        self.requests.append({"mode": mode, **body})
        if self.failure is not None:
            kind, message = self.failure
            self.failure = None
            return Response({"error": kind, "detail": "", "body": "", "errors": message}, status_code=500)
        steps = int(body.get("steps") or 20)
        if body.get("enable_hr"):
            steps += int(body.get("hr_second_pass_steps") or steps)
        if mode == "img2img":
            steps = max(1, int(steps * float(body.get("denoising_strength", 0.75))))
        task_id = str(body.get("force_task_id") or f"task({random.getrandbits(40):x})")
        received = self.clock.now()
        answer = await self._run(_Job(task_id, mode, body, steps))
        response = Response(answer)
        self.timings.append((received, self.clock.now()))
        return response

    def _progress(self, skip_image: bool) -> dict[str, Any]:
        job = self.current
        fraction = job.step / job.steps if job and job.steps else 0.0
        image = None
        if job is not None and self.previews and not skip_image and job.step > 0:
            image = _png(64, 64, 7, fraction)
        return {
            "progress": round(fraction, 4),
            "eta_relative": (job.steps - job.step) * self.step_seconds if job else 0.0,
            "state": {
                "skipped": False,
                "interrupted": self._interrupted_flag,
                "job": job.mode if job else "",
                "job_count": 1 if job else 0,
                "job_timestamp": self._job_timestamp,
                "job_no": 0,
                "sampling_step": job.step if job else 0,
                "sampling_steps": job.steps if job else 0,
            },
            "current_image": image,
            "textinfo": None,
        }

    def _task_progress(self, task_id: str) -> dict[str, Any]:
        active = self.current is not None and self.current.task_id == task_id
        queued = task_id in self.pending
        completed = task_id in self.finished
        if not active:
            text = "Waiting..."
            if queued:
                order = sorted(self.pending, key=lambda key: self.pending[key])
                text = f"In queue: {order.index(task_id) + 1}/{len(order)}"
            return {
                "active": False,
                "queued": queued,
                "completed": completed,
                "progress": None,
                "eta": None,
                "live_preview": None,
                "id_live_preview": -1,
                "textinfo": text,
            }
        job = self.current
        assert job is not None
        return {
            "active": True,
            "queued": False,
            "completed": False,
            "progress": job.step / max(job.steps, 1),
            "eta": None,
            "live_preview": None,
            "id_live_preview": -1,
            "textinfo": None,
        }


def _png(width: int, height: int, seed: int, fraction: float) -> str:
    """A real PNG (base64): a colour from the seed, lighter as the steps advance."""
    rng = random.Random(seed)
    shade = int(80 + 150 * max(0.0, min(fraction, 1.0)))
    colour = (rng.randint(0, 255), rng.randint(0, 255), shade)
    buffer = io.BytesIO()
    Image.new("RGB", (max(width, 1), max(height, 1)), colour).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
