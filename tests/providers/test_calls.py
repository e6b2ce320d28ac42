"""The request helper against a real server on 127.0.0.1: what is retried, what never is, what an artist reads.

And the harness itself: its faults, files that expire by the fake clock, WebSockets.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from litestar import Litestar, WebSocket, get, post, websocket

from boards_desktop.generators.errors import GeneratorError, TransientError
from boards_desktop.providers.calls import Retry, ServiceError, call
from tests.fakes.harness import FakeClock, Fault, serve_fake


@post("/jobs", status_code=201)
async def create_job() -> dict:
    return {"id": "job-1"}


@get("/jobs/job-1")
async def read_job() -> dict:
    return {"id": "job-1", "status": "done"}


@websocket("/ws")
async def echo(socket: WebSocket) -> None:
    await socket.accept()
    while True:
        await socket.send_text(f"echo {await socket.receive_text()}")


SERVICE = Litestar([create_job, read_job, echo], debug=False)


@pytest.fixture
async def service():
    async with serve_fake(SERVICE) as server, httpx.AsyncClient(base_url=server.url) as http:
        yield server, http


async def _call(http, method, path, *, pauses: list | None = None, **options):
    async def heard(what: str, pause: float) -> None:
        if pauses is not None:
            pauses.append((what, pause))

    return await call(
        http, method, f"{http.base_url}{path}", label="Acme", on_retry=heard, backoff_base=0.01, **options
    )


async def test_retry_after_is_honoured_and_said(service):
    server, http = service
    server.faults.add("GET", "/jobs/*", Fault.status(429, {"error": {"message": "too fast"}}, {"Retry-After": "1"}))
    pauses: list = []
    response = await _call(http, "GET", "/jobs/job-1", pauses=pauses)
    assert response.json()["status"] == "done"
    assert pauses == [("Acme asked to slow down (429): too fast", 1.0)]


async def test_reads_are_retried_through_drops_cuts_and_5xx(service):
    server, http = service
    for fault in (Fault.drop(), Fault.cut(), Fault.status(502), Fault.status(500)):
        server.faults.add("GET", "/jobs/job-1", fault)
    pauses: list = []
    response = await _call(http, "GET", "/jobs/job-1", pauses=pauses, attempts=5)
    assert response.status_code == 200
    assert [what for what, _ in pauses] == [
        "the connection to Acme dropped",
        "the connection to Acme dropped",
        "Acme had an error (502)",
        "Acme had an error (500)",
    ]


async def test_a_failure_that_outlasts_the_attempts_is_transient_for_the_job_runner(service):
    server, http = service
    server.faults.add("GET", "/jobs/job-1", Fault.status(503, headers={"Retry-After": "0"}), times=None)
    with pytest.raises(TransientError) as raised:
        await _call(http, "GET", "/jobs/job-1", attempts=2)
    assert str(raised.value) == "Acme had an error (503)" and raised.value.retry_after == 0
    assert len(server.requests) == 2


async def test_a_job_submission_is_sent_again_only_when_the_service_surely_did_not_take_it(service):
    server, http = service
    server.faults.add("POST", "/jobs", Fault.status(429, headers={"Retry-After": "0"}))
    server.faults.add("POST", "/jobs", Fault.status(503))
    assert (await _call(http, "POST", "/jobs", retry=Retry.SUBMIT, json={})).status_code == 201
    assert len(server.requests_to("POST", "/jobs")) == 3

    for fault, words in (
        (Fault.status(500), "Acme had an error (500) while taking the job; it may be running (and charged) anyway"),
        (Fault.status(504), "Acme had an error (504) while taking the job"),
        (Fault.drop(), "Acme dropped the connection after the job was sent; it may be running (and charged) anyway"),
    ):
        server.requests.clear()
        server.faults.add("POST", "/jobs", fault)
        with pytest.raises(GeneratorError) as raised:
            await _call(http, "POST", "/jobs", retry=Retry.SUBMIT, json={})
        assert str(raised.value).startswith(words)
        assert len(server.requests) == 1  # never a second submission


async def test_a_synchronous_paid_call_is_sent_again_after_an_error_answer_not_after_a_lost_one(service):
    server, http = service
    server.faults.add("POST", "/jobs", Fault.status(500))
    assert (await _call(http, "POST", "/jobs", retry=Retry.SUBMIT_SYNC, json={})).status_code == 201
    server.faults.add("POST", "/jobs", Fault.slow(2.0))
    with pytest.raises(GeneratorError) as raised:
        await _call(http, "POST", "/jobs", retry=Retry.SUBMIT_SYNC, json={}, timeout=httpx.Timeout(0.3, connect=5))
    assert str(raised.value).startswith("Acme took too long to answer after the request was sent")


async def test_nothing_listening_is_retried_then_transient_even_for_a_submission():
    async with serve_fake(SERVICE) as server:
        url = server.url
    async with httpx.AsyncClient() as http:
        pauses: list = []

        async def heard(what: str, pause: float) -> None:
            pauses.append(what)

        with pytest.raises(TransientError) as raised:
            await call(http, "POST", f"{url}/jobs", label="Acme", retry=Retry.SUBMIT, on_retry=heard, backoff_base=0.01)
    assert str(raised.value) == "could not connect to Acme" and pauses == ["could not connect to Acme"] * 2


async def test_refusals_read_as_instructions(service):
    server, http = service

    def reader(response: httpx.Response) -> ServiceError:
        body = response.json()
        return ServiceError(body.get("detail"), body.get("field"), permanent=body.get("quota", False))

    cases = [
        (401, {}, "Acme rejected the key: set it in Settings"),
        (402, {"detail": "no credit"}, "Acme wants payment before it runs this: no credit; check your Acme billing"),
        (403, {"detail": "not allowed"}, "Acme refused access: not allowed"),
        (404, {"detail": "no such model"}, "Acme does not know what was asked for (404): no such model"),
        (
            422,
            {"detail": "must be a multiple of 8", "field": "width"},
            "Acme refused the input: width: must be a multiple of 8",
        ),
        (
            429,
            {"detail": "quota exhausted", "quota": True},
            "Acme refused the request (429): quota exhausted; check your Acme plan and billing",
        ),
    ]
    for status, body, message in cases:
        server.faults.add("POST", "/jobs", Fault.status(status, body))
        with pytest.raises(GeneratorError) as raised:
            await _call(http, "POST", "/jobs", retry=Retry.SUBMIT, json={}, read_error=reader)
        assert str(raised.value) == message
    assert len(server.requests) == len(cases)


async def test_an_address_that_cannot_work_is_said_at_once():
    async with httpx.AsyncClient() as http:
        with pytest.raises(GeneratorError) as raised:
            await call(http, "GET", "/no-scheme/jobs", label="Acme")
    assert str(raised.value) == "the address of Acme (/no-scheme/jobs) is not usable; check its setting"


async def test_accepted_statuses_are_the_callers_to_read(service):
    server, http = service
    server.faults.add("GET", "/jobs/job-2", Fault.status(404, {"detail": "gone"}))
    response = await _call(http, "GET", "/jobs/job-2", accept={404})
    assert response.status_code == 404


async def test_the_harness_records_requests_holds_them_and_expires_files_by_its_clock():
    clock = FakeClock()
    async with serve_fake(SERVICE, clock=clock) as server, httpx.AsyncClient() as http:
        held = server.faults.add("POST", "/jobs", Fault.hold())
        pending = asyncio.create_task(http.post(f"{server.url}/jobs", json={"a": 1}, headers={"X-Test": "yes"}))
        while held.hits == 0:
            await asyncio.sleep(0.01)
        assert not pending.done()
        held.release()
        assert (await pending).status_code == 201
        recorded = server.requests_to("POST", "/jobs")[0]
        assert recorded.body == b'{"a":1}' and recorded.headers["x-test"] == "yes" and recorded.at == clock.now()

        url = server.files.add(b"\x89PNG...", "image/png", name="out.png", ttl=60)
        assert (await http.get(url)).content == b"\x89PNG..."
        clock.advance(61)
        assert (await http.get(url)).status_code == 404


async def test_the_harness_serves_websockets_and_drops_them():
    async with serve_fake(SERVICE) as server:
        import websockets

        address = server.url.replace("http://", "ws://") + "/ws"
        async with websockets.connect(address) as socket:
            await socket.send("hello")
            assert await socket.recv() == "echo hello"
        server.faults.add("WEBSOCKET", "/ws", Fault.drop())
        with pytest.raises((websockets.exceptions.InvalidHandshake, websockets.exceptions.ConnectionClosed, OSError)):
            async with websockets.connect(address, open_timeout=5) as socket:
                await socket.recv()
