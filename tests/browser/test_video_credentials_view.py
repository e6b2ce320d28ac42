"""A video that arrives with Content Credentials shows who signed it and with what it was made, as a
picture does."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from boards_desktop.media.content_credentials import CredentialSigner, load_identity
from boards_desktop.media.provenance import provenance_of
from tests.browser.test_viewer import open_viewer
from tests.metadata.av_files import video_bytes


def test_a_signed_video_shows_its_credentials_in_the_viewer(page, installation, tmp_path) -> None:
    made = SimpleNamespace(
        id=uuid.uuid4(),
        board_id=uuid.uuid4(),
        generator_name="kling-video",
        artifact_type="video",
        status="completed",
        created_at=None,
        input_params={"prompt": "a heron taking off"},
        output_metadata={},
    )
    signed = CredentialSigner(load_identity(tmp_path)).sign(
        video_bytes("mp4"), "mp4", provenance_of(made, []), title="heron.mp4"
    )
    assert signed is not None
    api = installation.api
    board = api.create_board("Viewer: signed video")
    uploaded = api.upload(board, "heron.mp4", signed, "video/mp4")
    open_viewer(page, installation, board, [uploaded["id"]])
    credentials = page.locator("[data-testid=viewer-panel] [data-testid=viewer-credentials]")
    assert credentials.inner_text() == (
        "signed by Boards Desktop on this computer · made with kling-video (AI) · valid signature"
    )
