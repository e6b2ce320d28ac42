"""A walk through the API's main paths, to catch wiring mistakes early."""

from __future__ import annotations

import asyncio
import time

BOARD = "mutation($t: String!) { createBoard(input: {title: $t}) { id title owner { id } generationCount } }"
# `test-generator` never runs in tests; its image slots are `image` and `images`. `test-fast` runs at once.
GEN = """mutation($b: UUID!, $p: JSON!, $g: String! = "test-generator") { createGeneration(input: {boardId: $b,
 generatorName: $g, artifactType: IMAGE, inputParams: $p}) { id status progress artifactType
 inputArtifacts { generationId role artifactType generation { id } } } }"""


async def _completed(client, generation_id: str) -> None:
    deadline = time.monotonic() + 20
    query = "query($id: UUID!) { generation(id: $id) { status errorMessage } }"
    while (current := (await client.data(query, {"id": generation_id}))["generation"])["status"] != "COMPLETED":
        assert current["status"] in ("PENDING", "PROCESSING") and time.monotonic() < deadline, current
        await asyncio.sleep(0.02)


async def test_flow(client):
    board = (await client.data(BOARD, {"t": " First "}))["createBoard"]
    assert board["title"] == "First"
    assert board["generationCount"] == 0
    a = (await client.data(GEN, {"b": board["id"], "g": "test-fast", "p": {"prompt": "x"}}))["createGeneration"]
    assert a["status"] == "PENDING" and a["progress"] == 0
    await _completed(client, a["id"])  # only completed results can be inputs
    b = (await client.data(GEN, {"b": board["id"], "p": {"image": a["id"], "images": [a["id"]]}}))["createGeneration"]
    assert b["status"] == "PENDING"
    assert [x["role"] for x in b["inputArtifacts"]] == ["image", "images"]
    assert b["inputArtifacts"][0]["generation"]["id"] == a["id"]
    page = await client.data(
        """query($id: UUID!) { board(id: $id) { title owner { displayName } generationCount
        generations(limit: 10) { id tags { slug } board { id } user { id } } members { id } } }""",
        {"id": board["id"]},
    )
    assert page["board"]["generationCount"] == 2
    assert [g["id"] for g in page["board"]["generations"]] == [b["id"], a["id"]]
    tree = await client.data(
        """query($id: UUID!) { generation(id: $id) { ancestry { depth role generation { id }
        parents { depth role generation { id } parents { depth } } } } }""",
        {"id": b["id"]},
    )
    parents = tree["generation"]["ancestry"]["parents"]
    assert [p["role"] for p in parents] == ["image", "images"]
    down = await client.data(
        "query($id: UUID!) { generation(id: $id) { descendants { children { role generation { id } } } } }",
        {"id": a["id"]},
    )
    assert len(down["generation"]["descendants"]["children"]) == 2
    mine = await client.data("{ myBoards { id generationCount } recentGenerations { id } me { id boards { id } } }")
    assert mine["myBoards"][0]["generationCount"] == 2
    tag = (await client.data('mutation { createTag(input: {name: "Hello World_x"}) { id slug } }'))["createTag"]
    assert tag["slug"] == "hello-world-x"
    dup = await client.graphql('mutation { createTag(input: {name: "hello world x"}) { id } }')
    assert dup["errors"][0]["extensions"]["code"] == "CONFLICT", dup
    await client.data(
        "mutation($g: UUID!, $t: UUID!) { addTagToGeneration(generationId: $g, tagId: $t) { id } }",
        {"g": a["id"], "t": tag["id"]},
    )
    done = await client.graphql("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": a["id"]})
    assert done["errors"][0]["message"].startswith("Generation is already completed"), done
    cancel = "mutation($id: UUID!) { cancelGeneration(id: $id) { status completedAt } }"
    cancelled = await client.data(cancel, {"id": b["id"]})
    assert cancelled["cancelGeneration"]["status"] == "CANCELLED"
    again = await client.graphql("mutation($id: UUID!) { cancelGeneration(id: $id) { status } }", {"id": b["id"]})
    assert again["errors"][0]["message"].startswith("Generation is already cancelled")
    regen = await client.data(
        "mutation($id: UUID!) { regenerate(id: $id) { id inputArtifacts { role } } }", {"id": b["id"]}
    )
    assert len(regen["regenerate"]["inputArtifacts"]) == 2
    bad = await client.graphql('{ board(id: "nope") { id } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad
    bad = await client.graphql("{ myBoards(limit: 0) { id } }")
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", bad
    up = await client.graphql(
        "mutation($b: UUID!) { uploadArtifact(input: {boardId: $b, artifactType: IMAGE}) { id } }", {"b": board["id"]}
    )
    assert up["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", up
    assert "fileUrl" in up["errors"][0]["message"]
    assert (await client.data("mutation($id: UUID!) { deleteBoard(id: $id) }", {"id": board["id"]}))["deleteBoard"]


async def test_other_user(client, other_client):
    board = (await client.data(BOARD, {"t": "Private"}))["createBoard"]
    seen = await other_client.data("query($id: UUID!) { board(id: $id) { id } }", {"id": board["id"]})
    assert seen["board"] is None
    denied = await other_client.graphql(GEN, {"b": board["id"], "p": {}})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", denied
    other_me = (await other_client.data("{ me { id } }"))["me"]["id"]
    await client.data(
        "mutation($b: UUID!, $u: UUID!) { addBoardMember(input: {boardId: $b, userId: $u, role: EDITOR}) { members { role user { id } inviter { id } } } }",
        {"b": board["id"], "u": other_me},
    )
    made = await other_client.data(GEN, {"b": board["id"], "p": {}})
    assert made["createGeneration"]["status"] == "PENDING"
    member_boards = await other_client.data("{ myBoards(role: MEMBER) { id } me { memberBoards { id } } }")
    assert [b["id"] for b in member_boards["myBoards"]] == [board["id"]]
