"""POST /api/uploads/artifact through the real app: uploads become completed generations; refusals keep nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.app_harness import AppClient, running_app
from tests.conftest import ENGINES_AND_BACKENDS
from tests.graphql.helpers import add_member, create_board, my_id
from tests.uploads.samples import TEXT, jpeg_bytes, mp4_bytes, png_bytes, wav_bytes
from tests.uploads.support import UPLOAD_URL, error_body, stock, upload

GENERATION = """
query($id: UUID!) { generation(id: $id) {
  id status generatorName artifactType storageUrl thumbnailUrl outputMetadata inputParams progress completedAt
  inputArtifacts { generationId role artifactType }
  ancestry { depth parents { depth role generation { id generatorName } } }
} }
"""

SAMPLES = {
    "png": ("image", "picture.png", png_bytes, "image/png", {"format": "png", "width": 64, "height": 48}),
    "jpeg": ("image", "photo.jpeg", jpeg_bytes, "image/jpeg", {"format": "jpg", "width": 80, "height": 60}),
    "mp4": ("video", "clip.mp4", mp4_bytes, "video/mp4", {"format": "mp4", "width": 64, "height": 48}),
    "wav": ("audio", "sound.wav", wav_bytes, "audio/wav", {"format": "wav", "sample_rate": 8000, "channels": 1}),
    "text": ("text", "notes.txt", lambda: TEXT, "text/plain", {"format": "txt"}),
}


@ENGINES_AND_BACKENDS
@pytest.mark.parametrize("sample", list(SAMPLES))
async def test_an_upload_becomes_a_completed_generation_with_its_files_served(client: AppClient, sample: str) -> None:
    artifact_type, filename, make, mime, facts = SAMPLES[sample]
    content = make()
    board_id = await create_board(client)

    response = await upload(
        client,
        board_id,
        content,
        filename=filename,
        artifact_type=artifact_type,
        mime=mime,
        user_description="from my sketchbook",
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "id", "status", "storageUrl", "thumbnailUrl", "artifactType", "generatorName", "duplicateOf", "metadataFrom", "linkedTo"
    }  # fmt: skip
    assert body["metadataFrom"] is None and body["linkedTo"] == []  # a file with no tool's metadata in it
    assert body["duplicateOf"] is None  # the first of these bytes on the board
    assert body["status"] == "completed"
    assert body["artifactType"] == artifact_type
    assert body["generatorName"] == f"user-upload-{artifact_type}"
    assert urlsplit(body["storageUrl"]).path.endswith(f"/output.{facts['format']}")

    served = await client.http.get(body["storageUrl"])
    assert served.status_code == 200
    assert served.content == content
    if artifact_type in ("image", "video"):
        thumbnail = await client.http.get(body["thumbnailUrl"])
        assert thumbnail.status_code == 200
        assert thumbnail.headers["content-type"].startswith("image/webp")
    else:
        assert body["thumbnailUrl"] is None

    generation = (await client.data(GENERATION, {"id": body["id"]}))["generation"]
    assert generation["status"] == "COMPLETED"
    assert generation["artifactType"] == artifact_type.upper()
    assert generation["storageUrl"] == body["storageUrl"]
    assert generation["progress"] == 100
    assert generation["completedAt"]
    metadata = generation["outputMetadata"]
    assert metadata["original_filename"] == filename
    assert metadata["user_description"] == "from my sketchbook"
    assert metadata["size_bytes"] == len(content)
    for name, value in facts.items():
        assert metadata[name] == value, (name, metadata)
    if artifact_type in ("video", "audio"):
        assert metadata["duration"] > 0
    board = await client.data("query($id: UUID!) { board(id: $id) { generationCount } }", {"id": board_id})
    assert board["board"]["generationCount"] == 1


async def test_a_parent_is_recorded_as_lineage(client: AppClient) -> None:
    board_id = await create_board(client)
    parent = (await upload(client, board_id, png_bytes(), filename="sketch.png")).json()
    child_response = await upload(
        client, board_id, jpeg_bytes(), filename="painted.jpg", parent_generation_id=parent["id"]
    )
    assert child_response.status_code == 200, child_response.text
    child = (await client.data(GENERATION, {"id": child_response.json()["id"]}))["generation"]
    assert child["inputArtifacts"] == [{"generationId": parent["id"], "role": "parent", "artifactType": "IMAGE"}]
    assert child["ancestry"]["parents"] == [
        {"depth": 1, "role": "parent", "generation": {"id": parent["id"], "generatorName": "user-upload-image"}}
    ]
    descendants = await client.data(
        "query($id: UUID!) { generation(id: $id) { descendants { children { generation { id } } } } }",
        {"id": parent["id"]},
    )
    assert descendants["generation"]["descendants"]["children"] == [{"generation": {"id": child["id"]}}]


@ENGINES_AND_BACKENDS
async def test_a_lying_extension_is_refused_and_nothing_is_kept(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    response = await upload(
        client, board_id, png_bytes(), filename="movie.mp4", artifact_type="video", mime="video/mp4"
    )
    error_body(response, 400, "PNG image", "not a video")
    assert await stock(client) == before


@pytest.mark.parametrize(
    ("fields", "status", "mentions"),
    [
        ({"board_id": "not-a-uuid"}, 400, ("board_id", "not a UUID")),
        ({"board_id": ""}, 400, ("board_id is missing",)),
        ({"board_id": "00000000-0000-4000-8000-000000000000"}, 404, ("not found",)),
        ({"artifact_type": "lora"}, 400, ("artifact_type", "image, video, audio, text")),
        ({"artifact_type": ""}, 400, ("artifact_type",)),
        ({"parent_generation_id": "12345"}, 400, ("parent_generation_id", "not a UUID")),
        ({"parent_generation_id": "00000000-0000-4000-8000-000000000000"}, 400, ("parent_generation_id", "not found")),
        ({"user_description": "x" * 10_001}, 400, ("user_description", "10000")),
    ],
)
async def test_bad_fields_are_refused_and_nothing_is_kept(
    client: AppClient, fields: dict, status: int, mentions: tuple[str, ...]
) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    sent = {"board_id": board_id, "artifact_type": "image", **fields}
    response = await client.http.post(UPLOAD_URL, data=sent, files={"file": ("a.png", png_bytes(), "image/png")})
    body = error_body(response, status, *mentions)
    assert body["code"] == {400: "BAD_USER_INPUT", 404: "NOT_FOUND"}[status]
    assert await stock(client) == before


@ENGINES_AND_BACKENDS
async def test_fields_after_the_file_are_checked_too(client: AppClient) -> None:
    """Clients may send the file first; the checks then run once it has arrived, and it is removed."""
    before = await stock(client)
    boundary = "XyZ"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + png_bytes()
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="board_id"\r\n\r\nnope\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="artifact_type"\r\n\r\nimage\r\n--{boundary}--\r\n'
        ).encode()
    )
    response = await client.http.post(
        UPLOAD_URL, content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    error_body(response, 400, "board_id", "not a UUID")
    assert await stock(client) == before


async def test_an_empty_file_or_no_file_is_refused(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    error_body(await upload(client, board_id, b"", filename="empty.png"), 400, "empty")
    no_file = await client.http.post(UPLOAD_URL, data={"board_id": board_id, "artifact_type": "image"}, files={})
    error_body(no_file, 400)
    error_body(
        await client.http.post(UPLOAD_URL, data={"board_id": board_id, "artifact_type": "image", "x": "y"}),
        400,
        "multipart/form-data",
    )
    error_body(await client.http.post(UPLOAD_URL, json={"board_id": board_id}), 400, "multipart/form-data")
    truncated = b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n' + png_bytes()
    error_body(
        await client.http.post(
            UPLOAD_URL, content=truncated, headers={"Content-Type": "multipart/form-data; boundary=B"}
        ),
        400,
        "malformed",
    )
    assert await stock(client) == before


@ENGINES_AND_BACKENDS
async def test_two_files_are_refused(client: AppClient) -> None:
    board_id = await create_board(client)
    before = await stock(client)
    response = await client.http.post(
        UPLOAD_URL,
        data={"board_id": board_id, "artifact_type": "image"},
        files=[("file", ("a.png", png_bytes(), "image/png")), ("file", ("b.png", png_bytes(), "image/png"))],
    )
    error_body(response, 400, "one file")
    assert await stock(client) == before


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ('we<i>rd:na"me|wh?at*.png', "we_i_rd_na_me_wh_at_.png"),
        ("  ..hidden.png. . ", "hidden.png"),
        ("...", "uploaded_file"),
        ("", "uploaded_file"),
    ],
)
async def test_the_original_filename_is_sanitised(client: AppClient, sent: str, kept: str) -> None:
    board_id = await create_board(client)
    response = await upload(client, board_id, png_bytes(), filename=sent)
    assert response.status_code == 200, response.text
    generation = (await client.data(GENERATION, {"id": response.json()["id"]}))["generation"]
    assert generation["outputMetadata"]["original_filename"] == kept


@ENGINES_AND_BACKENDS
async def test_only_editors_and_above_may_upload(client: AppClient, other_client: AppClient) -> None:
    board_id = await create_board(client, "Shared")
    before = await stock(client)
    refused = await upload(other_client, board_id, png_bytes(), filename="a.png")
    body = error_body(refused, 403, "editor")
    assert body["code"] == "FORBIDDEN"
    await add_member(client, board_id, await my_id(other_client), "VIEWER")
    error_body(await upload(other_client, board_id, png_bytes(), filename="a.png"), 403, "you are a viewer")
    assert await stock(client) == before

    await client.data(
        "mutation($b: UUID!, $u: UUID!) { updateBoardMemberRole(boardId: $b, userId: $u, role: EDITOR) { id } }",
        {"b": board_id, "u": await my_id(other_client)},
    )
    accepted = await upload(other_client, board_id, png_bytes(), filename="a.png")
    assert accepted.status_code == 200, accepted.text


@ENGINES_AND_BACKENDS
async def test_a_parent_the_uploader_cannot_read_is_refused(client: AppClient, other_client: AppClient) -> None:
    private_board = await create_board(client, "Private")
    parent = (await upload(client, private_board, png_bytes())).json()
    their_board = await create_board(other_client, "Theirs")
    before = await stock(client)
    response = await upload(other_client, their_board, png_bytes(), parent_generation_id=parent["id"])
    error_body(response, 400, "parent_generation_id", "may not read")
    assert await stock(client) == before


async def test_an_oversize_body_is_refused_with_the_limit(database_url: str, tmp_path) -> None:
    async with running_app(database_url, tmp_path / "data", BOARDS_MAX_UPLOAD_MB="1") as client:
        board_id = await create_board(client)
        before = await stock(client)
        big = png_bytes() + b"\0" * (2 * 1024 * 1024)
        response = await upload(client, board_id, big, filename="big.png")
        body = error_body(response, 413, "upload limit of 1 MB", "BOARDS_MAX_UPLOAD_MB")
        assert body["code"] == "PAYLOAD_TOO_LARGE"

        # Without a Content-Length (chunked), the limit stops the stream itself.
        boundary = "B0und"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="board_id"\r\n\r\n{board_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="artifact_type"\r\n\r\nimage\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
        ).encode()
        sent = 0

        async def chunks():
            nonlocal sent
            yield head
            for _ in range(64):  # 4 MB, if the server read it all
                sent += 1
                yield b"\0" * 65536
            yield f"\r\n--{boundary}--\r\n".encode()

        response = await client.http.post(
            UPLOAD_URL, content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        error_body(response, 413, "upload limit of 1 MB")
        assert sent < 64  # stopped reading soon after the limit
        assert await stock(client) == before

        # A file just under the limit is fine.
        fits = await upload(client, board_id, png_bytes() + b"\0" * (1024 * 1024 - 1000), filename="fits.png")
        assert fits.status_code == 200, fits.text
