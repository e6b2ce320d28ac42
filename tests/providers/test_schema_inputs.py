"""Input models from real model schemas (Replicate's Cog OpenAPI, fal's per-endpoint OpenAPI): forms and checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from boards_desktop.generators.input_slots import artifact_slots
from boards_desktop.generators.schema_inputs import input_model_from_schema, media_kind

FIXTURES = Path(__file__).with_name("fixtures")


def _document(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _model(fixture: str, component: str):
    document = _document(fixture)
    return input_model_from_schema(f"{fixture} {component}", document["components"]["schemas"][component], document)


def _image(generation_id: str = "00000000-0000-0000-0000-000000000001") -> dict:
    return {"generation_id": generation_id, "storage_url": "/api/storage/b/g/f.png", "format": "png"}


def _slots(model) -> dict[str, tuple[str, bool, bool]]:
    return {name: (slot.artifact_type, slot.many, slot.required) for name, slot in artifact_slots(model).items()}


def test_replicate_flux_schnell_becomes_a_form_in_its_own_order_with_its_choices_and_bounds():
    model = _model("replicate-flux-schnell.json", "Input")
    schema = model.model_json_schema()
    assert list(schema["properties"]) == [
        "prompt", "aspect_ratio", "num_outputs", "num_inference_steps", "seed", "output_format",
        "output_quality", "disable_safety_checker", "go_fast", "megapixels",
    ]  # fmt: skip
    assert schema["required"] == ["prompt"]
    ratio = schema["properties"]["aspect_ratio"]
    assert ratio["enum"][:3] == ["1:1", "16:9", "21:9"] and ratio["default"] == "1:1"
    assert ratio["description"] == "Aspect ratio for the generated image"
    outputs = schema["properties"]["num_outputs"]
    assert (outputs["minimum"], outputs["maximum"], outputs["default"]) == (1, 4, 1)
    assert _slots(model) == {}

    inputs = model.model_validate({"prompt": "a fox", "num_outputs": 2, "megapixels": "0.25"})
    assert inputs.model_dump(by_alias=True, exclude_none=True) == {
        "prompt": "a fox", "aspect_ratio": "1:1", "num_outputs": 2, "num_inference_steps": 4, "output_format": "webp",
        "output_quality": 80, "disable_safety_checker": False, "go_fast": True, "megapixels": "0.25",
    }  # fmt: skip
    for bad, field in (
        ({"prompt": "a fox", "num_outputs": 5}, "num_outputs"),
        ({"prompt": "a fox", "aspect_ratio": "7:5"}, "aspect_ratio"),
        ({"num_outputs": 1}, "prompt"),
        ({"prompt": "a fox", "guidance": 3}, "guidance"),  # not an input of this model
    ):
        with pytest.raises(ValidationError) as raised:
            model.model_validate(bad)
        assert raised.value.errors()[0]["loc"][0] == field


def test_replicate_inpainting_takes_an_image_and_a_mask_as_artifact_slots():
    model = _model("replicate-flux-fill.json", "Input")
    assert _slots(model) == {"image": ("image", False, True), "mask": ("image", False, False)}
    schema = model.model_json_schema()
    assert schema["properties"]["image"]["$ref"] == "#/$defs/ImageArtifact"
    assert schema["properties"]["guidance"]["minimum"] == 1.5 and schema["properties"]["guidance"]["default"] == 60
    inputs = model.model_validate({"image": _image(), "prompt": "a hat"})
    assert inputs.image.generation_id.endswith("1") and inputs.mask is None


def test_replicate_image_to_video_takes_first_last_and_reference_images():
    model = _model("replicate-kling-image-to-video.json", "Input")
    assert _slots(model) == {
        "start_image": ("image", False, False),
        "end_image": ("image", False, False),
        "reference_images": ("image", True, False),
    }
    duration = model.model_json_schema()["properties"]["duration"]
    assert duration["enum"] == [5, 10] and duration["default"] == 5
    with pytest.raises(ValidationError):
        model.model_validate({"prompt": "waves", "duration": 7})


def test_fal_flux_dev_keeps_fal_order_unions_and_optional_seed():
    document = _document("fal-flux-dev.json")
    body = document["paths"]["/fal-ai/flux/dev"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    model = input_model_from_schema("fal-ai/flux/dev", body, document)
    schema = model.model_json_schema()
    assert list(schema["properties"])[:4] == ["prompt", "num_images", "image_size", "acceleration"]
    assert schema["properties"]["prompt"]["examples"][0].startswith("Extreme close-up")
    size = schema["properties"]["image_size"]
    kinds = sorted("$ref" in option and "object" or "enum" for option in size["anyOf"])
    assert kinds == ["enum", "object"] and size["default"] == "landscape_4_3"
    inputs = model.model_validate({"prompt": "a tiger", "image_size": {"width": 640, "height": 480}})
    assert inputs.model_dump(by_alias=True, exclude_none=True)["image_size"] == {"width": 640, "height": 480}
    assert model.model_validate({"prompt": "x", "image_size": "square_hd"}).image_size == "square_hd"
    assert model.model_validate({"prompt": "x", "seed": None}).seed is None
    for bad in ({"prompt": "x", "image_size": {"width": 0, "height": 10}}, {"prompt": "x", "image_size": "huge"},
                {"prompt": "x", "guidance_scale": 25}):  # fmt: skip
        with pytest.raises(ValidationError):
            model.model_validate(bad)
    assert _slots(model) == {}


def test_fal_image_video_and_audio_urls_become_slots_of_their_kind():
    kling = _document("fal-kling-image-to-video.json")
    video_model = input_model_from_schema(
        "kling", kling["components"]["schemas"]["KlingVideoV16StandardImageToVideoInput"], kling
    )
    assert _slots(video_model) == {"image_url": ("image", False, True)}
    assert video_model.model_json_schema()["properties"]["prompt"]["maxLength"] == 2500

    media = _document("fal-media-inputs.json")
    schemas = media["components"]["schemas"]
    wizper = input_model_from_schema("wizper", schemas["WizperInput"], media)
    assert _slots(wizper) == {"audio_url": ("audio", False, True)}
    assert wizper.model_json_schema()["properties"]["language"]["default"] == "en"
    assert wizper.model_validate({"audio_url": _image() | {"format": "mp3"}, "language": None}).language is None

    mmaudio = input_model_from_schema("mmaudio", schemas["MMAudioV2Input"], media)
    assert _slots(mmaudio) == {"video_url": ("video", False, True)}
    with pytest.raises(ValidationError):
        mmaudio.model_validate({"video_url": _image(), "prompt": "rain", "seed": 70000})

    banana = input_model_from_schema("nano-banana", schemas["NanoBananaEditInput"], media)
    assert _slots(banana) == {"image_urls": ("image", True, True)}
    with pytest.raises(ValidationError):
        banana.model_validate({"prompt": "make it blue", "image_urls": []})  # minItems 1
    assert len(banana.model_validate({"prompt": "make it blue", "image_urls": [_image(), _image()]}).image_urls) == 2


def test_names_a_model_cannot_carry_keep_the_services_name_through_an_alias():
    schema = {
        "type": "object",
        "properties": {
            "model_version": {"type": "string", "enum": ["a", "b"], "default": "a"},
            "json": {"type": "boolean", "default": False},
            "input-image": {"type": "string", "format": "uri", "description": "an image"},
            "class": {"type": "integer", "default": 3},
        },
        "required": ["input-image"],
    }
    model = input_model_from_schema("odd names", schema)
    assert list(model.model_json_schema()["properties"]) == ["model_version", "json", "input-image", "class"]
    assert _slots(model) == {"input-image": ("image", False, True)}
    inputs = model.model_validate({"model_version": "b", "json": True, "input-image": _image(), "class": 4})
    dumped = inputs.model_dump(by_alias=True, exclude={"field_input_image"})
    assert dumped == {"model_version": "b", "json": True, "class": 4}


def test_media_kinds_are_told_by_name_first_then_by_description():
    assert [media_kind(name) for name in ("image", "image_url", "input_image", "mask", "video_url", "audio_url")] == [
        "image", "image", "image", "image", "video", "audio",
    ]  # fmt: skip
    assert media_kind("start_image", "First frame of the video") == "image"
    assert media_kind("input", "The video to upscale, then the audio to add") == "video"
    assert media_kind("source_url", "The image to animate into a video") == "image"
    assert media_kind("weights_url", "A LoRA to load") is None


def test_a_schema_that_points_outside_itself_is_refused_in_words():
    from boards_desktop.generators.schema_inputs import SchemaError

    with pytest.raises(SchemaError) as raised:
        input_model_from_schema("x", {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Missing"}}})
    assert "#/components/schemas/Missing" in str(raised.value)
