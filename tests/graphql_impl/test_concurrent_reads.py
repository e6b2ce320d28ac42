"""Many requests at once: reads on SQLite run on the event loop, so they must never wait on it."""

from __future__ import annotations

import asyncio

BOARD_PAGE = "query($id: UUID!) { board(id: $id) { title owner { id } generations { id } } me { id } }"


async def test_sixty_simultaneous_reads_all_answer(client) -> None:
    board = (await client.data('mutation { createBoard(input: {title: "Crowd"}) { id } }'))["createBoard"]["id"]
    for n in range(3):
        await client.data(
            'mutation($b: UUID!, $p: JSON!) { createGeneration(input: {boardId: $b, generatorName: "test-generator", '
            "artifactType: IMAGE, inputParams: $p}) { id } }",
            {"b": board, "p": {"prompt": f"study {n}"}},
        )
    bodies = await asyncio.wait_for(
        asyncio.gather(*(client.data(BOARD_PAGE, {"id": board}) for _ in range(60))), timeout=30
    )
    assert all(body["board"]["title"] == "Crowd" and len(body["board"]["generations"]) == 3 for body in bodies)


async def test_fifty_simultaneous_writers_through_graphql_all_land(client) -> None:
    create = "mutation($t: String!) { createBoard(input: {title: $t}) { id title owner { id } } }"
    bodies = await asyncio.wait_for(
        asyncio.gather(*(client.data(create, {"t": f"Board {n}"}) for n in range(50))), timeout=60
    )
    assert sorted(body["createBoard"]["title"] for body in bodies) == sorted(f"Board {n}" for n in range(50))
    listed = await client.data("{ myBoards(limit: 100) { title } }")
    assert len(listed["myBoards"]) == 50
