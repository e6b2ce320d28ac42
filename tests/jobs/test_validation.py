"""createGeneration checks everything before queuing: a refusal names the field and stores nothing."""

from __future__ import annotations

import pytest

from tests.jobs.support import new_board, queue, try_queue, wait_for


async def _count(client, board: str) -> int:
    data = await client.data("query($b: UUID!) { board(id: $b) { generationCount } }", {"b": board})
    return data["board"]["generationCount"]


async def _refused(client, board: str, generator: str, params: dict, artifact_type: str = "IMAGE") -> str:
    before = await _count(client, board)
    body = await try_queue(client, board, generator, params, artifact_type)
    assert body["data"] is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert await _count(client, board) == before
    return error["message"]


@pytest.fixture
async def sources(client):
    """A board with a completed image, a pending image, and a completed text."""
    board = await new_board(client)
    image = await wait_for(client, (await queue(client, board, "test-fast", {}))["id"])
    pending = await queue(client, board, "test-generator", {})
    text = await wait_for(client, (await queue(client, board, "test-writer", {"text": "hi"}, "TEXT"))["id"])
    return board, image["id"], pending["id"], text["id"]


async def test_an_unknown_generator_is_refused_with_the_known_ones_listed(client, sources):
    board = sources[0]
    message = await _refused(client, board, "no-such-model", {})
    assert message.startswith("generatorName: there is no generator 'no-such-model'; available: ")
    assert "local-title-card" in message


async def test_the_artifact_type_must_be_the_generators(client, sources):
    message = await _refused(client, sources[0], "local-title-card", {"prompt": "x"}, "VIDEO")
    assert message == "artifactType: local-title-card makes image artifacts, not video; ask for IMAGE"


async def test_params_are_checked_against_the_generators_model(client, sources):
    board, image = sources[0], sources[1]
    message = await _refused(client, board, "test-slots", {"image": image, "strength": 3})
    assert message == "inputParams.strength: Input should be less than or equal to 1"
    message = await _refused(client, board, "test-slow", {"steps": "many"})
    assert message.startswith("inputParams.steps: Input should be a valid integer")


async def test_a_required_artifact_input_must_be_given(client, sources):
    message = await _refused(client, sources[0], "test-slots", {})
    assert message == "inputParams.image: this input needs an image; give a generation id"


async def test_artifact_inputs_must_exist_be_completed_and_of_the_right_type(client, sources):
    board, image, pending, text = sources
    missing = "00000000-0000-4000-8000-000000000000"
    assert await _refused(client, board, "test-slots", {"image": missing}) == (
        f"inputParams.image: generation {missing} does not exist or you cannot read it; "
        "pick a result from one of your boards"
    )
    assert await _refused(client, board, "test-slots", {"image": pending}) == (
        f"inputParams.image: generation {pending} is pending; only completed results can be inputs"
    )
    assert await _refused(client, board, "test-slots", {"image": text}) == (
        f"inputParams.image: generation {text} is a text; this input takes an image"
    )
    assert await _refused(client, board, "test-slots", {"image": image, "clip": image}) == (
        f"inputParams.clip: generation {image} is an image; this input takes a video"
    )
    assert await _refused(client, board, "test-slots", {"image": "not-an-id"}) == (
        "inputParams.image: 'not-an-id' is not a generation id; give the id of a completed result"
    )
    assert await _refused(client, board, "test-slots", {"image": image, "references": image}) == (
        "inputParams.references: give a list of generation ids"
    )
    message = await _refused(client, board, "test-slots", {"image": image, "references": [image] * 4})
    assert message.startswith("inputParams.references: List should have at most 3 items")


async def test_an_input_the_caller_cannot_read_is_refused(client, other_client, engine_name):
    theirs = await new_board(other_client, "private")
    # Their image exists (held: pending) but is on a board we may not read: it must look missing.
    hidden = (await queue(other_client, theirs, "test-generator", {}))["id"]
    mine = await new_board(client)
    message = await _refused(client, mine, "test-slots", {"image": hidden})
    assert message.startswith(f"inputParams.image: generation {hidden} does not exist or you cannot read it")


async def test_an_unavailable_generator_is_refused_with_its_reason(client, sources):
    message = await _refused(client, sources[0], "test-unavailable", {})
    assert message == "generatorName: test-unavailable cannot run: no key is set for this service; add one in Settings"


async def test_every_slot_form_records_lineage_with_the_field_as_its_role(client, sources):
    board, image = sources[0], sources[1]
    other = await wait_for(client, (await queue(client, board, "test-fast", {"colour": "#ff0000"}))["id"])
    created = await queue(
        client,
        board,
        "test-slots",
        {"image": image, "mask": other["id"], "references": [image, other["id"]], "strength": 0.2},
    )
    roles = [(item["role"], item["generationId"]) for item in created["inputArtifacts"]]
    assert roles == [("image", image), ("mask", other["id"]), ("references", image), ("references", other["id"])]
    assert created["status"] == "PENDING"


async def test_the_generators_query_lists_availability_and_schemas(client):
    data = await client.data("{ generators { name provider available unavailableReason inputSchema } }")
    by_name = {g["name"]: g for g in data["generators"]}
    assert by_name["test-unavailable"]["available"] is False
    assert by_name["test-unavailable"]["unavailableReason"].startswith("no key is set")
    slots = by_name["test-slots"]["inputSchema"]
    assert slots["properties"]["image"] == {"$ref": "#/$defs/ImageArtifact"}
    assert slots["properties"]["references"]["items"] == {"$ref": "#/$defs/ImageArtifact"}
    assert set(slots["$defs"]) >= {"ImageArtifact", "VideoArtifact"}


BATCH = "mutation($i: [CreateGenerationInput!]!) { createGenerations(inputs: $i) { id status generatorName } }"


def _item(board: str, generator: str, params: dict, artifact_type: str = "IMAGE") -> dict:
    return {"boardId": board, "generatorName": generator, "artifactType": artifact_type, "inputParams": params}


async def test_a_batch_is_queued_in_one_request(client, sources):
    board, image = sources[0], sources[1]
    other = await new_board(client, "second")
    items = [_item(board, "test-generator", {"prompt": str(n)}) for n in range(3)]
    items.append(_item(other, "test-slots", {"image": image}))
    created = (await client.data(BATCH, {"i": items}))["createGenerations"]
    assert [g["generatorName"] for g in created] == ["test-generator"] * 3 + ["test-slots"]
    assert {g["status"] for g in created} == {"PENDING"}
    assert await _count(client, other) == 1


async def test_one_bad_item_refuses_the_whole_batch_and_is_named_by_its_index(client, sources):
    board, image, pending = sources[0], sources[1], sources[2]
    before = await _count(client, board)
    items = [_item(board, "test-generator", {}), _item(board, "test-slots", {"image": pending})]
    body = await client.graphql(BATCH, {"i": items})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["message"] == (
        f"inputs[1].inputParams.image: generation {pending} is pending; only completed results can be inputs"
    )
    assert await _count(client, board) == before
    empty = await client.graphql(BATCH, {"i": []})
    assert empty["errors"][0]["message"] == "inputs holds 0 generations; send between 1 and 100"
    named = await client.graphql(BATCH, {"i": [_item(board, "test-slots", {"image": image}), _item(board, " ", {})]})
    assert named["errors"][0]["message"].startswith("inputs[1].")
    assert await _count(client, board) == before
