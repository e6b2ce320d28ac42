"""deleteGeneration moves to the trash and keeps the files until it is emptied; deleteBoard removes them after the rows."""

from __future__ import annotations

from boards_desktop.media import store_media
from tests.app_harness import AppClient
from tests.conftest import ENGINES_AND_BACKENDS
from tests.media.samples import image_bytes
from tests.media.support import create_board, create_generation, finish, published

pytestmark = ENGINES_AND_BACKENDS


async def _completed(client: AppClient, board_id: str) -> tuple[str, str]:
    generation_id = await create_generation(client, board_id)
    stored = await store_media(
        client.services.media,
        board_id=board_id,
        generation_id=generation_id,
        source=image_bytes("PNG"),
        artifact_type="image",
    )
    await finish(client, generation_id, stored)
    return generation_id, stored.storage_url


async def test_deleting_a_generation_keeps_its_folder_until_the_trash_is_emptied(client: AppClient) -> None:
    media = client.services.media
    board_id = await create_board(client)
    doomed, doomed_url = await _completed(client, board_id)
    kept, kept_url = await _completed(client, board_id)
    assert (await client.http.get(doomed_url)).status_code == 200

    data = await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": doomed})
    assert data["deleteGeneration"] is True
    assert f"{board_id}/{doomed}/output.png" in await published(media), "a trashed generation keeps its files"
    assert (await client.http.get(doomed_url)).status_code == 200  # the Trash view shows its thumbnail

    data = await client.data("mutation($ids: [UUID!]) { emptyTrash(ids: $ids) }", {"ids": [doomed]})
    assert data["emptyTrash"] == 1
    assert (await client.http.get(doomed_url)).status_code == 404
    assert (await client.http.get(kept_url)).status_code == 200
    assert await published(media) == {f"{board_id}/{kept}/output.png", f"{board_id}/{kept}/output-thumb.webp"}


async def test_deleting_a_generation_without_files_is_fine(client: AppClient) -> None:
    board_id = await create_board(client)
    pending = await create_generation(client, board_id)
    data = await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": pending})
    assert data["deleteGeneration"] is True


async def test_deleting_a_board_removes_every_generations_files(client: AppClient) -> None:
    media = client.services.media
    board_id = await create_board(client, "Doomed")
    other_board = await create_board(client, "Kept")
    urls = [(await _completed(client, board_id))[1] for _ in range(3)]
    _kept, kept_url = await _completed(client, other_board)

    data = await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board_id})
    assert data["deleteBoard"] is True
    assert not [key for key in await published(media) if key.startswith(board_id)]
    assert not (media.root / board_id).exists()
    for url in urls:
        assert (await client.http.get(url)).status_code == 404
    assert (await client.http.get(kept_url)).status_code == 200


async def test_a_refused_delete_keeps_the_files(client: AppClient) -> None:
    board_id = await create_board(client)
    generation_id, url = await _completed(client, board_id)
    body = await client.graphql("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": generation_id})
    assert body.get("errors"), "a generation id is not a board"
    assert (await client.http.get(url)).status_code == 200
