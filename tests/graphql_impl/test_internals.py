"""Behaviour of the implementation that the contract tests do not pin down."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import event

from boards_desktop.db import models
from boards_desktop.db.queries import lineage as lineage_queries
from boards_desktop.db.queries import tags as tag_queries
from tests.graphql.helpers import GENERATOR, mark_completed

BOARD = "mutation($t: String!) { createBoard(input: {title: $t}) { id } }"
# Held test generators (tests/plugins/generators.py): `test-generator` has the image slots `image` and
# `images`, `test-pair` the slots `a`, `b` and `more`; their jobs never start in tests.
GEN = """mutation($b: UUID!, $g: String!, $p: JSON!) { createGeneration(input: {boardId: $b, generatorName: $g,
 artifactType: IMAGE, inputParams: $p}) { id } }"""


async def _board(client, title: str = "B") -> str:
    return (await client.data(BOARD, {"t": title}))["createBoard"]["id"]


async def _generation(
    client,
    board: str,
    params: dict | None = None,
    generator: str = GENERATOR,
) -> str:
    return (await client.data(GEN, {"b": board, "g": generator, "p": params or {}}))["createGeneration"]["id"]


async def _completed(client, board: str, params: dict | None = None) -> str:
    """A generation that can be an input: only completed results can."""
    generation_id = await _generation(client, board, params)
    await mark_completed(client, generation_id)
    return generation_id


async def test_unexpected_errors_are_masked_and_logged(client, monkeypatch, caplog):
    async def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(tag_queries, "list_tags", broken)
    with caplog.at_level(logging.ERROR, logger="boards.graphql"):
        body = await client.graphql("{ tags { id } }")
    error = body["errors"][0]
    assert error["message"] == "Internal error; see the log"
    assert error["extensions"] == {"code": "INTERNAL"}
    assert "secret detail" not in str(body)
    record = next(r for r in caplog.records if r.name == "boards.graphql")
    assert record.exc_info and "secret detail" in str(record.exc_info[1])


async def test_diamond_appears_once_per_path_and_cycles_stop(client):
    board = await _board(client)
    root = await _completed(client, board)
    left = await _completed(client, board, {"image": root})
    right = await _completed(client, board, {"image": root})
    bottom = await _generation(client, board, {"a": left, "b": right}, "test-pair")
    # A cycle made by hand: root names bottom as its input.
    async with client.services.database.write() as session:
        await lineage_queries.insert_lineage(
            session, uuid.UUID(root), [lineage_queries.InputArtifact(uuid.UUID(bottom), "loop", "image")]
        )
    data = await client.data(
        """query($id: UUID!) { generation(id: $id) { ancestry(maxDepth: 10) {
        parents { role generation { id } parents { role generation { id } parents { role generation { id } parents { depth } } } } } } }""",
        {"id": bottom},
    )
    parents = data["generation"]["ancestry"]["parents"]
    assert [(p["role"], p["generation"]["id"]) for p in parents] == [("a", left), ("b", right)]
    for parent in parents:
        assert [g["generation"]["id"] for g in parent["parents"]] == [root]
        # root -> bottom would close the cycle: not taken.
        assert parent["parents"][0]["parents"] == []
    down = await client.data(
        "query($id: UUID!) { generation(id: $id) { descendants { children { generation { id } children { depth generation { id } } } } } }",
        {"id": root},
    )
    children = down["generation"]["descendants"]["children"]
    assert sorted(c["generation"]["id"] for c in children) == sorted([left, right])
    assert all([g["generation"]["id"] for g in c["children"]] == [bottom] for c in children)


async def test_max_depth_bounds_the_walk(client):
    board = await _board(client)
    chain = [await _completed(client, board)]
    for _ in range(4):
        chain.append(await _completed(client, board, {"image": chain[-1]}))
    data = await client.data(
        "query($id: UUID!) { generation(id: $id) { ancestry(maxDepth: 2) { depth parents { depth parents { depth parents { depth } } } } } }",
        {"id": chain[-1]},
    )
    node = data["generation"]["ancestry"]
    assert node["parents"][0]["parents"][0]["depth"] == 2
    assert node["parents"][0]["parents"][0]["parents"] == []
    bad = await client.graphql(
        "query($id: UUID!) { generation(id: $id) { ancestry(maxDepth: -1) { depth } } }", {"id": chain[0]}
    )
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_nested_lists_cost_a_fixed_number_of_statements(client):
    async def statements(query: str) -> int:
        seen: list[str] = []

        def record(conn, cursor, statement, *args) -> None:
            # Reads only: the job runner claims work on its own schedule (BEGIN, UPDATE) on the same engines.
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                seen.append(statement)

        engines = set(client.services.database.sync_engines)
        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        try:
            await client.data(query)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)
        return len(seen)

    query = """{ myBoards { id owner { id } members { user { id } } generationCount
        generations(limit: 5) { id board { id } user { id } tags { id } inputArtifacts { generation { id } } } } }"""
    board = await _board(client, "one")
    await _generation(client, board, {"image": await _completed(client, board)})
    few = await statements(query)
    assert few > 0
    for i in range(6):
        board = await _board(client, f"more {i}")
        first = await _completed(client, board)
        await _generation(client, board, {"image": first})
    assert await statements(query) == few


async def test_recent_generations_skip_boards_the_caller_cannot_read(client, other_client):
    mine = await _board(client, "mine")
    theirs = await _board(other_client, "theirs")
    public = (await other_client.data('mutation { createBoard(input: {title: "open", isPublic: true}) { id } }'))[
        "createBoard"
    ]["id"]
    visible = {await _generation(client, mine), await _generation(other_client, public)}
    await _generation(other_client, theirs)
    recent = await client.data("{ recentGenerations { id } }")
    assert {g["id"] for g in recent["recentGenerations"]} == visible
    only = await client.data("query($b: UUID!) { recentGenerations(boardId: $b) { id } }", {"b": theirs})
    assert only["recentGenerations"] == []


async def test_lineage_is_written_as_json_and_rows(client):
    board = await _board(client)
    parent = await _completed(client, board)
    other = await _completed(client, board)
    # `images` is a slot; `source` is not one, so the id in it is no input.
    child = await _generation(client, board, {"images": [parent.upper()], "seed": 3, "source": other})
    async with client.services.database.read() as session:
        row = await session.get(models.Generation, uuid.UUID(child))
        edges = await lineage_queries.lineage_walk(session, uuid.UUID(child), direction="ancestry", max_depth=1)
    assert row.input_artifacts == [{"generation_id": parent, "role": "images", "artifact_type": "image"}]
    assert [(e.node_id, e.role) for e in edges] == [(uuid.UUID(parent), "images")]


async def test_regenerate_drops_inputs_that_were_deleted(client):
    board = await _board(client)
    kept = await _completed(client, board)
    gone = await _completed(client, board)
    child = await _generation(client, board, {"a": kept, "b": gone}, "test-pair")
    await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": gone})
    again = await client.data(
        "mutation($id: UUID!) { regenerate(id: $id) { inputParams inputArtifacts { role generationId } } }",
        {"id": child},
    )
    assert again["regenerate"]["inputArtifacts"] == [{"role": "a", "generationId": kept}]
    assert again["regenerate"]["inputParams"] == {"a": kept, "b": gone}
