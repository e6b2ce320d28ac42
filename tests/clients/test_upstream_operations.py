"""Upstream's front end against Boards Desktop: its 29 operations, driven as its hooks drive them,
against the real app over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema, parse, validate

from boards_desktop.graphql import schema
from tests.app_harness import AppClient
from tests.clients.operations import DRIFTED, OPERATIONS, USER
from tests.clients.upstream_client import TERMINAL, UpstreamClient, new_url
from tests.uploads.samples import png_bytes

UPSTREAM_SCHEMA = build_schema((Path(__file__).parents[1] / "graphql" / "upstream-schema.graphql").read_text())
OUR_SCHEMA = build_schema(schema.as_str())
FRAME_KEYS = {"job_id", "status", "progress", "phase", "message", "estimated_completion", "artifacts", "timestamp"}


def _problems(graphql_schema, name: str) -> list[str]:
    """The validation errors of an operation, without graphql-core's "Did you mean ...?" suggestions."""
    return [error.message.split(" Did you mean")[0] for error in validate(graphql_schema, parse(OPERATIONS[name]))]


def test_the_22_valid_operations_validate_against_upstream_and_us() -> None:
    assert len(OPERATIONS) == 29 and len(DRIFTED) == 7
    for name in OPERATIONS.keys() - DRIFTED:
        assert _problems(UPSTREAM_SCHEMA, name) == [], name
        assert _problems(OUR_SCHEMA, name) == [], name


def test_the_drifted_operations_keep_only_what_no_compatible_schema_can_accept() -> None:
    for name in DRIFTED:
        assert _problems(UPSTREAM_SCHEMA, name), f"{name} is valid upstream: it is not drifted"
    ours = {name: _problems(OUR_SCHEMA, name) for name in DRIFTED}
    # retryGeneration is a new name beside regenerate: the operation works as sent.
    assert ours.pop("RetryGeneration") == []
    # The rest send arguments we now take (generations(boardId), addBoardMember(boardId, email, role),
    # the member mutations by membership id). What is left would need a missing fragment that only
    # the client can add, or a different return type (Boolean! or Board!), which would break
    # upstream's own clients of these fields.
    assert ours == {
        "GetGenerations": ["Unknown fragment 'UserFragment'."],
        "GetGeneration": ["Unknown fragment 'BoardFragment'.", "Unknown fragment 'UserFragment'."],
        "DeleteBoard": [
            "Field 'deleteBoard' must not have a selection since type 'Boolean!' has no subfields.",
        ],
        "AddBoardMember": [
            f"Cannot query field '{field}' on type 'Board'."
            for field in ("boardId", "userId", "role", "invitedBy", "joinedAt", "user")
        ],
        "UpdateBoardMemberRole": ["Cannot query field 'role' on type 'Board'."],
        "RemoveBoardMember": ["Cannot query field 'success' on type 'Board'."],
    }


async def _finished(upstream: UpstreamClient, generation_id: str) -> list[dict]:
    frames = await upstream.progress(generation_id)
    assert frames[-1]["status"] in TERMINAL, frames
    return frames


