"""The composer reads every kind of field pydantic v2 writes in a JSON schema (js/composer/schema.js)."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field

from boards_desktop.generators import AudioArtifact, ImageArtifact, VideoArtifact
from boards_desktop.generators.artifacts import TextArtifact


class Colour(str, Enum):
    red = "red"
    blue = "blue"


class Size(int, Enum):
    small = 1
    large = 2


class Nested(BaseModel):
    a: int = 1


class Everything(BaseModel):
    prompt: str
    negative_prompt: str | None = None
    name: str = Field("x", max_length=20)
    story: str = Field("", max_length=5000)
    colour_hex: str = Field("#112233", pattern=r"^#[0-9a-fA-F]{6}$")
    count: int = Field(3, ge=1, le=9)
    ratio: float = Field(0.5, gt=0, lt=1)
    free: float = 1.5
    above: int = Field(1, gt=0)
    maybe_count: int | None = Field(None, ge=0, le=100)
    flag: bool = True
    maybe_flag: bool | None = None
    literal: Literal["a", "b"] = "a"
    colour: Colour = Colour.red
    maybe_colour: Colour | None = None
    size: Size = Size.small
    tags: list[str] = Field(default_factory=list, max_length=5)
    numbers: list[int] = Field(default_factory=list)
    colours: list[Colour] = Field(default_factory=list)
    literals: list[Literal["x", "y"]] | None = None
    image: ImageArtifact
    mask: ImageArtifact | None = None
    frames: list[ImageArtifact] = Field(default_factory=list, max_length=3)
    clips: list[VideoArtifact] | None = None
    voice: AudioArtifact | None = None
    notes: TextArtifact | None = None
    nested: Nested = Nested()
    mapping: dict[str, int] = Field(default_factory=dict)
    either: int | str = 1


def test_every_pydantic_field_kind_becomes_its_control(page) -> None:
    fields = page.evaluate(
        "schema => import('/ui/js/composer/schema.js').then((m) => m.fieldsOf(schema))",
        Everything.model_json_schema(),
    )
    by_name = {f["name"]: f for f in fields}
    assert [f["name"] for f in fields] == list(Everything.model_fields)  # in the model's order

    def kind(name: str) -> str:
        return by_name[name]["kind"]

    assert kind("prompt") == "textarea" and by_name["prompt"]["required"] is True
    assert kind("negative_prompt") == "textarea" and by_name["negative_prompt"]["nullable"] is True
    assert kind("name") == "text" and by_name["name"]["maxLength"] == 20
    assert kind("story") == "textarea"  # a long text
    assert kind("colour_hex") == "color"
    assert kind("count") == "integer" and (by_name["count"]["min"], by_name["count"]["max"]) == (1, 9)
    ratio = by_name["ratio"]
    assert ratio["kind"] == "number" and ratio["exclusiveMin"] and ratio["exclusiveMax"]
    assert kind("free") == "number" and "min" not in by_name["free"]
    assert by_name["above"]["min"] == 0 and by_name["above"]["exclusiveMin"] is True
    maybe = by_name["maybe_count"]
    assert maybe["kind"] == "integer" and maybe["nullable"] and (maybe["min"], maybe["max"]) == (0, 100)
    assert kind("flag") == "boolean" and by_name["flag"]["default"] is True
    assert kind("maybe_flag") == "boolean" and by_name["maybe_flag"]["nullable"] is True
    assert by_name["literal"]["options"] == ["a", "b"]
    assert kind("colour") == "enum" and by_name["colour"]["options"] == ["red", "blue"]  # $ref to $defs
    assert (
        by_name["maybe_colour"]["options"] == ["red", "blue"] and by_name["maybe_colour"]["nullable"]
    )  # anyOf [$ref, null]
    assert by_name["size"]["options"] == [1, 2]
    assert kind("tags") == "list" and by_name["tags"]["item"]["kind"] == "text" and by_name["tags"]["maxItems"] == 5
    assert kind("numbers") == "list" and by_name["numbers"]["item"]["kind"] == "integer"
    assert kind("colours") == "multi-enum" and by_name["colours"]["options"] == ["red", "blue"]
    assert kind("literals") == "multi-enum" and by_name["literals"]["nullable"]
    slots = {
        name: (by_name[name]["artifactType"], by_name[name]["many"])
        for name in ("image", "mask", "frames", "clips", "voice", "notes")
    }
    assert slots == {
        "image": ("image", False),
        "mask": ("image", False),
        "frames": ("image", True),
        "clips": ("video", True),
        "voice": ("audio", False),
        "notes": ("text", False),
    }
    assert by_name["image"]["required"] and not by_name["mask"]["required"]
    assert by_name["frames"]["maxItems"] == 3
    assert kind("nested") == "json" and kind("mapping") == "json" and kind("either") == "json"
    assert by_name["count"]["description"] is None and by_name["count"]["title"] == "Count"


def test_the_server_s_refusals_are_split_by_field(page) -> None:
    split = page.evaluate(
        """message => import('/ui/js/composer/composer.js').then((m) => m.splitErrors(message, new Set(['image', 'steps', 'references'])))""",
        "inputParams.image: generation 1 is a text; this input takes an image; inputParams.steps: too big; "
        "inputParams.references.1: not an id; inputParams: the padding leaves no room; generatorName: gone",
    )
    assert split["fields"] == {
        "image": "generation 1 is a text; this input takes an image",
        "steps": "too big",
        "references": "not an id (item 2)",
    }
    assert split["rest"] == ["the padding leaves no room", "gone"]
