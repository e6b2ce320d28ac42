"""ComfyUI workflow files and their mappings: the input model made from them, and what is wrong with a bad one."""

from __future__ import annotations

import copy
import json

import pytest
from pydantic import ValidationError

from boards_desktop.generators.providers.comfyui_catalog import SHIPPED_DIR, find_workflows
from boards_desktop.generators.providers.comfyui_workflows import WorkflowError, load_workflow, parse_workflow
from boards_desktop.providers.comfyui_refusals import execution_error_message, refusal_message
from tests.providers.comfyui_support import IMAGE_TO_IMAGE, IMAGE_TO_IMAGE_MAPPING

ARTIFACT = {"generation_id": "g", "storage_url": "/api/storage/b/g/a.png", "format": "png"}


def test_the_shipped_workflow_takes_the_usual_inputs_with_bounds_and_defaults():
    workflow = load_workflow(SHIPPED_DIR / "text-to-image.json")
    assert workflow.generator_name == "comfyui/text-to-image" and workflow.outputs == ("9",)
    model = workflow.input_model()
    schema = model.model_json_schema()
    assert schema["required"] == ["prompt"]
    assert list(schema["properties"]) == [
        "prompt",
        "negative_prompt",
        "seed",
        "steps",
        "cfg",
        "width",
        "height",
        "checkpoint",
    ]
    assert schema["properties"]["width"]["multipleOf"] == 8 and schema["properties"]["steps"]["maximum"] == 200
    inputs = model(prompt="a kite", width=768)
    assert (inputs.height, inputs.steps, inputs.seed) == (512, 20, None)
    assert inputs.checkpoint == "v1-5-pruned-emaonly-fp16.safetensors"
    with pytest.raises(ValidationError, match="width"):
        model(prompt="a kite", width=770)
    with pytest.raises(ValidationError, match="extra"):
        model(prompt="a kite", sampler="euler")

    graph = workflow.graph_for({"prompt": "a kite", "width": 768, "seed": 7, "negative_prompt": None})
    assert graph["6"]["inputs"]["text"] == "a kite" and graph["5"]["inputs"]["width"] == 768
    assert graph["3"]["inputs"]["seed"] == 7 and graph["7"]["inputs"]["text"] == "blurry, low quality, watermark, text"
    assert workflow.graph["6"]["inputs"]["text"] == ""  # the workflow itself is left as it was


def test_a_mapping_beside_the_file_makes_image_slots_and_typed_fields(tmp_path):
    (tmp_path / "img2img.json").write_text(json.dumps(IMAGE_TO_IMAGE))
    mapping = copy.deepcopy(IMAGE_TO_IMAGE_MAPPING)
    mapping["inputs"]["style"] = {"to": ["2.text", "3.text"], "choices": ["ink", "oil"], "default": "ink"}
    mapping["inputs"]["seed_again"] = "12.seed"  # any other name: the graph's value decides the type
    (tmp_path / "img2img.mapping.json").write_text(json.dumps(mapping))
    workflow = load_workflow(tmp_path / "img2img.json")
    assert [slot.kind for slot in workflow.slots] == ["text", "image", "seed", "number", "text", "integer"]
    model = workflow.input_model()
    schema = model.model_json_schema()
    assert schema["properties"]["image"]["$ref"] == "#/$defs/ImageArtifact"
    assert schema["properties"]["style"]["enum"] == ["ink", "oil"]
    assert schema["properties"]["seed_again"]["default"] == 5
    inputs = model(prompt="autumn", image=ARTIFACT, strength=0.3)
    assert inputs.style == "ink"
    with pytest.raises(ValidationError, match="image"):
        model(prompt="autumn")
    graph = workflow.graph_for({"style": "oil", "image": "boards-desktop/abc.png"})
    assert graph["2"]["inputs"]["text"] == graph["3"]["inputs"]["text"] == "oil"
    assert graph["10"]["inputs"]["image"] == "boards-desktop/abc.png"


