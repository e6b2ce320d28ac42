"""The `generators` query gives what the page shows an artist: display name, icon, description, and
input schemas with labels, units and conditions; the upstream fields are unchanged."""

from __future__ import annotations

QUERY = "{ generators { name displayName icon description artifactType provider inputSchema } }"


async def test_generators_carry_their_display_names_and_icons(client) -> None:
    listed = {g["name"]: g for g in (await client.data(QUERY))["generators"]}
    card = listed["local-title-card"]
    assert (card["displayName"], card["icon"], card["artifactType"]) == ("Title card", "title", "IMAGE")
    assert card["description"].startswith("Your words set in type")
    assert (listed["local-image-resize"]["displayName"], listed["local-image-resize"]["icon"]) == (
        "Resize image",
        "resize",
    )
    # A plugin generator that names nothing is named from its slug, with its type's icon.
    plain = listed["test-unavailable"]
    assert (plain["displayName"], plain["icon"]) == ("Test unavailable", "image")
    assert all(g["displayName"] and g["icon"] for g in listed.values())


async def test_input_schemas_carry_labels_units_and_when_a_field_applies(client) -> None:
    listed = {g["name"]: g for g in (await client.data(QUERY))["generators"]}
    resize = listed["local-image-resize"]["inputSchema"]["properties"]
    assert resize["mode"]["x-enum-labels"]["longest_side"] == "Longest side"
    assert resize["size"]["x-unit"] == "px"
    assert resize["scale"]["x-visible-when"] == {"mode": ["scale"]}
    assert resize["size"]["x-visible-when"] == {"mode": ["longest_side", "width", "height"]}
    card = listed["local-title-card"]["inputSchema"]["properties"]
    assert card["gradient_angle"]["x-visible-when"] == {"gradient_end_color": True}
    assert card["align"]["title"] == "Alignment" and card["align"]["x-enum-labels"]["center"] == "Centred"
