"""An upload byte-identical to a generation already stored is recognised: on the same board first, else
on another board the uploader may read (its board named, to link to it), never on one they may not.
The upload is kept all the same. On SQLite and PostgreSQL, through the real app."""

from __future__ import annotations

from tests.app_harness import AppClient
from tests.graphql.helpers import create_board
from tests.metadata.av_files import wav_bytes
from tests.uploads.samples import png_bytes
from tests.uploads.support import upload


async def test_the_same_file_on_another_readable_board_is_named_with_its_board(
    client: AppClient, other_client: AppClient
) -> None:
    harbour = await create_board(client, "Harbour")
    studio = await create_board(client, "Studio")
    picture = png_bytes(colour="#117733")
    first = (await upload(client, harbour, picture, filename="boat.png")).json()

    elsewhere = await upload(client, studio, picture, filename="boat again.png")
    assert elsewhere.status_code == 200, elsewhere.text
    assert elsewhere.json()["duplicateOf"] == {
        "id": first["id"],
        "title": "boat.png",
        "boardId": harbour,
        "boardTitle": "Harbour",
    }
    # Once it is on this board too, this board's own copy is the one named.
    third = (await upload(client, studio, picture, filename="boat third.png")).json()
    assert third["duplicateOf"]["id"] == elsewhere.json()["id"]
    assert third["duplicateOf"]["boardId"] == studio

    # Another artist's boards: a private one is never revealed, a public one is named.
    sound = wav_bytes(seconds=0.2)
    private = await create_board(other_client, "Their sketches")
    theirs = (await upload(other_client, private, sound, filename="theirs.wav", artifact_type="audio")).json()
    mine = await upload(client, harbour, sound, filename="mine.wav", artifact_type="audio")
    assert mine.status_code == 200 and mine.json()["duplicateOf"] is None
    public = await create_board(other_client, "Their showcase", isPublic=True)
    shown = (await upload(other_client, public, picture := png_bytes(colour="#774411"), filename="p.png")).json()
    seen = (await upload(client, harbour, picture, filename="found it.png")).json()
    assert seen["duplicateOf"] == {
        "id": shown["id"],
        "title": "p.png",
        "boardId": public,
        "boardTitle": "Their showcase",
    }
    assert theirs["id"] != mine.json()["id"]
