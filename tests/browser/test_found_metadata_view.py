"""The viewer shows what a file said about itself: another tool's prompt and settings, and the Content
Credentials it arrived with."""

from __future__ import annotations

from tests.browser.test_composer import wait_completed
from tests.browser.test_viewer import open_viewer
from tests.metadata.tool_files import comfyui_png


def test_a_comfyui_picture_and_a_signed_export_show_their_settings_and_credentials(page, installation) -> None:
    api = installation.api
    board = api.create_board("Viewer: found metadata")
    comfy = api.upload(board, "heron.png", comfyui_png(), "image/png")
    assert comfy["metadataFrom"] == "ComfyUI"
    card = api.generate(board, "local-title-card", "IMAGE", {"prompt": "Signed card", "width": 320, "height": 200})
    done = wait_completed(api, card)
    exported = api.http.get(done["storageUrl"], params={"download": "true"})
    assert exported.status_code == 200
    signed = api.upload(board, "signed-card.png", exported.content, "image/png")

    viewer = open_viewer(page, installation, board, [comfy["id"], signed["id"]])
    panel = page.locator("[data-testid=viewer-panel]")
    assert panel.locator("[data-testid=viewer-prompt]").inner_text() == "an ink drawing of a heron"
    params = panel.locator("[data-testid=viewer-params]")
    assert params.locator("dd[data-param=model]").inner_text() == "dreamshaper_8.safetensors"
    assert params.locator("dd[data-param=seed]").inner_text() == "8566257"
    assert params.locator("dd[data-param=negative_prompt]").inner_text() == "colour, photo"
    assert panel.locator("[data-testid=viewer-metadata-from]").inner_text() == "ComfyUI"

    page.keyboard.press("ArrowRight")
    page.locator(f"[data-testid=viewer][data-state=ready][data-generation-id='{signed['id']}']").wait_for()
    assert viewer is not None
    assert panel.locator("[data-testid=viewer-prompt]").inner_text() == "Signed card"
    assert panel.locator("[data-testid=viewer-metadata-from]").inner_text() == "Boards Desktop"
    assert panel.locator("[data-testid=viewer-credentials]").inner_text() == (
        "signed by Boards Desktop on this computer · made with local-title-card (AI) · valid signature"
    )
