"""Any Replicate model by name, through the app: models the fake serves and the app's code does not know.

`addModelGenerator(provider: "replicate", model: "owner/name")` reads the model's document, makes a
form of its input schema (file inputs become artifact slots), knows from its output schema what it
makes, and pins the version it read; the generator then runs end to end like the curated ones.
"""

from __future__ import annotations

import io

from PIL import Image

from tests.jobs.support import new_board, queue, try_queue, wait_for
from tests.providers.replicate_support import (
    VERSION_CREATE,
    Watch,
    app_on_replicate,
    created,
    messages,
    replicate_fake,
)
from tests.providers.support import png, upload_image

INFO = "name description artifactType provider available unavailableReason inputSchema"
ADD = f"mutation($p: String!, $m: String!) {{ addModelGenerator(provider: $p, model: $m) {{ {INFO} }} }}"
REFRESH = f"mutation($n: String!) {{ refreshModelGenerator(name: $n) {{ {INFO} }} }}"
RESTYLE = "replicate/pixelsmith/restyle"
LLAMA = "replicate/meta/meta-llama-3-8b-instruct"


async def test_a_community_model_by_name_runs_end_to_end_with_an_image_slot(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        added = (await client.data(ADD, {"p": "replicate", "m": "pixelsmith/restyle"}))["addModelGenerator"]
        assert (added["name"], added["provider"], added["artifactType"]) == (RESTYLE, "replicate", "IMAGE")
        assert added["description"] == "Repaint a picture in the style you describe" and added["available"] is True
        schema = added["inputSchema"]
        assert list(schema["properties"]) == ["image", "prompt", "strength", "output_format", "seed"]
        assert schema["properties"]["image"]["$ref"] == "#/$defs/ImageArtifact" and schema["required"] == ["image"]
        assert schema["properties"]["output_format"]["enum"] == ["png", "webp", "jpg"]

        board = await new_board(client)
        image = await upload_image(client, board, png(40, 30))
        refused = await try_queue(client, board, RESTYLE, {"image": image, "strength": 2})
        assert "inputParams.strength" in refused["errors"][0]["message"] and fake.created == []

        job = await queue(client, board, RESTYLE, {"image": image, "strength": 0.5, "output_format": "webp"})
        await created(fake)
        fake.clock.advance(12)
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        assert [(item["role"], item["generationId"]) for item in done["inputArtifacts"]] == [("image", image)]
        sent = server.requests_to("POST", VERSION_CREATE)
        assert len(sent) == 1 and sent[0].headers["prefer"] == "wait=5"
        model = fake.models["pixelsmith/restyle"]
        assert fake.created[0].model is model  # by the version its form was read from
        assert fake.created[0].input["image"].startswith("data:image/png;base64,")
        assert {k: v for k, v in fake.created[0].input.items() if k != "image"} == {
            "prompt": "an oil painting", "strength": 0.5, "output_format": "webp"
        }  # fmt: skip
        media = await client.http.get(done["storageUrl"])
        assert media.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(media.content)).size == (40, 30)  # the model did get the input

        # A new version at Replicate: the generator keeps the one it read until it is refreshed.
        model.input_schema["properties"]["detail"] = {
            "type": "integer", "title": "Detail", "default": 3, "minimum": 1, "maximum": 5, "x-order": 5,
            "description": "How much detail to paint",
        }  # fmt: skip
        old_version = model.version
        model.version = "f" * 64
        refused = await try_queue(client, board, RESTYLE, {"image": image, "detail": 4})
        assert "inputParams.detail" in refused["errors"][0]["message"]
        refreshed = (await client.data(REFRESH, {"n": RESTYLE}))["refreshModelGenerator"]
        assert refreshed["inputSchema"]["properties"]["detail"]["maximum"] == 5
        job = await queue(client, board, RESTYLE, {"image": image, "detail": 4})
        await created(fake, 2)
        fake.clock.advance(12)
        assert (await wait_for(client, job["id"]))["status"] == "COMPLETED"
        versions = [request.body for request in server.requests_to("POST", VERSION_CREATE)]
        assert old_version.encode() in versions[0] and model.version.encode() in versions[1]


