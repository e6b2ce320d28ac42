"""The prompt assistant end to end: a local language model server (the fake OpenAI-compatible one,
found as Ollama), "Improve prompt" streaming its proposal into the composer and onto the board,
the proposal edited and used, and the image made from it tracing back to the words.

The fake runs in a thread of its own (its own event loop) beside the app's process; it holds its
tokens until the test lets them out, so each step is seen without timing.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any, Self

import pytest

from tests.browser.conftest import Installation, started_installation
from tests.browser.test_composer import choose, field, open_board, submitted_id, wait_completed
from tests.fakes.harness import free_port, serve_fake
from tests.fakes.openai_compatible import FakeOpenAICompatible
from tests.plugins.generators import png_bytes

REPLY = "A red kite over a stormy harbour at golden hour"


class FakeInThread:
    """A fake server served by a thread's event loop; `call` runs a function in that loop."""

    def __init__(self, fake: FakeOpenAICompatible) -> None:
        self.fake = fake
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with serve_fake(self.fake, port=self.port) as server:
            self.fake.bind(server)
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> Self:
        self._thread.start()
        assert self._ready.wait(10), "the fake server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def call(self, fn: Any, *args: Any) -> None:
        async def run() -> None:
            fn(*args)

        asyncio.run_coroutine_threadsafe(run(), self.loop).result(5)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeInThread]:
    fake = FakeOpenAICompatible(models=["llama3.2:3b", "llava:7b", "sd-1.5"], images=True, reply=REPLY)
    with FakeInThread(fake) as running:
        yield running


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory, server: FakeInThread) -> Iterator[Installation]:
    url = f"http://127.0.0.1:{server.port}/v1"
    with started_installation(tmp_path_factory.mktemp("assistant-app"), BOARDS_OLLAMA_URL=url) as started:
        yield started


