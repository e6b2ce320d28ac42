"""What a board card and the grid's menus show: cover thumbnails, generator names, prompts."""

from __future__ import annotations

from tests.app_harness import as_stored
from tests.graphql.helpers import create_board, create_generation, error_of, seed_generations

CARDS = """query($limit: Int) { myBoards(limit: 50) {
    id title generationCount coverThumbnails(limit: $limit) generatorNames
} }"""


def _thumb(index: int) -> str:
    return f"/api/storage/thumbs/{index}-thumb.webp"


async def test_covers_are_the_newest_completed_images_and_videos(client):
    board = await create_board(client, "Covers")
    specs = [
        {"artifact_type": "image", "status": "completed", "thumbnail_url": _thumb(0)},
        {"artifact_type": "video", "status": "completed", "thumbnail_url": _thumb(1)},
        {"artifact_type": "image", "status": "failed", "thumbnail_url": None},
        {"artifact_type": "audio", "status": "completed", "thumbnail_url": None},
        {"artifact_type": "image", "status": "completed", "thumbnail_url": _thumb(4)},
        {"artifact_type": "image", "status": "pending", "thumbnail_url": None},
        {"artifact_type": "image", "status": "completed", "thumbnail_url": _thumb(6)},
        {"artifact_type": "image", "status": "completed", "thumbnail_url": _thumb(7)},
    ]
    await seed_generations(client, board, specs)
    empty = await create_board(client, "Empty")

    cards = {card["id"]: card for card in (await client.data(CARDS))["myBoards"]}
    assert [as_stored(url) for url in cards[board]["coverThumbnails"]] == [_thumb(7), _thumb(6), _thumb(4), _thumb(1)]
    assert cards[empty]["coverThumbnails"] == []
    two = {card["id"]: card for card in (await client.data(CARDS, {"limit": 2}))["myBoards"]}
    assert [as_stored(url) for url in two[board]["coverThumbnails"]] == [_thumb(7), _thumb(6)]
    none = {card["id"]: card for card in (await client.data(CARDS, {"limit": 0}))["myBoards"]}
    assert none[board]["coverThumbnails"] == []
    error_of(await client.graphql(CARDS, {"limit": 17}), "BAD_USER_INPUT", "limit must be between 0 and 16")


async def test_generator_names_are_those_used_on_the_board(client):
    board = await create_board(client, "Mixed")
    other = await create_board(client, "Other")
    await seed_generations(client, board, [{"generator_name": name} for name in ("sdxl", "Flux-pro", "sdxl", "gpt")])
    await seed_generations(client, other, [{"generator_name": "kling"}])
    cards = {card["id"]: card for card in (await client.data(CARDS))["myBoards"]}
    assert cards[board]["generatorNames"] == ["Flux-pro", "gpt", "sdxl"]
    assert cards[other]["generatorNames"] == ["kling"]


async def test_prompt_is_the_prompt_param_when_it_is_text(client):
    board = await create_board(client)
    cases = [{"prompt": "a quiet harbour"}, {"prompt": 42}, {"text": "no prompt here"}, {"prompt": ["a", "list"]}]
    await create_generation(client, board, cases[0])
    await seed_generations(client, board, [{"input_params": params} for params in cases[1:]])
    data = await client.data(
        "query($id: UUID!) { board(id: $id) { generations { prompt inputParams } } }", {"id": board}
    )
    prompts = {str(g["inputParams"]): g["prompt"] for g in data["board"]["generations"]}
    assert prompts == {str(cases[0]): "a quiet harbour", str(cases[1]): None, str(cases[2]): None, str(cases[3]): None}