async def test_a_language_model_by_name_writes_its_tokens_as_text(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        added = (await client.data(ADD, {"p": "replicate", "m": "meta/meta-llama-3-8b-instruct"}))["addModelGenerator"]
        assert added["artifactType"] == "TEXT"
        board = await new_board(client)
        job = await queue(client, board, LLAMA, {"prompt": "why is the sky blue", "max_tokens": 64}, "TEXT")
        watch = Watch(client, job["id"])
        await watch.started()
        await created(fake)
        fake.clock.advance(6)  # past the short wait, halfway through: 8 of its 17 tokens are there
        await watch.saying("tokens so far")
        fake.clock.advance(10)
        done = await wait_for(client, job["id"])
        assert done["status"] == "COMPLETED", done
        text = (await client.http.get(done["storageUrl"])).text
        assert text == "You asked: why is the sky blue. Here is a short answer, one token at a time."
        assert any("writing on Replicate: 8 tokens so far" in message for message in messages(watch.events))


async def test_what_cannot_be_added_says_why(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        for model, message in (
            ("nobody/nothing", "model: Replicate has no model nobody/nothing (check the spelling; a private model"),
            ("pixelsmith/restyle:0123abcd", "model: 'pixelsmith/restyle:0123abcd': give the model as owner/name"),
            ("just-a-name", "model: 'just-a-name' is not a Replicate model name; it looks like owner/name"),
        ):
            refused = await client.graphql(ADD, {"p": "replicate", "m": model})
            assert refused["errors"][0]["message"].startswith(message), refused
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "other", server, "r8_wrong-token-000000") as client,
    ):
        refused = await client.graphql(ADD, {"p": "replicate", "m": "pixelsmith/restyle"})
        assert refused["errors"][0]["message"] == "model: Replicate rejected the token: set it in Settings"
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "third", server, None) as client,
    ):
        refused = await client.graphql(ADD, {"p": "replicate", "m": "pixelsmith/restyle"})
        assert refused["errors"][0]["message"].startswith("model: no Replicate key: add it in Settings")
        assert server.requests == []


async def test_a_version_that_cannot_run_falls_back_to_the_model_or_says_to_refresh(database_url, tmp_path):
    async with (
        replicate_fake() as (fake, server),
        app_on_replicate(database_url, tmp_path / "data", server, fake.token) as client,
    ):
        await client.data(ADD, {"p": "replicate", "m": "meta/meta-llama-3-8b-instruct"})
        await client.data(ADD, {"p": "replicate", "m": "pixelsmith/restyle"})
        board = await new_board(client)
        # An official model whose versions are not open to predictions: run by its name instead, once.
        fake.models["meta/meta-llama-3-8b-instruct"].versions_open = False
        job = await queue(client, board, LLAMA, {"prompt": "hi"}, "TEXT")
        await created(fake)
        fake.clock.advance(12)
        assert (await wait_for(client, job["id"]))["status"] == "COMPLETED"
        assert len(server.requests_to("POST", VERSION_CREATE)) == 1
        assert len(server.requests_to("POST", "/v1/models/meta/meta-llama-3-8b-instruct/predictions")) == 1
        assert len(fake.created) == 1
        # A community model whose owner replaced the version this generator was made from.
        fake.models["pixelsmith/restyle"].version = "e" * 64
        image = await upload_image(client, board, png(40, 30))
        done = await wait_for(client, (await queue(client, board, RESTYLE, {"image": image}))["id"])
        assert done["status"] == "FAILED"
        assert done["errorMessage"] == (
            "the version of pixelsmith/restyle this generator was made from is no longer on Replicate (or not open "
            "to your token); refresh the generator to take the newest one"
        )
        assert len(fake.created) == 1
