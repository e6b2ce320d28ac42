"""Settings: provider keys (only "set" and the last four shown), the ComfyUI address, concurrency,
where the data lives, and the theme.

This module's installation has a fal.ai key in its environment (the others go to its file keyring).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import Installation, started_installation

SETTINGS = "[data-testid=settings][data-state=ready]"
ENVIRONMENT_FAL_KEY = "fal-from-the-environment-k9Q2"


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    with started_installation(tmp_path_factory.mktemp("settings-app"), FAL_KEY=ENVIRONMENT_FAL_KEY) as started:
        yield started


def open_settings(page):
    page.goto(page.url.split("#")[0] + "#/settings")
    page.locator(SETTINGS).wait_for()


def key_row(page, provider: str):
    return page.locator(f"[data-testid=provider-key][data-provider={provider}]")


def wait_for_toast(page, text: str) -> None:
    page.locator("[data-testid=toasts] .toast", has_text=text).first.wait_for()


def page_text(page) -> str:
    """Everything the page holds: its markup, its text and the values of its fields."""
    values = page.evaluate("[...document.querySelectorAll('input, textarea')].map(i => i.value).join('\\n')")
    return page.content() + page.inner_text("body") + values


def test_a_key_is_saved_replaced_and_cleared_showing_only_its_last_four(page) -> None:
    first, second = "sk-proj-first-secret-Zx81wxyz", "sk-proj-second-secret-Qm40p567"
    open_settings(page)
    row = key_row(page, "openai")
    assert row.get_attribute("data-set") == "false"
    assert "Not set" in row.locator("[data-testid=key-status]").inner_text()
    assert row.locator("[data-testid=key-input]").get_attribute("type") == "password"

    row.locator("[data-testid=key-input]").fill(first)
    row.locator("[data-testid=key-save]").click()
    wait_for_toast(page, "OpenAI key saved (••••wxyz)")
    page.locator("[data-testid=provider-key][data-provider=openai][data-set=true]").wait_for()
    status = row.locator("[data-testid=key-status]").inner_text()
    assert "Set" in status and "••••wxyz" in status and "keyring" in status
    assert row.locator("[data-testid=key-input]").input_value() == ""
    assert first not in page_text(page) and first[:-4] not in page_text(page)

    # After a reload it is still set, from the keyring, and still not shown.
    page.reload()
    page.locator(SETTINGS).wait_for()
    row = key_row(page, "openai")
    assert row.get_attribute("data-source") == "KEYRING"
    assert "••••wxyz" in row.locator("[data-testid=key-status]").inner_text()
    assert first not in page_text(page)

    row.locator("[data-testid=key-input]").fill(second)
    assert row.locator("[data-testid=key-save]").inner_text() == "Replace"
    row.locator("[data-testid=key-input]").press("Enter")
    wait_for_toast(page, "OpenAI key replaced (••••p567)")
    page.locator("[data-testid=provider-key][data-provider=openai]", has_text="••••p567").wait_for()
    assert second not in page_text(page) and first not in page_text(page)

    row.locator("[data-testid=key-clear]").click()
    confirm = page.locator("[data-testid=confirm-dialog]")
    assert "OpenAI" in confirm.inner_text() and "p567" in confirm.inner_text()
    confirm.get_by_role("button", name="Clear key").click()
    wait_for_toast(page, "OpenAI key cleared")
    page.locator("[data-testid=provider-key][data-provider=openai][data-set=false]").wait_for()
    assert "Not set" in row.locator("[data-testid=key-status]").inner_text()
    assert row.locator("[data-testid=key-clear]").count() == 0


def test_a_key_from_the_environment_says_so_and_cannot_be_cleared_here(page) -> None:
    open_settings(page)
    row = key_row(page, "fal")
    assert row.get_attribute("data-set") == "true"
    assert row.get_attribute("data-source") == "ENVIRONMENT"
    status = row.locator("[data-testid=key-status]").inner_text()
    assert "••••k9Q2" in status and "environment" in status
    assert row.locator("[data-testid=key-clear]").count() == 0
    note = row.locator("[data-testid=key-note]").inner_text()
    assert "FAL_KEY" in note and "cannot be cleared here" in note
    assert ENVIRONMENT_FAL_KEY not in page_text(page)


def test_a_refused_key_is_explained_beside_its_field(page) -> None:
    open_settings(page)
    row = key_row(page, "replicate")
    row.locator("[data-testid=key-input]").fill("   short with spaces   ")
    row.locator("[data-testid=key-save]").click()
    error = row.locator("[data-testid=key-error]")
    error.wait_for()
    assert error.inner_text() == "The Replicate key has spaces or invisible characters; paste it again, alone"
    assert row.locator("[data-testid=key-input]").get_attribute("aria-invalid") == "true"
    assert row.get_attribute("data-set") == "false"
    row.locator("[data-testid=key-input]").fill("r8_0123456789abcdefghij")  # typing again takes the error away
    assert error.is_hidden()


def test_the_theme_changes_at_once_and_stays_after_a_reload(page) -> None:
    open_settings(page)
    assert page.evaluate("document.documentElement.dataset.theme ?? null") is None
    assert page.locator("[data-testid=theme-system]").is_checked()

    page.locator(".theme-option[data-theme=dark]").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    wait_for_toast(page, "Theme: Dark")
    page.reload()
    page.locator(SETTINGS).wait_for()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator("[data-testid=theme-dark]").is_checked()
    background_dark = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.locator(".theme-option[data-theme=light]").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background_dark
    page.goto(page.url.split("#")[0] + "#/")  # the home keeps it too
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"

    open_settings(page)
    page.locator(".theme-option[data-theme=system]").click()
    assert page.evaluate("document.documentElement.dataset.theme ?? null") is None
    page.reload()
    page.locator(SETTINGS).wait_for()
    assert page.locator("[data-testid=theme-system]").is_checked()


def test_the_data_section_shows_where_the_data_lives_and_its_size(page, installation) -> None:
    open_settings(page)
    assert page.locator("[data-testid=data-dir]").inner_text() == str(installation.data_dir)
    assert page.locator("[data-testid=media-dir]").inner_text().startswith(str(installation.data_dir))
    assert page.locator("[data-testid=database-kind]").inner_text() == "SQLite"
    size = page.locator("[data-testid=data-size]")
    assert float(size.get_attribute("data-bytes")) > 0
    assert re.fullmatch(r"\d+(\.\d)? (bytes|KB|MB|GB)", size.inner_text()), size.inner_text()
    free = page.locator("[data-testid=free-space]")
    assert float(free.get_attribute("data-bytes")) > 0
    assert re.match(r"\d+(\.\d)? (bytes|KB|MB|GB|TB) free of \d+(\.\d)? (KB|MB|GB|TB)", free.inner_text()), (
        free.inner_text()
    )
    # Housekeeping ran at start-up, in the background: the page says what it freed (here, nothing).
    tidied = page.locator("[data-testid=housekeeping]")
    deadline = time.monotonic() + 10
    while tidied.get_attribute("data-files") == "" and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.locator("[aria-label='Count the size again']").click()
    assert tidied.inner_text().startswith("Nothing to tidy at the last run"), tidied.inner_text()
    # In a plain browser the folder cannot be opened: it says so instead of failing silently.
    page.locator("[data-testid=open-data-folder]").click()
    wait_for_toast(page, "works in the app’s window")


def test_the_comfyui_address_is_saved_and_a_bad_one_is_refused_beside_the_field(page, api) -> None:
    open_settings(page)
    url = page.locator("[data-testid=comfyui-url]")
    assert url.input_value() == "http://127.0.0.1:8188"
    url.fill("http://127.0.0.1:8199/")
    page.locator("[data-testid=comfyui-save]").click()
    wait_for_toast(page, "ComfyUI address saved: http://127.0.0.1:8199")
    assert "saved on this page" in page.locator("[data-testid=comfyui-url-source]").inner_text()

    page.reload()
    page.locator(SETTINGS).wait_for()
    url = page.locator("[data-testid=comfyui-url]")
    assert url.input_value() == "http://127.0.0.1:8199"
    assert api.gql("{ appSettings { comfyuiUrl } }")["appSettings"]["comfyuiUrl"] == "http://127.0.0.1:8199"

    url.fill("ftp://somewhere")
    url.press("Enter")
    error = page.locator("[data-testid=comfyui-url-error]")
    error.wait_for()
    assert "is not an http(s) address" in error.inner_text()
    assert "comfyuiUrl" not in error.inner_text()
    assert url.get_attribute("aria-invalid") == "true"
    url.fill("http://127.0.0.1:8188")  # typing again takes the error away
    assert error.is_hidden()
    page.reload()
    page.locator(SETTINGS).wait_for()
    assert page.locator("[data-testid=comfyui-url]").input_value() == "http://127.0.0.1:8199"


def test_concurrency_per_provider_is_saved_and_the_environment_one_is_locked(page, api) -> None:
    open_settings(page)
    local = page.locator("[data-testid=concurrency-input][data-provider=local]")
    assert local.is_disabled() and local.input_value() == "2"
    openai = page.locator("[data-testid=concurrency-input][data-provider=openai]")
    save = page.locator("[data-testid=concurrency-save]")
    assert save.is_disabled()

    openai.fill("99")
    save.click()
    error = page.locator(".limit-row[data-provider=openai] [data-testid=concurrency-error]")
    error.wait_for()
    assert "0 to 64" in error.inner_text()

    openai.fill("3")
    assert error.is_hidden()
    save.click()
    wait_for_toast(page, "Concurrency saved: OpenAI 3")
    page.reload()
    page.locator(SETTINGS).wait_for()
    assert page.locator("[data-testid=concurrency-input][data-provider=openai]").input_value() == "3"
    saved = api.gql("{ appSettings { concurrency { provider limit source } } }")["appSettings"]["concurrency"]
    limits = {c["provider"]: c for c in saved}
    assert limits["openai"] == {"provider": "openai", "limit": 3, "source": "settings"}


def test_the_workflow_folder_is_shown_and_read_again_with_its_problems(page) -> None:
    open_settings(page)
    workflows = page.locator("[data-testid=workflows][data-state=ready]")
    workflows.wait_for()
    folder = Path(page.locator("[data-testid=workflows-folder]").inner_text())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.json").write_text("{ this is not a workflow")
    page.locator("[data-testid=workflows-refresh]").click()
    wait_for_toast(page, "Workflow folder read")
    problem = workflows.locator(".workflow-problems li", has_text="broken.json")
    problem.wait_for()
    assert problem.inner_text().split("—", 1)[1].strip()
