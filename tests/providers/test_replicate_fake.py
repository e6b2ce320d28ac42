"""The Replicate fake keeps the protocol it claims: spoken to directly over HTTP, as Replicate would be."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from tests.fakes.harness import serve_fake
from tests.fakes.replicate import FakeReplicate

FIELDS = {"id", "model", "version", "input", "logs", "output", "error", "status", "created_at", "started_at",
          "completed_at", "data_removed", "metrics", "urls", "source"}  # fmt: skip
FLUX = "/models/black-forest-labs/flux-schnell/predictions"


@asynccontextmanager
async def _api(**options) -> AsyncIterator[tuple[FakeReplicate, httpx.AsyncClient]]:
    fake = FakeReplicate(**options)
    async with serve_fake(fake.app, clock=fake.clock) as server:
        headers = {"Authorization": f"Bearer {fake.token}"}
        async with httpx.AsyncClient(base_url=f"{server.url}/v1", headers=headers, timeout=10) as api:
            yield fake, api


async def test_a_prediction_is_created_with_every_field_and_runs_on_the_clock():
    async with _api() as (fake, api):
        answer = await api.post(FLUX, json={"input": {"prompt": "a fox", "num_outputs": 2}})
        assert answer.status_code == 201
        prediction = answer.json()
        assert set(prediction) == FIELDS and prediction["status"] == "starting" and prediction["started_at"] is None
        assert prediction["urls"]["get"].endswith(f"/v1/predictions/{prediction['id']}")
        assert prediction["urls"]["cancel"].endswith(f"/v1/predictions/{prediction['id']}/cancel")
        assert prediction["input"] == {"prompt": "a fox", "num_outputs": 2}  # as sent, not with defaults
        fake.clock.advance(6)
        running = (await api.get(f"/predictions/{prediction['id']}")).json()
        assert running["status"] == "processing" and running["output"] is None
        assert running["logs"].splitlines()[-1].startswith(" 50%|█████     | 2/4")
        fake.clock.advance(10)
        done = (await api.get(f"/predictions/{prediction['id']}")).json()
        assert done["status"] == "succeeded" and done["metrics"] == {"predict_time": 8.0} and done["completed_at"]
        assert len(done["output"]) == 2
        first = await api.get(done["output"][0])
        assert first.status_code == 200 and first.headers["content-type"] == "image/webp"
        assert (await httpx.AsyncClient().get(done["output"][0])).status_code == 401  # wants the token
        fake.clock.advance(3600)  # an hour after it ended: input, logs and output are gone
        removed = (await api.get(f"/predictions/{prediction['id']}")).json()
        assert removed["data_removed"] is True and removed["output"] is None and removed["input"] == {}
        assert (await api.get(done["output"][0])).status_code == 404


async def test_prefer_wait_holds_the_answer_until_the_prediction_ends_or_the_wait_is_over():
    async with _api() as (fake, api):
        held = asyncio.create_task(api.post(FLUX, json={"input": {"prompt": "a"}}, headers={"Prefer": "wait"}))
        while not fake.created:
            await asyncio.sleep(0.01)
        fake.clock.advance(4)
        await asyncio.sleep(0.05)
        assert not held.done()  # still running, still held
        fake.clock.advance(8)
        answer = await held
        assert answer.status_code == 201 and answer.json()["status"] == "succeeded" and answer.json()["output"]

        held = asyncio.create_task(api.post(FLUX, json={"input": {"prompt": "b"}}, headers={"Prefer": "wait=3"}))
        while len(fake.created) < 2:
            await asyncio.sleep(0.01)
        fake.clock.advance(3)  # the wait is over before the model is: the prediction as it stands
        answer = await held
        assert answer.json()["status"] == "processing"


async def test_cancel_stops_a_running_prediction_and_leaves_a_finished_one_alone():
    async with _api() as (fake, api):
        running = (await api.post(FLUX, json={"input": {"prompt": "a"}})).json()
        finished = (await api.post(FLUX, json={"input": {"prompt": "b"}})).json()
        fake.clock.advance(12)
        later = (await api.post(FLUX, json={"input": {"prompt": "c"}})).json()
        fake.clock.advance(4)
        cancelled = (await api.post(f"/predictions/{later['id']}/cancel")).json()
        assert cancelled["status"] == "canceled" and cancelled["completed_at"] and cancelled["output"] is None
        fake.clock.advance(20)
        assert (await api.get(f"/predictions/{later['id']}")).json()["status"] == "canceled"
        unchanged = (await api.post(f"/predictions/{finished['id']}/cancel")).json()
        assert unchanged["status"] == "succeeded" and unchanged["output"]
        assert fake.cancels == [later["id"], finished["id"]] and running["id"] not in fake.cancels
        assert (await api.post("/predictions/nothing/cancel")).status_code == 404


async def test_refusals_are_problem_details():
    async with _api() as (fake, api):
        refused = await api.post(FLUX, json={"input": {"num_outputs": 9}})
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
        body = refused.json()
        assert body["title"] == "Input validation failed"
        assert body["invalid_fields"] == [
            {"type": "required", "field": "input", "description": "prompt is required"},
            {"type": "number_lte", "field": "input.num_outputs", "description": "Must be less than or equal to 4"},
        ]
        assert body["detail"] == "- input: prompt is required\n- input.num_outputs: Must be less than or equal to 4\n"
        wrong = await api.get("/models/pixelsmith/restyle", headers={"Authorization": "Bearer r8_wrong"})
        assert wrong.status_code == 401 and wrong.json()["title"] == "Unauthenticated"
        community = await api.post("/models/pixelsmith/restyle/predictions", json={"input": {}})
        assert community.status_code == 404  # only official models run without a version
        unknown = await api.post("/predictions", json={"version": "0" * 64, "input": {}})
        assert unknown.status_code == 422 and unknown.json()["title"] == "Invalid version or not permitted"
        assert fake.created == []


async def test_a_model_document_carries_its_openapi_schema_and_uploads_can_be_inputs():
    async with _api() as (fake, api):
        document = (await api.get("/models/pixelsmith/restyle")).json()
        schemas = document["latest_version"]["openapi_schema"]["components"]["schemas"]
        assert schemas["Input"]["properties"]["image"]["format"] == "uri" and schemas["Output"]["type"] == "array"
        assert (await api.get("/models/nobody/nothing")).status_code == 404
        upload = await api.post("/files", files={"content": ("in.png", _png(), "image/png")})
        assert upload.status_code == 201 and upload.json()["size"] == len(_png())
        url = upload.json()["urls"]["get"]
        assert (await api.get(url)).json()["id"] == upload.json()["id"]
        version = document["latest_version"]["id"]
        made = (await api.post("/predictions", json={"version": version, "input": {"image": url}})).json()
        broken = (await api.post("/predictions", json={"version": version, "input": {"image": "data:,@@"}})).json()
        garbage = (await api.post("/predictions", json={"version": version, "input": {"image": "data:,AAAA"}})).json()
        fake.clock.advance(12)
        assert (await api.get(f"/predictions/{made['id']}")).json()["status"] == "succeeded"
        failed = (await api.get(f"/predictions/{broken['id']}")).json()
        assert failed["status"] == "failed" and failed["error"].startswith("Failed to download image")
        failed = (await api.get(f"/predictions/{garbage['id']}")).json()  # read, but not an image: the model fails
        assert failed["status"] == "failed" and failed["error"].startswith("UnidentifiedImageError: cannot identify")


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()
