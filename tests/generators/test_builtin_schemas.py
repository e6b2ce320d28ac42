"""The built-in generators as clients see them: names, descriptions and the input schemas that build the form."""

from __future__ import annotations

import pytest

from boards_desktop.generators.base import BaseGenerator
from boards_desktop.generators.builtin import BUILTIN_GENERATORS
from boards_desktop.generators.input_slots import artifact_slots
from boards_desktop.generators.registry import GeneratorRegistry

NAMES = ["local-title-card", "local-image-resize", "local-image-adjust", "local-contact-sheet", "local-video-frame"]


def _schema(name: str) -> dict:
    generator = next(cls() for cls in BUILTIN_GENERATORS if cls.name == name)
    return generator.get_input_schema().model_json_schema()


def test_the_five_are_local_image_tools_that_may_simply_run_again():
    assert [cls.name for cls in BUILTIN_GENERATORS] == NAMES
    for cls in BUILTIN_GENERATORS:
        assert issubclass(cls, BaseGenerator)
        assert cls.artifact_type == "image" and cls.provider == "local" and cls.rerun_safe is True
        assert len(cls.description) > 30 and "this computer" in cls.description
    title_card = next(cls for cls in BUILTIN_GENERATORS if cls.name == "local-title-card")
    assert "Not an AI model" in title_card.description
    registry = GeneratorRegistry([cls() for cls in BUILTIN_GENERATORS])
    assert [status.name for status in registry.statuses() if status.available] == sorted(NAMES)


async def test_local_work_costs_nothing():
    for cls in BUILTIN_GENERATORS:
        generator = cls()
        assert await generator.estimate_cost(None) == 0.0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "field", "many"),
    [
        ("local-image-resize", "image", False),
        ("local-image-adjust", "image", False),
        ("local-video-frame", "video", False),
    ],
)
def test_artifact_inputs_are_refs_clients_recognise(name, field, many):
    schema = _schema(name)
    definition = "VideoArtifact" if field == "video" else "ImageArtifact"
    assert schema["properties"][field]["$ref"] == f"#/$defs/{definition}"
    assert definition in schema["$defs"] and field in schema["required"]


def test_the_contact_sheet_takes_an_array_of_image_refs():
    images = _schema("local-contact-sheet")["properties"]["images"]
    assert images["type"] == "array" and images["items"] == {"$ref": "#/$defs/ImageArtifact"}
    assert (images["minItems"], images["maxItems"]) == (1, 64)
    generator = next(cls() for cls in BUILTIN_GENERATORS if cls.name == "local-contact-sheet")
    slot = artifact_slots(generator.get_input_schema())["images"]
    assert slot.many and slot.required and slot.artifact_type == "image"


def test_the_title_card_form():
    schema = _schema("local-title-card")
    properties = schema["properties"]
    assert schema["required"] == ["prompt"]
    assert (properties["width"]["default"], properties["width"]["minimum"], properties["width"]["maximum"]) == (
        1024,
        64,
        4096,
    )
    assert (properties["height"]["default"], properties["height"]["minimum"], properties["height"]["maximum"]) == (
        1024,
        64,
        4096,
    )
    assert properties["align"]["enum"] == ["left", "center", "right"] and properties["align"]["default"] == "center"
    assert properties["vertical_align"]["enum"] == ["top", "middle", "bottom"]
    assert properties["font_weight"]["enum"] == ["regular", "bold"]
    for colour in ("background_color", "text_color"):
        assert properties[colour]["pattern"] == "^#[0-9a-fA-F]{6}$" and properties[colour]["format"] == "color"
    gradient_end = properties["gradient_end_color"]
    assert gradient_end["default"] is None and {"type": "null"} in gradient_end["anyOf"]
    assert properties["font_size"]["default"] is None  # empty: fitted to the card
    assert (properties["gradient_angle"]["minimum"], properties["gradient_angle"]["maximum"]) == (0, 360)
    for name, spec in properties.items():
        assert spec.get("title"), f"{name} has no title"


@pytest.mark.parametrize("name", NAMES)
def test_every_field_has_a_title_and_a_default_or_is_required(name):
    schema = _schema(name)
    for field, spec in schema["properties"].items():
        assert spec.get("title"), f"{name}.{field} has no title"
        assert "default" in spec or field in schema.get("required", []), f"{name}.{field} has neither"


def test_the_adjust_and_resize_forms():
    adjust = _schema("local-image-adjust")["properties"]
    for factor in ("brightness", "contrast", "saturation"):
        assert (adjust[factor]["default"], adjust[factor]["minimum"], adjust[factor]["maximum"]) == (1.0, 0, 4)
    assert adjust["grayscale"]["default"] is False and adjust["rotate"]["default"] == 0
    resize = _schema("local-image-resize")["properties"]
    assert resize["mode"]["enum"] == ["longest_side", "width", "height", "scale"]
    assert (resize["size"]["minimum"], resize["size"]["maximum"]) == (1, 8192)
    video = _schema("local-video-frame")["properties"]
    assert video["second"]["default"] == 0.0 and video["second"]["minimum"] == 0
