"""The order that keeps disk and database together: the files go in first, the row second, and
when the row cannot be written the files are taken away again."""

from __future__ import annotations

import uuid

from boards_desktop.graphql.context import RequestContext
from boards_desktop.graphql.errors import ApiError
from boards_desktop.graphql.loaders import Loaders
from boards_desktop.graphql.permissions import Permissions
from boards_desktop.graphql.sessions import RequestSessions
from boards_desktop.media.uploads import UploadTarget, record_upload
from tests.app_harness import AppClient
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import create_board
from tests.uploads.samples import png_bytes
from tests.uploads.support import stock


def request_context(client: AppClient) -> RequestContext:
    services = client.services
    sessions = RequestSessions(services.database)
    return RequestContext(
        services=services,
        actor=services.actor,
        sessions=sessions,
        loaders=Loaders(sessions),
        permissions=Permissions(sessions, services.actor),
    )


@ENGINES_AND_BACKENDS
async def test_a_board_deleted_during_the_upload_leaves_no_files(client: AppClient) -> None:
    board_id = await create_board(client)
    ctx = request_context(client)
    board = await ctx.loaders.boards.load(uuid.UUID(board_id))
    await ctx.sessions.close()
    # The checks passed; then the board goes before the row is written.
    await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id})
    before = await stock(client)
    source = client.services.media.temp_path()
    source.write_bytes(png_bytes())

    try:
        await record_upload(
            ctx,
            UploadTarget(board=board, artifact_type="image", parent=None),
            source=source,
            size=source.stat().st_size,
            file_field="file",
            original_filename="late.png",
            description=None,
            input_params={"source": "upload"},
        )
    except ApiError as error:
        assert error.extensions["code"] == "NOT_FOUND"
        assert "deleted while the file was uploading" in error.message
    else:
        raise AssertionError("the upload to a deleted board was kept")
    finally:
        await ctx.sessions.close()

    after = await stock(client)
    assert after.generations == before.generations
    assert after.files == before.files  # neither the stored file, its thumbnail, nor the temporary file
    assert after.objects == before.objects  # nor, with a bucket, its objects
    assert not source.exists()
