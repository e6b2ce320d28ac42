"""Board.generationShapes: every generation's width over height in the grid's order, for justified rows."""

from __future__ import annotations

from tests.graphql.helpers import create_board, seed_generations

SHAPES = """query($id: UUID!, $filter: GenerationFilter) { board(id: $id) {
    generationShapes(filter: $filter) generations(filter: $filter, limit: 100) { id } } }"""

SPECS = [  # oldest first; the answer is newest first
    {"output_metadata": {"width": 1536, "height": 1024}},  # what it made
    {"artifact_type": "image", "status": "pending", "input_params": {"prompt": "tall", "width": 768, "height": 1344}},
    {"status": "pending", "input_params": {"prompt": "cinema", "aspect_ratio": "16:9"}},
    {"artifact_type": "text", "input_params": {"prompt": "a story"}},  # not known
    {"output_metadata": {"width": "800", "height": 0}, "input_params": {"prompt": "broken", "width": "auto"}},
    {"output_metadata": {"width": 10000, "height": 10}},  # a banner: clamped
    {"artifact_type": "video", "output_metadata": {"width": 720, "height": 1280, "duration": 4}},
]


async def test_shapes_follow_the_grid_order_and_its_filter(client):
    board = await create_board(client, "Shapes")
    ids = await seed_generations(client, board, SPECS)
    data = (await client.data(SHAPES, {"id": board}))["board"]
    assert [g["id"] for g in data["generations"]] == ids[::-1]
    assert data["generationShapes"] == [0.5625, 5.0, None, None, 1.7778, 0.5714, 1.5]

    videos = (await client.data(SHAPES, {"id": board, "filter": {"artifactTypes": ["VIDEO"]}}))["board"]
    assert videos["generationShapes"] == [0.5625]
    searched = (await client.data(SHAPES, {"id": board, "filter": {"search": "tall"}}))["board"]
    assert searched["generationShapes"] == [0.5714]


async def test_an_empty_board_has_no_shapes(client):
    board = await create_board(client, "Empty")
    assert (await client.data(SHAPES, {"id": board}))["board"]["generationShapes"] == []
