"""Any model by name, through the app: added, run, kept across a restart without the network, refreshed, removed.

The provider here is the test's own ("acme", handed to the app like a plugin's), on the public
hook: `describe_model` reads a Replicate-style model document from a fake on 127.0.0.1, and
`ModelGenerator.define` makes the generator. Replicate and fal use the same hook.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

from litestar import Litestar, Request, get, post
from litestar.exceptions import NotFoundException

from boards_desktop.generators import GeneratorResult
from boards_desktop.generators.model_catalog import ModelDescription
from boards_desktop.generators.providers.model import ModelGenerator
from boards_desktop.providers import PROVIDERS, BaseProvider
from boards_desktop.providers.calls import Retry
from tests.app_harness import running_app
from tests.fakes.harness import serve_fake
from tests.jobs.support import new_board, queue, try_queue, wait_for
from tests.providers.support import png, upload_image

SCHEMA = json.loads((Path(__file__).with_name("fixtures") / "replicate-flux-fill.json").read_text())
INFO = "name description artifactType provider available unavailableReason inputSchema"
ADD = f"mutation($p: String!, $m: String!) {{ addModelGenerator(provider: $p, model: $m) {{ {INFO} }} }}"
REFRESH = f"mutation($n: String!) {{ refreshModelGenerator(name: $n) {{ {INFO} }} }}"
REMOVE = "mutation($n: String!) { removeModelGenerator(name: $n) }"
NAME = "acme/acme/inpaint"


class AcmeService:
    """A model service: model documents with their input schema, and synchronous runs."""

    def __init__(self) -> None:
        self.schema = copy.deepcopy(SCHEMA)
        self.runs: list[dict] = []

    @property
    def app(self) -> Litestar:
        service = self

        @get("/models/{owner:str}/{name:str}")
        async def model(owner: str, name: str) -> dict:
            if f"{owner}/{name}" != "acme/inpaint":
                raise NotFoundException("The requested resource could not be found.")
            return {"owner": owner, "name": name, "description": "Inpainting, the acme way",
                    "latest_version": {"id": "v1", "openapi_schema": service.schema}}  # fmt: skip

        @post("/runs", status_code=200)
        async def run(request: Request) -> dict:
            service.runs.append(await request.json())
            return {"output": "data:image/png;base64," + base64.b64encode(png(16, 16)).decode()}

        return Litestar([model, run], debug=False)


class AcmeModelGenerator(ModelGenerator):
    async def generate(self, inputs, context):
        payload = await self.payload(inputs, context)
        response = await self.service.request(
            "POST", "/runs", json={"model": self.model.model_id, "input": payload}, retry=Retry.SUBMIT_SYNC
        )
        return GeneratorResult(outputs=[await context.store_image_result(response.json()["output"], "png")])


class AcmeProvider(BaseProvider):
    name = "acme"
    label = "Acme"
    needs_key = False

    async def describe_model(self, model_id: str) -> ModelDescription:
        document = (await self.request("GET", f"/models/{model_id}")).json()
        schema = document["latest_version"]["openapi_schema"]
        return ModelDescription(
            provider=self.name,
            model_id=model_id,
            artifact_type="image",
            description=document["description"],
            input_schema=schema["components"]["schemas"]["Input"],
            schema_root=schema,
            version=document["latest_version"]["id"],
        )

    def model_generator(self, description: ModelDescription) -> ModelGenerator:
        return AcmeModelGenerator.define(self, description)


def _app(database_url: str, data: Path, url: str):
    return running_app(database_url, data, providers={**PROVIDERS, "acme": AcmeProvider}, BOARDS_ACME_BASE_URL=url)


async def _listed(client) -> dict[str, dict]:
    return {g["name"]: g for g in (await client.data("{ generators { name provider available } }"))["generators"]}


async def test_a_model_named_by_the_artist_becomes_a_generator_that_stays(database_url, tmp_path):
    data = tmp_path / "data"
    service = AcmeService()
    async with serve_fake(service.app) as server, _app(database_url, data, server.url) as client:
        added = (await client.data(ADD, {"p": "acme", "m": "acme/inpaint"}))["addModelGenerator"]
        assert (added["name"], added["provider"], added["artifactType"]) == (NAME, "acme", "IMAGE")
        assert added["description"] == "Inpainting, the acme way" and added["available"] is True
        properties = added["inputSchema"]["properties"]
        assert list(properties)[:3] == ["prompt", "image", "mask"]
        assert properties["image"]["$ref"] == "#/$defs/ImageArtifact"
        assert added["inputSchema"]["required"] == ["image"]

        board = await new_board(client)
        image = await upload_image(client, board, png(40, 30))
        refused = await try_queue(client, board, NAME, {"image": image, "steps": 99})
        assert "inputParams.steps" in refused["errors"][0]["message"]
        done = await wait_for(
            client, (await queue(client, board, NAME, {"image": image, "prompt": "a hat", "steps": 20}))["id"]
        )
        assert done["status"] == "COMPLETED", done
        assert [(item["role"], item["generationId"]) for item in done["inputArtifacts"]] == [("image", image)]
        sent = service.runs[-1]
        assert sent["model"] == "acme/inpaint"
        assert sent["input"]["image"].startswith("data:image/png;base64,")
        assert base64.b64decode(sent["input"]["image"].split(",", 1)[1]) == png(40, 30)
        assert {k: v for k, v in sent["input"].items() if k != "image"} == {
            "prompt": "a hat", "steps": 20, "guidance": 60, "prompt_upsampling": False, "output_format": "jpg",
            "safety_tolerance": 2,
        }  # fmt: skip
        assert (data / "model-generators.json").is_file()

    # The next start makes it again from the cache file, with the service out of reach.
    async with _app(database_url, data, server.url) as client:
        assert (await _listed(client))[NAME]["available"] is True

    service.schema["components"]["schemas"]["Input"]["properties"]["strength"] = {
        "type": "number", "minimum": 0, "maximum": 1, "default": 0.8, "x-order": 9, "title": "Strength",
    }  # fmt: skip
    async with serve_fake(service.app) as server, _app(database_url, data, server.url) as client:
        refreshed = (await client.data(REFRESH, {"n": NAME}))["refreshModelGenerator"]
        assert refreshed["inputSchema"]["properties"]["strength"]["default"] == 0.8
        assert (await client.data(REMOVE, {"n": NAME}))["removeModelGenerator"] is True
        assert NAME not in await _listed(client)
        assert (await client.data(REMOVE, {"n": NAME}))["removeModelGenerator"] is False

    async with _app(database_url, data, server.url) as client:
        assert NAME not in await _listed(client)


async def test_what_cannot_be_added_says_why(database_url, tmp_path):
    service = AcmeService()
    async with serve_fake(service.app) as server, _app(database_url, tmp_path / "data", server.url) as client:
        for provider, model, message in (
            ("openai", "gpt-image-1", "provider: OpenAI does not offer models by name"),
            ("nope", "a/b", "provider: there is no provider 'nope'; providers with models by name: "),
            ("acme", "acme/missing", "model: Acme does not know what was asked for (404): The requested resource"),
            ("acme", "two words", "model: 'two words' is not a model id of Acme"),
        ):
            refused = await client.graphql(ADD, {"p": provider, "m": model})
            assert refused["errors"][0]["message"].startswith(message), refused
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
            if provider == "nope":  # every provider with models by name is named (the app's own, and acme)
                assert "acme" in refused["errors"][0]["message"].split("by name: ", 1)[1].split(", ")
        refused = await client.graphql(REFRESH, {"n": "acme/never-added"})
        assert refused["errors"][0]["message"].startswith("name: there is no model generator 'acme/never-added'")
        assert not (tmp_path / "data" / "model-generators.json").exists()
