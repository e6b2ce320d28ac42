"""What an artist calls a generator: display names and icons given or derived, and the form hints
(labels, units, when a field applies) that every shipped generator declares consistently."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from boards_desktop.generators.base import BaseGenerator, GeneratorResult
from boards_desktop.generators.builtin import BUILTIN_GENERATORS
from boards_desktop.generators.form_hints import form_hints, problems_of
from boards_desktop.generators.naming import ICONS, derive_display_name, display_name_of, icon_of
from boards_desktop.generators.providers import PROVIDER_GENERATORS
from boards_desktop.generators.providers.comfyui_workflows import parse_workflow


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        ("local-title-card", "Title card"),
        ("replicate/black-forest-labs/flux-schnell", "Flux schnell"),
        ("fal/fal-ai/fast-sdxl", "Fast SDXL"),
        ("comfyui/text-to-image", "Text to image"),
        ("kwaivgi/kling-v2.1", "Kling v2.1"),
        ("sdxl-lora-trainer", "SDXL LoRA trainer"),
        ("my_upscaler", "My upscaler"),
        ("textToSpeech", "Text to speech"),
        ("openai-image", "OpenAI image"),
        ("local", "Local"),
    ],
)
def test_names_are_derived_from_slugs(slug: str, words: str) -> None:
    assert derive_display_name(slug) == words


class _Plain(BaseGenerator):
    name = "acme-upscale-x4"
    artifact_type = "image"

    def get_input_schema(self) -> type[BaseModel]:
        return BaseModel

    async def generate(self, inputs, context) -> GeneratorResult:  # type: ignore[no-untyped-def]
        return GeneratorResult()


class _Named(_Plain):
    name = "acme-sketch"
    display_name = "Sketch to painting"
    icon = "edit"


class _OddIcon(_Plain):
    icon = "a-drawing-the-page-lacks"


def test_a_plugin_names_itself_or_is_named_from_its_slug() -> None:
    assert (display_name_of(_Plain()), icon_of(_Plain())) == ("Acme upscale x4", "image")
    assert (display_name_of(_Named()), icon_of(_Named())) == ("Sketch to painting", "edit")
    assert icon_of(_OddIcon()) == "image"  # an icon the page cannot draw falls back to the type's


SHIPPED = [*BUILTIN_GENERATORS, *PROVIDER_GENERATORS]


@pytest.mark.parametrize("cls", SHIPPED, ids=lambda cls: cls.name)
def test_every_shipped_generator_has_words_for_an_artist(cls: type[BaseGenerator]) -> None:
    assert cls.display_name and cls.display_name != cls.name and "-" not in cls.display_name
    assert cls.description and not cls.description.lower().startswith(cls.display_name.lower() + ":")
    assert (cls.icon or cls.artifact_type) in ICONS
    schema = cls.get_input_schema(object.__new__(cls)).model_json_schema()
    assert problems_of(schema) == []
    for name, prop in schema["properties"].items():
        # A title written for the field, not the one pydantic makes of a many-word name ("Num Images").
        made_up = " ".join(word.capitalize() for word in name.split("_"))
        assert prop.get("title") and ("_" not in name or prop["title"] != made_up), (name, prop.get("title"))
        if "enum" in prop and any(isinstance(value, str) and "_" in value for value in prop["enum"]):
            assert set(prop.get("x-enum-labels", {})) == set(prop["enum"]), f"{cls.name}.{name} needs labels"


def test_the_hints_checker_finds_what_is_wrong() -> None:
    class Form(BaseModel):
        mode: str = Field("a", json_schema_extra={"enum": ["a", "b"]})
        size: int = Field(1, json_schema_extra=form_hints(unit="px", visible_when={"mode": ["c"], "shape": ["x"]}))
        kind: str = Field("a", json_schema_extra={"enum": ["a"], **form_hints(labels={"a": "A", "z": "Z"})})

    found = problems_of(Form.model_json_schema())
    assert "size: visible when mode is 'c', not an option" in found
    assert "size: visible when 'shape', which is not a field" in found
    assert "kind: a label for 'z', which is not an option" in found


def test_a_comfyui_mapping_may_title_its_workflow() -> None:
    graph = {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat"}}}
    titled = parse_workflow(
        "sketchy", graph, {"title": "Sketchy portraits", "inputs": {"prompt": "6.text"}}, source="x"
    )
    assert titled.title == "Sketchy portraits"
    schema = titled.input_model().model_json_schema()
    assert schema["properties"]["prompt"]["title"] == "Prompt"
