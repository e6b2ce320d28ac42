"""A ComfyUI workflow found in an uploaded picture becomes a workflow generator in one call, through the real app
and the fake ComfyUI on 127.0.0.1; and every refusal says why, and leaves the workflow folder as it was."""

from __future__ import annotations

import copy
import json

import pytest

from boards_desktop.generators.providers.comfyui_from_file import derive_mapping, workflow_file_name
from boards_desktop.generators.providers.comfyui_workflows import WorkflowError
from tests.app_harness import running_app
from tests.fakes.harness import free_port
from tests.graphql.helpers import add_member, create_board, error_of, my_id
from tests.jobs.support import queue, wait_for
from tests.metadata import tool_files
from tests.providers.comfyui_support import app_on_comfyui, comfyui_fake, listed
from tests.uploads.support import upload

ADD = """mutation($id: UUID!, $name: String!) { addComfyWorkflowFromGeneration(generationId: $id, name: $name) {
    generatorName file inputParams generator { name displayName available inputSchema } } }"""

# What ComfyUI's Save Image writes into a picture made with its default graph (a checkpoint the fake has).
GRAPH = {
    "3": {"class_type": "KSampler", "inputs": {
        "seed": 1234, "steps": 6, "cfg": 5.5, "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0,
        "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 320, "height": 192, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a paper boat on a pond", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "people", "clip": ["4", 1]}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
}  # fmt: skip


def comfyui_picture(graph: dict | None = GRAPH, *, editor: bool = True) -> bytes:
    texts = {}
    if graph is not None:
        texts["prompt"] = json.dumps(graph)
    if editor:
        texts["workflow"] = json.dumps(tool_files.COMFYUI_WORKFLOW)
    return tool_files.png_with_texts(texts)


async def uploaded(client, board: str, content: bytes, filename: str = "boat.png") -> str:
    response = await upload(client, board, content, filename=filename, mime="image/png")
    assert response.status_code == 200, response.text
    return response.json()["id"]


def workflow_files(data_dir) -> list[str]:
    folder = data_dir / "comfyui-workflows"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


async def test_a_pictures_workflow_becomes_a_generator_that_runs(database_url, tmp_path):
    data = tmp_path / "data"
    async with comfyui_fake() as (fake, server), app_on_comfyui(database_url, data, server.url) as client:
        board = await create_board(client, "Boats")
        picture = await uploaded(client, board, comfyui_picture())

        added = (await client.data(ADD, {"id": picture, "name": "  Paper boat  "}))["addComfyWorkflowFromGeneration"]
        assert added["generatorName"] == "comfyui/paper-boat"
        assert added["file"] == str(data / "comfyui-workflows" / "paper-boat.json")
        assert added["generator"]["displayName"] == "Paper boat" and added["generator"]["available"] is True
        assert added["inputParams"] == {
            "prompt": "a paper boat on a pond",
            "negative_prompt": "people",
            "seed": 1234,
            "steps": 6,
            "cfg": 5.5,
            "width": 320,
            "height": 192,
            "checkpoint": "sd_xl_base_1.0.safetensors",
        }
        schema = added["generator"]["inputSchema"]
        assert list(schema["properties"]) == list(added["inputParams"])
        assert schema["required"] == ["prompt"] and schema["properties"]["steps"]["default"] == 6
        # Offered now, and kept where the artist's own workflows are: the next start offers it again.
        assert (await listed(client, "comfyui/paper-boat"))["available"] is True
        stored = json.loads((data / "comfyui-workflows" / "paper-boat.json").read_text())
        assert stored["workflow"] == GRAPH and stored["outputs"] == ["9"] and stored["title"] == "Paper boat"

        job = await queue(client, board, "comfyui/paper-boat", {"prompt": "a kite", "seed": 7, "width": 256})
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        sent = fake.prompts[-1]["prompt"]
        assert sent["6"]["inputs"]["text"] == "a kite" and sent["3"]["inputs"]["seed"] == 7
        assert (sent["5"]["inputs"]["width"], sent["5"]["inputs"]["height"], sent["3"]["inputs"]["steps"]) == (
            256,
            192,
            6,
        )

        # The same name again, or the shipped workflow's: refused, nothing written.
        for name, taken in (("paper boat", "comfyui/paper-boat"), ("Text to image", "comfyui/text-to-image")):
            error_of(await client.graphql(ADD, {"id": picture, "name": name}), "CONFLICT", f"exists already ({taken})")
        assert workflow_files(data) == ["paper-boat.json"]

    async with running_app(database_url, data, BOARDS_COMFYUI_URL=server.url) as again:
        assert await listed(again, "comfyui/paper-boat") is not None


async def test_refusals_say_why_and_write_nothing(database_url, tmp_path):
    data = tmp_path / "data"
    async with comfyui_fake() as (_, server), app_on_comfyui(database_url, data, server.url) as client:
        board = await create_board(client, "Refusals")
        editor_only = await uploaded(client, board, comfyui_picture(None), "editor.png")
        webui = await uploaded(client, board, tool_files.webui_png(), "webui.png")
        good = await uploaded(client, board, comfyui_picture(), "good.png")

        body = await client.graphql(ADD, {"id": editor_only, "name": "Editor"})
        message = error_of(body, "BAD_USER_INPUT", "only ComfyUI's editor workflow")["message"]
        assert "Save Image" in message and "Export (API)" in message
        error_of(await client.graphql(ADD, {"id": webui, "name": "WebUI"}), "BAD_USER_INPUT", "no ComfyUI workflow")
        error_of(await client.graphql(ADD, {"id": good, "name": " !! "}), "BAD_USER_INPUT", "with a letter or a digit")

        # A viewer of the board (another artist, on the same database) is refused.
        async with running_app(database_url, tmp_path / "viewer", BOARDS_COMFYUI_URL=server.url) as viewer:
            await add_member(client, board, await my_id(viewer), role="VIEWER")
            body = await viewer.graphql(ADD, {"id": good, "name": "Mine"})
            error_of(body, "FORBIDDEN", "Only the editor role (or higher)")
            assert workflow_files(tmp_path / "viewer") == []
        assert workflow_files(data) == []

    # ComfyUI does not answer where the app looks for it: it says where the address is set.
    async with running_app(database_url, data, BOARDS_COMFYUI_URL=f"http://127.0.0.1:{free_port()}") as client:
        body = await client.graphql(ADD, {"id": good, "name": "Boat"})
        message = error_of(body, "BAD_USER_INPUT", "ComfyUI does not answer at http://127.0.0.1:")["message"]
        assert "Settings › Local engines" in message and "BOARDS_COMFYUI_URL" in message
        assert workflow_files(data) == []


def test_the_mapping_follows_links_to_the_nodes_that_hold_the_values():
    # Through a LoRA to the checkpoint (the fixture as ComfyUI writes it).
    mapping = derive_mapping(copy.deepcopy(tool_files.COMFYUI_PROMPT))
    assert mapping == {
        "inputs": {
            "prompt": "6.text",
            "negative_prompt": "7.text",
            "seed": "3.seed",
            "steps": "3.steps",
            "cfg": "3.cfg",
            "width": "5.width",
            "height": "5.height",
            "checkpoint": "4.ckpt_name",
        },
        "outputs": ["9"],
    }
    # Image to image: the loaded image is a slot and the denoise is the strength; a seed from a primitive node.
    graph = copy.deepcopy(GRAPH)
    graph["10"] = {"class_type": "LoadImage", "inputs": {"image": "boat.png"}}
    graph["11"] = {"class_type": "VAEEncode", "inputs": {"pixels": ["10", 0], "vae": ["4", 2]}}
    graph["12"] = {"class_type": "PrimitiveNode", "inputs": {"value": 99}}
    graph["3"]["inputs"].update(latent_image=["11", 0], seed=["12", 0], denoise=0.55)
    inputs = derive_mapping(graph)["inputs"]
    assert inputs["image"] == "10.image" and inputs["denoise"] == "3.denoise" and inputs["seed"] == "12.value"
    assert "width" not in inputs
    # SDXL's encoder: one prompt fills both of its texts.
    graph = copy.deepcopy(GRAPH)
    graph["6"] = {"class_type": "CLIPTextEncodeSDXL", "inputs": {"text_g": "boat", "text_l": "boat", "clip": ["4", 1]}}
    assert derive_mapping(graph)["inputs"]["prompt"] == ["6.text_g", "6.text_l"]
    # Nothing it could run: said so.
    with pytest.raises(WorkflowError, match="saves no image"):
        derive_mapping({k: v for k, v in GRAPH.items() if k != "9"})


@pytest.mark.parametrize(
    ("name", "file"),
    [("Paper boat", "paper-boat"), ("Héron — ink v2", "heron-ink-v2"), ("...", ""), ("x" * 90, "x" * 80)],
)
def test_a_name_becomes_a_file_name(name, file):
    assert workflow_file_name(name) == file
