"""Lineage: inputs recorded from the generator's artifact slots, `inputArtifacts`, `ancestry` and `descendants`.

Only completed results can be inputs, so parents are made with `completed_generation`; held test
generators (tests/plugins/generators.py) keep every child pending.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select, text

from boards_desktop.db import models
from tests.graphql.helpers import (
    add_member,
    completed_generation,
    create_board,
    create_generation,
    error_of,
    is_utc,
    is_uuid,
    my_id,
)

INPUTS = """query($id: UUID!) { generation(id: $id) {
    inputArtifacts { generationId role artifactType generation { id artifactType createdAt } } } }"""


def _nested(kind: str, levels: int) -> str:
    """`ancestry`/`descendants` selected `levels` deep (GraphQL has no recursive selections)."""
    child = "parents" if kind == "ancestry" else "children"
    node = "generation { id createdAt } depth role"
    inner = node
    for _ in range(levels):
        inner = f"{node} {child} {{ {inner} }}"
    return inner


def lineage_query(kind: str, levels: int = 8, with_depth: bool = True) -> str:
    argument = "(maxDepth: $depth)" if with_depth else ""
    variables = "($id: UUID!, $depth: Int!)" if with_depth else "($id: UUID!)"
    return f"query{variables} {{ generation(id: $id) {{ {kind}{argument} {{ {_nested(kind, levels)} }} }} }}"


def shape(node: dict, names: dict[str, str]) -> tuple:
    """A node as (name, depth, role, sorted sub-shapes), order-independent, with ids named."""
    below = node.get("parents", node.get("children")) or []
    assert is_utc(node["generation"]["createdAt"])
    return (names[node["generation"]["id"]], node["depth"], node["role"], tuple(sorted(shape(n, names) for n in below)))


def paths(node: dict, prefix: tuple = ()) -> list[tuple]:
    here = (*prefix, node["generation"]["id"])
    below = node.get("parents", node.get("children")) or []
    if not below:
        return [here]
    return [p for n in below for p in paths(n, here)]


async def walk(client, kind: str, generation_id: str, depth: int = 25, levels: int = 8) -> dict:
    data = await asyncio.wait_for(client.data(lineage_query(kind, levels), {"id": generation_id, "depth": depth}), 30)
    return data["generation"][kind]


async def inputs_of(client, generation_id: str) -> list[tuple]:
    data = await client.data(INPUTS, {"id": generation_id})
    found = []
    for item in data["generation"]["inputArtifacts"]:
        assert item["generation"]["id"] == item["generationId"]
        assert item["generation"]["artifactType"] == item["artifactType"]
        found.append((item["generationId"], item["role"], item["artifactType"]))
    return sorted(found)


async def test_inputs_come_from_the_generators_artifact_slots_and_a_uuid_elsewhere_is_not_one(client):
    board_id = await create_board(client, "Sources")
    image = await completed_generation(client, board_id, params={"prompt": "source"})
    mask = await completed_generation(client, board_id, params={"prompt": "mask"})
    video = await completed_generation(client, board_id, "VIDEO", {"prompt": "clip"})
    # test-slots: image (required), mask (optional), references (list), clip (video); `note` is no slot of it.
    mixed = await create_generation(
        client,
        board_id,
        {"image": image, "mask": mask, "references": [image, mask], "clip": video, "strength": 0.5, "note": video},
        generator="test-slots",
    )
    assert await inputs_of(client, image) == []
    assert await inputs_of(client, mixed["id"]) == sorted(
        [
            (image, "image", "IMAGE"),
            (mask, "mask", "IMAGE"),
            (image, "references", "IMAGE"),
            (mask, "references", "IMAGE"),
            (video, "clip", "VIDEO"),
        ]
    )
    assert mixed["inputParams"]["note"] == video  # kept as sent, but not an input

    # Stored in the contract's JSON form on the child, ids lower-case, types lower-case.
    async with client.services.database.read() as session:
        stored = await session.scalar(
            select(models.Generation.input_artifacts).where(models.Generation.id == uuid.UUID(mixed["id"]))
        )
    assert sorted((a["generation_id"], a["role"], a["artifact_type"]) for a in stored) == sorted(
        [
            (image, "image", "image"),
            (mask, "mask", "image"),
            (image, "references", "image"),
            (mask, "references", "image"),
            (video, "clip", "video"),
        ]
    )

    # A generator that takes any field: ids outside its slots (`image`, `images`) are plain params.
    plain = await create_generation(
        client, board_id, {"prompt": "nothing to see", "n": 2, "source": image, "refs": [video]}
    )
    assert plain["inputParams"]["source"] == image
    assert await inputs_of(client, plain["id"]) == []
    names = {video: "V", mixed["id"]: "M", plain["id"]: "P"}
    assert shape(await walk(client, "descendants", video), names) == ("V", 0, None, (("M", 1, "clip", ()),))


async def test_uuids_come_back_canonical_whatever_case_was_sent(client):
    board_id = await create_board(client, "Case")
    source = {"id": await completed_generation(client, board_id)}
    shouting = await create_generation(client, board_id, {"image": source["id"].upper()})
    assert await inputs_of(client, shouting["id"]) == [(source["id"], "image", "IMAGE")]

    data = await client.data(
        "query($b: UUID!, $g: UUID!) { board(id: $b) { id } generation(id: $g) { id boardId } }",
        {"b": board_id.upper(), "g": source["id"].upper()},
    )
    assert data == {"board": {"id": board_id}, "generation": {"id": source["id"], "boardId": board_id}}
    literal = await client.data(f'{{ board(id: "{board_id.upper()}") {{ id createdAt updatedAt }} }}')
    assert literal["board"]["id"] == board_id and is_uuid(literal["board"]["id"])
    assert is_utc(literal["board"]["createdAt"]) and is_utc(literal["board"]["updatedAt"])


async def test_unreadable_generation_is_not_recorded_as_an_input(client, other_client):
    theirs = await create_board(other_client, "Private elsewhere")
    secret = await completed_generation(other_client, theirs)
    board_id = await create_board(client, "Mine")
    body = await client.graphql(
        """mutation($b: UUID!, $p: JSON!) { createGeneration(input: {boardId: $b, generatorName: "test-generator",
            artifactType: IMAGE, inputParams: $p}) { id inputArtifacts { generationId } } }""",
        {"b": board_id, "p": {"image": secret}},
    )
    # Refused as if it did not exist (nothing about the other board leaks), and nothing is stored.
    error_of(body, "BAD_USER_INPUT", "does not exist or you cannot read it")
    generations = await client.data("query($b: UUID!) { board(id: $b) { generationCount } }", {"b": board_id})
    assert generations["board"]["generationCount"] == 0
    descendants = await walk(other_client, "descendants", secret)
    assert descendants["children"] == []


async def test_diamond_ancestry_and_descendants_show_each_path(client):
    board_id = await create_board(client, "Diamond")
    a = await completed_generation(client, board_id, params={"prompt": "root"})
    b = await completed_generation(client, board_id, params={"image": a})
    c = await completed_generation(client, board_id, params={"a": a}, generator="test-pair")
    d = (await create_generation(client, board_id, {"images": [b, c]}))["id"]
    names = {a: "A", b: "B", c: "C", d: "D"}

    ancestry = await walk(client, "ancestry", d)
    assert shape(ancestry, names) == (
        "D",
        0,
        None,
        (
            ("B", 1, "images", (("A", 2, "image", ()),)),
            ("C", 1, "images", (("A", 2, "a", ()),)),
        ),
    )
    descendants = await walk(client, "descendants", a)
    assert shape(descendants, names) == (
        "A",
        0,
        None,
        (
            ("B", 1, "image", (("D", 2, "images", ()),)),
            ("C", 1, "a", (("D", 2, "images", ()),)),
        ),
    )
    # A leaf has no children, a root no parents.
    assert shape(await walk(client, "descendants", d), names) == ("D", 0, None, ())
    assert shape(await walk(client, "ancestry", a), names) == ("A", 0, None, ())

    # maxDepth cuts the walk.
    assert shape(await walk(client, "ancestry", d, depth=1), names) == (
        "D",
        0,
        None,
        (("B", 1, "images", ()), ("C", 1, "images", ())),
    )
    assert shape(await walk(client, "descendants", a, depth=1), names) == (
        "A",
        0,
        None,
        (("B", 1, "image", ()), ("C", 1, "a", ())),
    )


async def test_max_depth_defaults_to_25(client):
    board_id = await create_board(client, "Chain")
    chain = [await completed_generation(client, board_id, params={"prompt": "start"})]
    for _ in range(27):
        chain.append(await completed_generation(client, board_id, params={"image": chain[-1]}))

    def depths(node: dict, key: str) -> list[tuple[str, int]]:
        out = []
        while node is not None:
            out.append((node["generation"]["id"], node["depth"]))
            below = node.get(key) or []
            assert len(below) <= 1
            node = below[0] if below else None
        return out

    query = lineage_query("ancestry", levels=30, with_depth=False)
    ancestry = (await client.data(query, {"id": chain[-1]}))["generation"]["ancestry"]
    assert depths(ancestry, "parents") == [(chain[27 - i], i) for i in range(26)]

    query = lineage_query("descendants", levels=30, with_depth=False)
    descendants = (await client.data(query, {"id": chain[0]}))["generation"]["descendants"]
    assert depths(descendants, "children") == [(chain[i], i) for i in range(26)]

    short = await walk(client, "ancestry", chain[-1], depth=3)
    assert depths(short, "parents") == [(chain[27 - i], i) for i in range(4)]


async def test_cycles_end_and_never_repeat_a_node_on_a_path(client):
    board_id = await create_board(client, "Loop")
    a = await completed_generation(client, board_id, params={"prompt": "a"})
    b = await completed_generation(client, board_id, params={"image": a})
    c = await completed_generation(client, board_id, params={"image": b})
    # The API cannot make a cycle (a child is always newer than its completed inputs): rows written by hand.
    names = {a: "A", b: "B", c: "C"}
    insert = text(
        "INSERT INTO generation_lineage (generation_id, position, input_generation_id, role, artifact_type)"
        " VALUES (:g, :p, :i, :r, 'image')"
    )
    async with client.services.database.write() as session:
        await session.execute(insert, {"g": a, "p": 0, "i": c, "r": "loop"})  # A <- C closes A -> B -> C -> A
        await session.execute(insert, {"g": c, "p": 1, "i": c, "r": "self"})  # C names itself

    for kind, start in (("ancestry", a), ("descendants", a), ("ancestry", c), ("descendants", c)):
        tree = await walk(client, kind, start, levels=12)
        for path in paths(tree):
            assert len(path) == len(set(path)), (kind, [names[g] for g in path])

    assert shape(await walk(client, "ancestry", a, levels=12), names) == (
        "A",
        0,
        None,
        (("C", 1, "loop", (("B", 2, "image", ()),)),),
    )
    assert shape(await walk(client, "descendants", a, levels=12), names) == (
        "A",
        0,
        None,
        (("B", 1, "image", (("C", 2, "image", ()),)),),
    )
    assert shape(await walk(client, "ancestry", c, levels=12), names) == (
        "C",
        0,
        None,
        (("B", 1, "image", (("A", 2, "image", ()),)),),
    )


async def test_lineage_shows_only_generations_the_caller_may_read(client, other_client):
    # The other artist, an editor on my board, makes something on their private board from my image.
    mine = await create_board(client, "My sources")
    source = await completed_generation(client, mine, params={"prompt": "source"})
    await add_member(client, mine, await my_id(other_client), "EDITOR")
    theirs = await create_board(other_client, "Their remixes")
    remix = (await create_generation(other_client, theirs, {"image": source}))["id"]
    assert await inputs_of(other_client, remix) == [(source, "image", "IMAGE")]
    names = {source: "S", remix: "R"}
    assert shape(await walk(other_client, "descendants", source), names) == ("S", 0, None, (("R", 1, "image", ()),))

    # I cannot read their board: the remix is not among my image's descendants.
    assert shape(await walk(client, "descendants", source), names) == ("S", 0, None, ())

    # Once they are off my board, my image leaves their remix's visible lineage.
    await client.data(
        "mutation($b: UUID!, $u: UUID!) { removeBoardMember(boardId: $b, userId: $u) { id } }",
        {"b": mine, "u": await my_id(other_client)},
    )
    assert shape(await walk(other_client, "ancestry", remix), names) == ("R", 0, None, ())
    data = await other_client.data(INPUTS.replace("createdAt", ""), {"id": remix})
    for item in data["generation"]["inputArtifacts"]:
        assert item["generation"] is None


async def test_regenerate_keeps_inputs_and_a_deleted_input_leaves_its_children(client):
    board_id = await create_board(client, "Derived")
    source = await completed_generation(client, board_id, params={"prompt": "source"})
    child = (await create_generation(client, board_id, {"image": source, "prompt": "variation"}))["id"]
    again = (await client.data("mutation($id: UUID!) { regenerate(id: $id) { id } }", {"id": child}))["regenerate"][
        "id"
    ]
    names = {source: "S", child: "C", again: "C2"}

    assert await inputs_of(client, again) == [(source, "image", "IMAGE")]
    assert shape(await walk(client, "descendants", source), names) == (
        "S",
        0,
        None,
        (("C", 1, "image", ()), ("C2", 1, "image", ())),
    )

    await client.data("mutation($id: UUID!) { deleteGeneration(id: $id) }", {"id": source})
    for survivor in (child, again):
        data = await client.data(INPUTS.replace("createdAt", ""), {"id": survivor})
        assert all(item["generation"] is None for item in data["generation"]["inputArtifacts"])
        assert shape(await walk(client, "ancestry", survivor), names)[3] == ()
    assert (await client.data("query($id: UUID!) { board(id: $id) { generationCount } }", {"id": board_id}))[
        "board"
    ] == {"generationCount": 2}
