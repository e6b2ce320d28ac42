"""Lineage by content: a file exported from the app, edited in another tool and dropped back in comes
back as a child of the generation it was made from, found by the ids and hashes it carries."""

from __future__ import annotations

import io
import json
import uuid

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from boards_desktop.media import store_media
from tests.app_harness import AppClient
from tests.graphql.helpers import add_member, create_board, create_generation, my_id
from tests.jobs.support import new_board, queue, wait_for
from tests.media.samples import image_bytes
from tests.media.support import finish
from tests.uploads.support import upload

ANCESTRY = """query($id: UUID!) { generation(id: $id) {
  inputArtifacts { generationId role }
  outputMetadata
  ancestry { parents { depth role generation { id } } }
} }"""


def edited_png(exported: bytes, provenance: dict | None = None) -> bytes:
    """What an editor that keeps PNG text (GIMP, Krita, Photoshop) saves after a brush stroke."""
    with Image.open(io.BytesIO(exported)) as image:
        image.load()
        texts = dict(image.text)  # type: ignore[attr-defined]
        picture = image.convert("RGB")
    ImageDraw.Draw(picture).line((0, 0, picture.width, picture.height), fill="#ffcc00", width=3)
    if provenance is not None:
        texts["boards_provenance"] = json.dumps(provenance)
    info = PngInfo()
    for key, value in texts.items():
        info.add_text(key, value)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


async def _parents(client: AppClient, generation_id: str) -> list[dict]:
    data = await client.data(ANCESTRY, {"id": generation_id})
    return data["generation"]["ancestry"]["parents"]


async def test_an_edit_made_elsewhere_comes_back_as_a_child_by_id_or_by_hash(client: AppClient) -> None:
    board = await new_board(client, "Studio")
    card = await wait_for(
        client,
        (await queue(client, board, "local-title-card", {"prompt": "Fog", "width": 320, "height": 200}))["id"],
        timeout=60,
    )
    resized = await queue(
        client, board, "local-image-resize", {"image": card["id"], "mode": "longest_side", "size": 100}
    )
    resized = await wait_for(client, resized["id"], timeout=60)
    exported = (await client.http.get(resized["storageUrl"], params={"download": "true"})).content
    elsewhere = await new_board(client, "Edits")

    # By id: the generation the file was exported from.
    body = (await upload(client, elsewhere, edited_png(exported), filename="fog-edit.png")).json()
    assert body["metadataFrom"] == "Boards Desktop"
    assert body["linkedTo"] == [resized["id"]]
    assert await _parents(client, body["id"]) == [{"depth": 1, "role": "parent", "generation": {"id": resized["id"]}}]
    data = await client.data(ANCESTRY, {"id": resized["id"]})
    assert data["generation"]["outputMetadata"]["sha256"]  # the stored original keeps its hash

    # By the stored original's hash: the same picture under an id this installation does not know.
    provenance = json.loads(Image.open(io.BytesIO(exported)).text["boards_provenance"])  # type: ignore[attr-defined]
    renamed = {**provenance, "generation_id": str(uuid.uuid4())}
    body = (await upload(client, elsewhere, edited_png(exported, renamed), filename="fog-2.png")).json()
    assert body["linkedTo"] == [resized["id"]]

    # By the parents' hashes: the generation is unknown here, its input is known.
    orphan = {
        **renamed,
        "sha256": "0" * 64,
        "parents": [{"generation_id": str(uuid.uuid4()), "role": "image", "sha256": card["outputMetadata"]["sha256"]}],
    }
    body = (await upload(client, elsewhere, edited_png(exported, orphan), filename="fog-3.png")).json()
    assert body["linkedTo"] == [card["id"]]
    assert await _parents(client, body["id"]) == [{"depth": 1, "role": "image", "generation": {"id": card["id"]}}]

    # Nothing known: an upload like any other, its settings read all the same.
    stranger = {**orphan, "parents": [{"generation_id": str(uuid.uuid4()), "role": "image", "sha256": "1" * 64}]}
    body = (await upload(client, elsewhere, edited_png(exported, stranger), filename="fog-4.png")).json()
    assert body["linkedTo"] == [] and body["metadataFrom"] == "Boards Desktop"

    # A parent the artist names wins over what the file says.
    body = (
        await upload(client, elsewhere, edited_png(exported), filename="fog-5.png", parent_generation_id=card["id"])
    ).json()
    assert body["linkedTo"] == []
    assert await _parents(client, body["id"]) == [{"depth": 1, "role": "parent", "generation": {"id": card["id"]}}]


async def test_a_jpeg_edit_that_kept_its_xmp_is_linked_too(client: AppClient) -> None:
    board = await create_board(client, "Photos")
    generation = await create_generation(client, board, {"prompt": "a wet street at night"})
    stored = await store_media(
        client.services.media,
        board_id=board,
        generation_id=generation["id"],
        source=image_bytes("JPEG"),
        artifact_type="image",
    )
    await finish(client, generation["id"], stored)
    exported = (await client.http.get(stored.storage_url, params={"download": "true"})).content
    with Image.open(io.BytesIO(exported)) as image:
        xmp = image.info["xmp"]
        picture = image.convert("RGB")
    ImageDraw.Draw(picture).rectangle((2, 2, 20, 20), fill="#000000")
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=88, xmp=xmp)
    body = (await upload(client, board, buffer.getvalue(), filename="street-edit.jpg")).json()
    assert body["linkedTo"] == [generation["id"]]
    data = await client.data(ANCESTRY, {"id": body["id"]})
    assert data["generation"]["outputMetadata"]["embedded_generation_id"] == generation["id"]


async def test_a_file_cannot_link_to_generations_its_uploader_may_not_read(
    client: AppClient, other_client: AppClient
) -> None:
    private = await create_board(client, "Private")
    generation = await create_generation(client, private, {"prompt": "a secret sketch"})
    stored = await store_media(
        client.services.media,
        board_id=private,
        generation_id=generation["id"],
        source=image_bytes("PNG"),
        artifact_type="image",
    )
    await finish(client, generation["id"], stored)
    exported = (await client.http.get(stored.storage_url, params={"download": "true"})).content

    theirs = await create_board(other_client, "Theirs")
    body = (await upload(other_client, theirs, edited_png(exported), filename="found.png")).json()
    assert body["linkedTo"] == []  # nothing about the private board is reachable from the file
    assert await _parents(other_client, body["id"]) == []

    # Once they may read the board, the same file links.
    await add_member(client, private, await my_id(other_client), "VIEWER")
    body = (await upload(other_client, theirs, edited_png(exported), filename="found-2.png")).json()
    assert body["linkedTo"] == [generation["id"]]
