"""A local engine's reachability: answered from a cache at once, checked in the background and on demand.

The engine here is a test provider on the public pieces (`EngineStatus`, `BaseProvider`), served by
the harness on a port chosen in advance, so it can be down, come up, and go down again.
"""

from __future__ import annotations

from litestar import Litestar, get
from pydantic import BaseModel

from boards_desktop.generators import GeneratorResult
from boards_desktop.generators.providers.remote import RemoteGenerator
from boards_desktop.providers import PROVIDERS, BaseProvider
from boards_desktop.providers.calls import Retry
from boards_desktop.providers.engine import EngineStatus
from tests.app_harness import running_app
from tests.fakes.harness import free_port, serve_fake
from tests.jobs.support import new_board, queue, try_queue, wait_for, wait_until
from tests.providers.support import png


@get("/health")
async def health() -> dict:
    return {"ok": True}


@get("/image")
async def image() -> bytes:
    return png(8, 8)


ENGINE = Litestar([health, image], debug=False)


class ProbeEngine(BaseProvider):
    name = "probe"
    label = "Probe"
    needs_key = False

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.status = EngineStatus(self._check, label=self.label, check_timeout=2.0, down_every=0.2)

    async def _check(self) -> str | None:
        try:
            await self.request("GET", "/health", attempts=1, timeout=1.0)
        except Exception:  # noqa: BLE001
            return f"Probe does not answer at {self.base_url}: start it"
        return None

    def availability(self) -> str | None:
        return self.status.reason()

    async def refresh_availability(self) -> None:
        await self.status.refresh()

    async def start(self) -> None:
        self.status.start()

    async def stop(self) -> None:
        await self.status.stop()

    def generators(self) -> list:
        return [ProbeImage(self)]


class ProbeInput(BaseModel):
    prompt: str = "x"


class ProbeImage(RemoteGenerator):
    name = "probe-image"
    provider = "probe"
    artifact_type = "image"

    def get_input_schema(self) -> type[BaseModel]:
        return ProbeInput

    async def generate(self, inputs, context):
        response = await self.service.request("GET", "/image", retry=Retry.SAFE)
        return GeneratorResult(outputs=[await context.store_image_result(response.content, "png")])


async def test_an_engine_is_unavailable_while_down_and_found_when_it_comes_up(database_url, tmp_path):
    port = free_port()
    async with running_app(
        database_url,
        tmp_path / "data",
        providers={**PROVIDERS, "probe": ProbeEngine},
        BOARDS_PROBE_BASE_URL=f"http://127.0.0.1:{port}",
    ) as client:
        engine = client.services.providers["probe"]

        async def listed() -> dict:
            generators = (await client.data("{ generators { name available unavailableReason } }"))["generators"]
            return next(g for g in generators if g["name"] == "probe-image")

        await wait_until(lambda: _true(engine.status.checked))
        assert (await listed())["unavailableReason"] == f"Probe does not answer at http://127.0.0.1:{port}: start it"
        board = await new_board(client)
        refused = await try_queue(client, board, "probe-image")
        assert "probe-image cannot run: Probe does not answer" in refused["errors"][0]["message"]

        async with serve_fake(ENGINE, port=port):
            # Queuing checks a down engine again before refusing: no wait for the background loop.
            created = await queue(client, board, "probe-image")
            assert (await wait_for(client, created["id"]))["status"] == "COMPLETED"
            assert (await listed())["available"] is True

        await engine.status.refresh()
        assert (await listed())["available"] is False


async def _true(value: bool) -> bool:
    return value