async def test_an_artists_session_through_the_hooks(upstream: UpstreamClient, client: AppClient) -> None:
    run = OPERATIONS
    me = (await upstream.data(run["GetCurrentUser"]))["me"]
    assert me["id"] == str(client.services.actor.user_id)

    board = (
        await upstream.data(run["CreateBoard"], {"input": {"title": "Harbour", "description": "from the web app"}})
    )["createBoard"]
    assert board["owner"]["id"] == me["id"] and board["generationCount"] == 0
    renamed = (await upstream.data(run["UpdateBoard"], {"input": {"id": board["id"], "title": "Harbour at night"}}))[
        "updateBoard"
    ]
    assert renamed["title"] == "Harbour at night"
    # The hooks ask for a few hundred at once; upstream has no maximum, so neither is refused.
    for limit in (300, 1000):
        listed = (await upstream.data(run["GetBoards"], {"limit": limit, "offset": 0}))["myBoards"]
        assert [b["id"] for b in listed] == [board["id"]]

    generators = (await upstream.data(run["GetGenerators"], {"artifactType": "image"}))["generators"]
    assert "test-fast" in {g["name"] for g in generators}

    parent = (
        await upstream.data(
            run["CreateGeneration"],
            {
                "input": {
                    "boardId": board["id"],
                    "generatorName": "test-fast",
                    "artifactType": "IMAGE",
                    "inputParams": {"prompt": "a lighthouse"},
                }
            },
        )
    )["createGeneration"]
    frames = await _finished(upstream, parent["id"])
    done = frames[-1]
    assert FRAME_KEYS <= done.keys() and done["status"] == "completed" and done["progress"] == 1.0
    assert all(frame["status"] == frame["status"].lower() for frame in frames)
    (artifact,) = done["artifacts"]
    image = await upstream.load_media(artifact["url"])  # absolute and signed: a tag loads it as it is
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"

    child = (
        await upstream.data(
            run["CreateGeneration"],
            {
                "input": {
                    "boardId": board["id"],
                    "generatorName": "test-fast",
                    "artifactType": "IMAGE",
                    "inputParams": {"prompt": "the lighthouse, closer", "image": parent["id"]},
                }
            },
        )
    )["createGeneration"]
    await _finished(upstream, child["id"])

    shown = (await upstream.data(run["GetBoard"], {"id": board["id"], "limit": 50, "offset": 0}))["board"]
    assert {g["id"] for g in shown["generations"]} == {parent["id"], child["id"]}
    for generation in shown["generations"]:
        assert generation["status"] == "COMPLETED" and generation["progress"] == 100
        for url in (generation["storageUrl"], generation["thumbnailUrl"]):
            assert new_url(url).netloc == new_url(upstream.api_url).netloc
            assert (await upstream.load_media(url)).status_code == 200

    ancestry = (await upstream.data(run["GetAncestry"], {"id": child["id"]}))["generation"]["ancestry"]
    assert [p["generation"]["id"] for p in ancestry["parents"]] == [parent["id"]]
    descendants = (await upstream.data(run["GetDescendants"], {"id": parent["id"]}))["generation"]["descendants"]
    assert [c["generation"]["id"] for c in descendants["children"]] == [child["id"]]
    inputs = (await upstream.data(run["GetInputArtifacts"], {"id": child["id"]}))["generation"]["inputArtifacts"]
    assert inputs == [{"generationId": parent["id"], "role": "image", "artifactType": "IMAGE"}]

    uploaded = await upstream.upload(
        board["id"], "image", "sketch.png", png_bytes(), "image/png", parent_generation_id=parent["id"]
    )
    assert uploaded["status"] == "completed" and uploaded["generatorName"] == "user-upload-image"
    assert (await upstream.load_media(uploaded["thumbnailUrl"])).headers["content-type"] == "image/webp"

    tag = (await upstream.data(run["CreateTag"], {"input": {"name": "Night Sky"}}))["createTag"]
    assert tag["slug"] == "night-sky"
    assert [t["id"] for t in (await upstream.data(run["GetTags"], {"limit": 100, "offset": 0}))["tags"]] == [tag["id"]]
    assert (await upstream.data(run["GetTag"], {"id": tag["id"]}))["tag"]["name"] == "Night Sky"
    renamed_tag = (await upstream.data(run["UpdateTag"], {"input": {"id": tag["id"], "name": "Dark Sky"}}))["updateTag"]
    assert renamed_tag["slug"] == "dark-sky"  # as upstream: the slug follows the new name
    assert (await upstream.data(run["GetTagBySlug"], {"slug": "dark-sky"}))["tagBySlug"]["id"] == tag["id"]
    assert (await upstream.data(run["GetTagBySlug"], {"slug": "night-sky"}))["tagBySlug"] is None
    link = {"generationId": child["id"], "tagId": tag["id"]}
    assert (await upstream.data(run["AddTagToGeneration"], link))["addTagToGeneration"]["id"] == tag["id"]
    tags = (await upstream.data(run["GetGenerationTags"], {"id": child["id"]}))["generation"]["tags"]
    assert [t["slug"] for t in tags] == ["dark-sky"]
    assert (await upstream.data(run["RemoveTagFromGeneration"], link))["removeTagFromGeneration"] is True
    assert (await upstream.data(run["DeleteTag"], {"id": tag["id"]}))["deleteTag"] is True

    held = (
        await upstream.data(
            run["CreateGeneration"],
            {
                "input": {
                    "boardId": board["id"],
                    "generatorName": "test-generator",
                    "artifactType": "IMAGE",
                    "inputParams": {"prompt": "waits"},
                }
            },
        )
    )["createGeneration"]
    cancelled = (await upstream.data(run["CancelGeneration"], {"id": held["id"]}))["cancelGeneration"]
    assert cancelled == {"id": held["id"], "status": "CANCELLED"}
    retried = (await upstream.data(run["RetryGeneration"], {"id": held["id"]}))["retryGeneration"]
    assert retried["id"] != held["id"] and retried["status"] == "PENDING"
    assert retried["generatorName"] == "test-generator" and retried["inputParams"] == {"prompt": "waits"}
    await upstream.data(run["CancelGeneration"], {"id": retried["id"]})

    # generations(boardId): the drifted GetGenerations runs once the client defines its fragment.
    listed = await upstream.data(run["GetGenerations"] + " " + USER, {"boardId": board["id"], "limit": 10})
    assert {g["id"] for g in listed["generations"]} == {
        parent["id"],
        child["id"],
        uploaded["id"],
        held["id"],
        retried["id"],
    }

    # From a URL: the server looks the address up first and refuses this computer's own, saying so.
    refused = await upstream.execute(
        run["UploadArtifactFromUrl"],
        {"input": {"boardId": board["id"], "artifactType": "IMAGE", "fileUrl": f"{upstream.api_url}/health"}},
    )
    assert refused.error_codes == ["BAD_USER_INPUT"] and refused.graphql_errors[0]["message"]

    assert (await upstream.data(run["DeleteGeneration"], {"id": uploaded["id"]}))["deleteGeneration"] is True
    # A deletion goes to the Trash, whose page still shows the file; emptied, the file is gone.
    emptied = await upstream.data("mutation($ids: [UUID!]) { emptyTrash(ids: $ids) }", {"ids": [uploaded["id"]]})
    assert emptied["emptyTrash"] == 1
    gone = await upstream.load_media(uploaded["storageUrl"])
    assert gone.status_code == 404 and gone.json()["detail"]