def wait_offered(api, name: str) -> None:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        listed = {g["name"]: g for g in api.gql("{ generators { name available } }")["generators"]}
        if listed.get(name, {}).get("available"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{name} was not offered")


def test_improve_prompt_streams_a_proposal_that_becomes_the_prompt_and_the_image_traces_back_to_it(
    page, api, installation, server
) -> None:
    wait_offered(api, "chat/ollama/llama3.2:3b")
    wait_offered(api, "images/ollama")
    board = api.create_board("Prompt assistant")
    open_board(page, installation, board)
    choose(page, "images/ollama")
    assistant = page.locator("[data-testid=assistant]")
    writer = assistant.locator("[data-testid=assistant-writer]")
    writer.select_option("chat/ollama/llama3.2:3b")
    # An empty prompt: nothing is asked, the artist is told why.
    assistant.locator("[data-testid=assistant-improve]").click()
    page.locator("[data-testid=toasts] .toast", has_text="Write a prompt first").wait_for()

    field(page, "prompt").locator("textarea, input").first.fill("kite, harbour")
    server.call(server.fake.hold_tokens)
    assistant.locator("[data-testid=assistant-improve]").click()
    proposal = assistant.locator("[data-testid=assistant-proposal][data-state=writing]")
    proposal.wait_for()
    # The words appear as they stream: in the composer and on the text's tile on the board.
    server.call(server.fake.release_tokens, 4)
    page.wait_for_function("() => document.querySelector('[data-testid=assistant-text]').value === 'A red kite over'")
    tile = page.locator(".tile[data-artifact-type=text][data-streaming=true] .tile-excerpt")
    tile.filter(has_text="A red kite over").wait_for()
    server.call(server.fake.release_tokens)
    ready = assistant.locator("[data-testid=assistant-proposal][data-state=ready]")
    ready.wait_for()
    text_id = ready.get_attribute("data-generation-id")
    assert assistant.locator("[data-testid=assistant-text]").input_value() == REPLY
    (stream,) = server.fake.streams
    assert stream.messages[-1] == {"role": "user", "content": "kite, harbour"}
    assert stream.messages[0]["role"] == "system"  # the assistant's instructions

    # Edited, then used: it is the prompt now, and the image made from it traces back to the text.
    assistant.locator("[data-testid=assistant-text]").fill(f"{REPLY}, oil painting")
    assistant.locator("[data-testid=assistant-accept]").click()
    assert assistant.locator("[data-testid=assistant-proposal]").is_hidden()
    assert field(page, "prompt").locator("textarea, input").first.input_value() == f"{REPLY}, oil painting"
    page.locator("[data-testid=composer-submit]").click()
    image_id = submitted_id(page)
    done = wait_completed(api, image_id)
    assert done["status"] == "COMPLETED"
    assert done["inputParams"]["prompt"] == f"{REPLY}, oil painting"
    assert done["inputArtifacts"] == [{"generationId": text_id, "role": "prompt"}]
    words = api.generation(text_id)
    assert words["status"] == "COMPLETED" and words["boardId"] == board
    assert api.http.get(words["storageUrl"]).text == REPLY


def test_servers_are_listed_added_with_a_key_shown_only_by_its_last_four_and_removed(page, api, installation) -> None:
    wait_offered(api, "chat/ollama/llama3.2:3b")
    secret = "lm-studio-key-0123456789wxyz"
    with FakeInThread(FakeOpenAICompatible(models=["qwen2.5-7b-instruct"], api_key=secret)) as studio:
        page.goto(f"{installation.url}/#/settings")
        section = page.locator("[data-testid=section-engine]")
        ollama = section.locator("[data-testid=endpoint][data-name=Ollama]")
        ollama.locator("[data-testid=endpoint-status]", has_text="Answers · 3 models · makes images").wait_for()
        assert "found on its own" in ollama.inner_text()

        # A bad address is refused beside the form, and nothing is added.
        section.locator("[data-testid=endpoint-name]").fill("LM Studio")
        section.locator("[data-testid=endpoint-url]").fill("localhost:1234")
        section.locator("[data-testid=endpoint-save]").click()
        error = section.locator("[data-testid=endpoint-error]")
        error.wait_for()
        assert "is not an http(s) address" in error.inner_text()
        assert section.locator("[data-testid=endpoint]").count() == 1

        section.locator("[data-testid=endpoint-url]").fill(f"http://127.0.0.1:{studio.port}/v1")
        section.locator("[data-testid=endpoint-key]").fill(secret)
        section.locator("[data-testid=endpoint-save]").click()
        added = section.locator("[data-testid=endpoint][data-name='LM Studio'][data-ok=true]")
        added.wait_for()
        assert "Answers · 1 model" in added.inner_text() and "••••wxyz" in added.inner_text()
        assert secret not in page.content()
        wait_offered(api, "chat/lm-studio/qwen2.5-7b-instruct")

        added.locator("[data-testid=endpoint-remove]").click()
        page.locator("[data-testid=confirm-dialog] button", has_text="Remove").click()
        added.wait_for(state="detached")
        names = {g["name"] for g in api.gql("{ generators { name } }")["generators"]}
        assert "chat/lm-studio/qwen2.5-7b-instruct" not in names


def test_describe_this_image_with_a_vision_model_from_the_assistants_own_slot(page, api, installation, server) -> None:
    wait_offered(api, "chat/ollama/llava:7b")
    server.call(setattr, server.fake, "reply", None)  # the fake answers with what it was sent
    server.call(setattr, server.fake, "_held", None)  # tokens flow freely (an earlier test held them)
    board = api.create_board("Describe an image")
    open_board(page, installation, board)
    choose(page, "images/ollama")
    assistant = page.locator("[data-testid=assistant]")
    assistant.locator("[data-testid=assistant-writer]").select_option("chat/ollama/llama3.2:3b")
    assert assistant.locator("[data-testid=assistant-describe]").is_hidden()  # that model cannot see
    assistant.locator("[data-testid=assistant-writer]").select_option("chat/ollama/llava:7b")
    slot = assistant.locator(".field[data-field=assistant_image]")
    slot.wait_for()
    slot.locator("input[type=file]").set_input_files(
        files=[{"name": "harbour.png", "mimeType": "image/png", "buffer": png_bytes("#3366cc", 48)}]
    )
    describe = assistant.locator("[data-testid=assistant-describe]:not([disabled])")
    describe.click()
    ready = assistant.locator("[data-testid=assistant-proposal][data-state=ready]")
    ready.wait_for()
    proposal = assistant.locator("[data-testid=assistant-text]").input_value()
    assert proposal.startswith("I see 1 image(s). Describe this image as a prompt")
    words = api.generation(ready.get_attribute("data-generation-id"))
    assert [a["role"] for a in words["inputArtifacts"]] == ["image"]  # the text traces back to the image
    assistant.locator("[data-testid=assistant-accept]").click()
    assert field(page, "prompt").locator("textarea, input").first.input_value() == proposal