@pytest.mark.parametrize(
    ("graph", "mapping", "reason"),
    [
        ({"nodes": [], "links": []}, {"inputs": {"prompt": "6.text"}}, "ComfyUI's own workflow format, not the API"),
        ({"3": {"inputs": {}}}, {"inputs": {"prompt": "3.text"}}, "node 3 has no class_type"),
        (IMAGE_TO_IMAGE, {"inputs": {}}, 'the mapping has no "inputs"'),
        (IMAGE_TO_IMAGE, {"inputs": {"prompt": "99.text"}}, "inputs.prompt: the workflow has no node 99"),
        (
            IMAGE_TO_IMAGE,
            {"inputs": {"prompt": "2.txt"}},
            "node 2 (CLIPTextEncode) has no input 'txt'; it has clip, text",
        ),
        (IMAGE_TO_IMAGE, {"inputs": {"prompt": "2.clip"}}, "inputs.prompt: 2.clip is connected to node 1"),
        (IMAGE_TO_IMAGE, {"inputs": {"Prompt": "2.text"}}, "inputs.Prompt: a name is lower case"),
        (IMAGE_TO_IMAGE, {"inputs": {"prompt": "text"}}, 'give the node input as "<node id>.<input>"'),
        (
            IMAGE_TO_IMAGE,
            {"inputs": {"steps": "2.text"}},
            "inputs.steps: the value in the graph ('') is not a whole number",
        ),
        (IMAGE_TO_IMAGE, {"inputs": {"x": {"to": "2.text", "type": "colour"}}}, "type 'colour' is not one of"),
        (IMAGE_TO_IMAGE, {"inputs": {"prompt": "2.text"}, "outputs": ["77"]}, "outputs: the workflow has no node 77"),
    ],
)
def test_a_workflow_that_cannot_be_used_says_what_to_change(graph, mapping, reason):
    with pytest.raises(WorkflowError) as refused:
        parse_workflow("mine", copy.deepcopy(graph), mapping, source="mine.json")
    assert reason in str(refused.value)


def test_a_folder_of_files_gives_its_workflows_and_each_problem_with_its_path(tmp_path):
    (tmp_path / "good.json").write_text(json.dumps({"workflow": IMAGE_TO_IMAGE, **IMAGE_TO_IMAGE_MAPPING}))
    (tmp_path / "broken.json").write_text('{"3": {"class_type": ')
    (tmp_path / "bare.json").write_text(json.dumps(IMAGE_TO_IMAGE))
    (tmp_path / "orphan.mapping.json").write_text(json.dumps(IMAGE_TO_IMAGE_MAPPING))
    (tmp_path / "has space.json").write_text(json.dumps({"workflow": IMAGE_TO_IMAGE, **IMAGE_TO_IMAGE_MAPPING}))
    found = find_workflows([SHIPPED_DIR, tmp_path])
    assert set(found.workflows) == {"text-to-image", "good"}
    problems = {problem.path.rsplit("/", 1)[1]: problem.reason for problem in found.problems}
    assert problems["broken.json"].startswith("broken.json is not valid JSON: Expecting value at line 1")
    assert problems["bare.json"].startswith("it has no mapping: add bare.mapping.json beside it")
    assert problems["orphan.mapping.json"] == "a mapping without its workflow: put orphan.json beside it"
    assert problems["has space.json"].startswith("the file name is used as the generator's name")


def test_comfyuis_refusals_become_sentences_about_the_node_and_the_input():
    body = {
        "error": {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation"},
        "node_errors": {
            "3": {
                "class_type": "KSampler",
                "errors": [
                    {
                        "type": "value_bigger_than_max",
                        "message": "Value 20000 bigger than max of 10000",
                        "details": "steps",
                        "extra_info": {"input_name": "steps", "received_value": 20000},
                    },
                ],
            },
        },
    }
    assert refusal_message(body, {("3", "steps"): "steps"}) == (
        "ComfyUI refused the workflow: node 3 (KSampler): Value 20000 bigger than max of 10000: steps "
        "(your input steps)"
    )
    unknown = {
        "error": {
            "type": "invalid_prompt",
            "message": "Cannot execute because node FaceDetailer does not exist.",
            "details": "Node ID '#31'",
        },
        "node_errors": {},
    }
    assert refusal_message(unknown).startswith("this workflow needs the custom node FaceDetailer (node 31)")
    assert refusal_message({"error": {"type": "prompt_no_outputs", "message": "Prompt has no outputs"}}) == (
        "ComfyUI refused the workflow: it has no output node; add a Save Image node to it"
    )
    failed = {"node_id": "8", "node_type": "VAEDecode", "exception_type": "RuntimeError", "exception_message": "boom"}
    assert execution_error_message(failed) == "ComfyUI failed at node 8 (VAEDecode): RuntimeError: boom"
