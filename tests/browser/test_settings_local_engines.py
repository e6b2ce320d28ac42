"""Settings › Local engines in the browser: ComfyUI (not running here), the Stable Diffusion WebUI and a
language model server (the fake OpenAI-compatible one, found as Ollama) in one section, each with its
status; "Jobs at once" changed and kept; "Test connection" answered in the row.

The fakes run in threads of their own beside the app's process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import Installation, started_installation
from tests.browser.test_prompt_assistant import FakeInThread, wait_offered
from tests.browser.test_sd_webui import webui_in_a_thread
from tests.fakes.harness import free_port
from tests.fakes.openai_compatible import FakeOpenAICompatible

SETTINGS = "[data-testid=settings][data-state=ready]"
COMFYUI = ".engine-row[data-engine=comfyui]"
WEBUI = ".engine-row[data-engine=sdwebui]"
OLLAMA = ".engine-row[data-engine='openai-compatible/ollama']"
ENGINES = "{ localEngines { id jobsAtOnce jobsAtOnceSource } }"


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    with (
        FakeInThread(FakeOpenAICompatible(models=["llama3.2:3b", "qwen2.5:7b"])) as ollama,
        webui_in_a_thread() as (_webui, webui_server),
        started_installation(
            tmp_path_factory.mktemp("engines-app"),
            BOARDS_OLLAMA_URL=f"http://127.0.0.1:{ollama.port}/v1",
            BOARDS_SD_WEBUI_URL=webui_server.url,
            BOARDS_COMFYUI_URL=f"http://127.0.0.1:{free_port()}",
        ) as started,
    ):
        yield started


def open_settings(page) -> None:
    page.goto(page.url.split("#")[0] + "#/settings")
    page.locator(SETTINGS).wait_for()


def test_one_section_lists_every_engine_with_its_status_jobs_at_once_and_a_test(page, api) -> None:
    wait_offered(api, "chat/ollama/llama3.2:3b")
    open_settings(page)
    assert page.locator("[data-testid=section-llm-servers]").count() == 0  # no separate section any more
    section = page.locator("[data-testid=section-engine]")
    assert section.locator("h2").inner_text() == "Local engines"
    comfyui, webui, ollama = section.locator(COMFYUI), section.locator(WEBUI), section.locator(OLLAMA)
    ollama.locator("[data-testid=endpoint-status]", has_text="Answers · 2 models").wait_for()
    assert "Ollama" in ollama.inner_text() and "found on its own" in ollama.inner_text()

    # ComfyUI is not running here: its test says so in words, and its status follows.
    comfyui.locator("[data-testid=engine-test]").click()
    result = comfyui.locator("[data-testid=engine-test-result][data-state=failed]")
    result.wait_for()
    assert result.inner_text().startswith("ComfyUI does not answer at http://127.0.0.1:")
    assert comfyui.locator("[data-testid=engine-state]").inner_text() == "Not running"

    # The WebUI answers, and stays at one job at a time, saying why.
    webui.locator("[data-testid=engine-test]").click()
    webui.locator("[data-testid=engine-test-result][data-state=ok]").wait_for()
    assert webui.locator("[data-testid=engine-state]").inner_text() == "Answers"
    jobs = webui.locator("[data-testid=jobs-at-once]")
    assert jobs.is_disabled() and jobs.input_value() == "1"
    assert (
        webui.locator("[data-testid=jobs-at-once-note]").inner_text().startswith("The WebUI runs one image at a time")
    )

    # Ollama's jobs at once: a bad number is refused beside the field and nothing is saved.
    jobs = ollama.locator("[data-testid=jobs-at-once]")
    jobs.fill("0")
    ollama.locator("[data-testid=jobs-at-once-save]").click()
    error = ollama.locator("[data-testid=jobs-at-once-error]")
    error.wait_for()
    assert error.inner_text() == "Give a whole number from 1 to 16."
    assert jobs.get_attribute("aria-invalid") == "true"
    limits = {e["id"]: e for e in api.gql(ENGINES)["localEngines"]}
    assert limits["openai-compatible/ollama"]["jobsAtOnceSource"] == "default"

    jobs.fill("3")
    assert error.is_hidden()
    jobs.press("Enter")
    page.locator("[data-testid=toasts] .toast", has_text="Ollama: 3 jobs at once").first.wait_for()
    limits = {e["id"]: e for e in api.gql(ENGINES)["localEngines"]}
    assert limits["openai-compatible/ollama"] == {
        "id": "openai-compatible/ollama",
        "jobsAtOnce": 3,
        "jobsAtOnceSource": "settings",
    }

    # ComfyUI's limit is its own.
    comfyui.locator("[data-testid=jobs-at-once]").fill("2")
    comfyui.locator("[data-testid=jobs-at-once-save]").click()
    page.locator("[data-testid=toasts] .toast", has_text="ComfyUI: 2 jobs at once").first.wait_for()

    page.reload()
    page.locator(SETTINGS).wait_for()
    ollama = page.locator(OLLAMA)
    ollama.locator("[data-testid=endpoint-status]", has_text="Answers").wait_for()
    assert ollama.locator("[data-testid=jobs-at-once]").input_value() == "3"
    assert page.locator(f"{COMFYUI} [data-testid=jobs-at-once]").input_value() == "2"
    assert ollama.locator("[data-testid=jobs-at-once-note]").inner_text().startswith("Saved on this page")

    # Test connection on the server: the row says what it answered.
    ollama.locator("[data-testid=engine-test]").click()
    answered = ollama.locator("[data-testid=engine-test-result][data-state=ok]")
    answered.wait_for()
    text = answered.inner_text()
    assert text.startswith("Ollama answers at http://127.0.0.1:") and text.endswith("/v1. It lists 2 models."), text
