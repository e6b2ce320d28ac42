"""Helpers of the ComfyUI tests: the fake engine on a port, the app pointed at it, workflow files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.app_harness import AppClient, running_app
from tests.fakes.comfyui import FakeComfyUI
from tests.fakes.harness import FakeClock, FakeServer, serve_fake
from tests.jobs.support import generation, sse_events, wait_until

TEXT_TO_IMAGE = "comfyui/text-to-image"
QUICK_CLOSE = {"BOARDS_SHUTDOWN_GRACE": "0.1"}

# An image-to-image workflow as ComfyUI's Export (API) writes it; its mapping goes beside it.
IMAGE_TO_IMAGE = {
    "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5-pruned-emaonly-fp16.safetensors"}},
    "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["1", 1]}},
    "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["1", 1]}},
    "10": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
    "11": {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0], "vae": ["1", 2]}},
    "12": {
        "class_type": "KSampler",
        "inputs": {
            "seed": 5,
            "steps": 12,
            "cfg": 7.0,
            "sampler_name": "euler",
            "scheduler": "normal",
            "denoise": 0.6,
            "model": ["1", 0],
            "positive": ["2", 0],
            "negative": ["3", 0],
            "latent_image": ["11", 0],
        },
    },
    "13": {"class_type": "VAEDecode", "inputs": {"samples": ["12", 0], "vae": ["1", 2]}},
    "14": {"class_type": "SaveImage", "inputs": {"filename_prefix": "img2img", "images": ["13", 0]}},
}
IMAGE_TO_IMAGE_MAPPING = {
    "description": "Your image, changed as you describe.",
    "inputs": {
        "prompt": "2.text",
        "image": "10.image",
        "seed": "12.seed",
        "strength": {
            "to": "12.denoise",
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "How much of the image changes.",
        },
    },
    "outputs": ["14"],
}


@asynccontextmanager
async def comfyui_fake(
    fake: FakeComfyUI | None = None, *, port: int = 0, running: bool = True
) -> AsyncIterator[tuple[FakeComfyUI, FakeServer]]:
    """A fake ComfyUI on 127.0.0.1; its clock runs on its own unless `running=False` (then `clock.advance`)."""
    fake = fake or FakeComfyUI(clock=FakeClock(running=running))
    try:
        async with serve_fake(fake.app, clock=fake.clock, port=port) as server:
            yield fake, server
    finally:
        await fake.close()


@asynccontextmanager
async def app_on_comfyui(database_url: str, data_dir: Path, url: str, **environment: str) -> AsyncIterator[AppClient]:
    async with running_app(database_url, data_dir, BOARDS_COMFYUI_URL=url, **environment) as client:
        yield client


def write_workflow(data_dir: Path, name: str, graph: Any, mapping: Any | None = None) -> Path:
    """`<data dir>/comfyui-workflows/<name>.json`, with `<name>.mapping.json` beside it when given."""
    folder = data_dir / "comfyui-workflows"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(graph if isinstance(graph, str) else json.dumps(graph), encoding="utf-8")
    if mapping is not None:
        (folder / f"{name}.mapping.json").write_text(json.dumps(mapping), encoding="utf-8")
    return path


async def listed(client: AppClient, name: str) -> dict[str, Any] | None:
    generators = (await client.data("{ generators { name available unavailableReason inputSchema } }"))["generators"]
    return next((g for g in generators if g["name"] == name), None)


async def external_id_saved(client: AppClient, generation_id: str) -> bool:
    return bool((await generation(client, generation_id))["externalJobId"])


class ProgressWatch:
    """A job's progress as it happens: its SSE stream (read to the end: what a client saw), and
    meanwhile the app's event channel, which the SSE stream relays (the in-process HTTP transport
    hands a streamed body over only once it ends, so waiting mid-job listens to the channel)."""

    def __init__(self, client: AppClient, generation_id: str, timeout: float = 30.0) -> None:
        self.live: list[str] = []
        self.events: list[dict[str, Any]] = []
        broker = client.services.events
        self._listening = broker.subscriber_count + 2  # this watch's own, and the SSE stream's
        self._broker = broker
        self._subscription = broker.subscribe(generation_id=generation_id)
        self._listener = asyncio.create_task(self._listen())
        self._stream = asyncio.create_task(
            sse_events(client, f"/api/sse/generations/{generation_id}/progress", timeout=timeout)
        )

    @classmethod
    async def start(cls, client: AppClient, generation_id: str, timeout: float = 30.0) -> ProgressWatch:
        """A watch that hears everything from now on (its stream and its listener are subscribed)."""
        watch = cls(client, generation_id, timeout)
        await wait_until(lambda: _true(watch._broker.subscriber_count >= watch._listening))
        return watch

    async def _listen(self) -> None:
        async with self._subscription as events:
            async for event in events:
                self.live.append(event.message or "")
                if event.is_terminal:
                    return

    async def shown(self, text: str, timeout: float = 20.0) -> None:
        """Wait until a message containing `text` has been published."""

        async def seen() -> bool:
            return any(text in message for message in self.live)

        await wait_until(seen, timeout=timeout)

    async def ended(self) -> list[dict[str, Any]]:
        """The SSE stream's events, once it has ended."""
        self.events = await self._stream
        self._listener.cancel()
        await asyncio.gather(self._listener, return_exceptions=True)
        return self.events

    @property
    def messages(self) -> list[str]:
        return [event.get("message") or "" for event in self.events]


async def _true(value: bool) -> bool:
    return value
