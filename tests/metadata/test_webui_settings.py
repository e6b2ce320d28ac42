"""An upload's Stable Diffusion WebUI settings as the WebUI generator's inputs: what this WebUI offers is set,
what it does not is named. Through the real app against the fake WebUI on 127.0.0.1, and the mapping alone."""

from __future__ import annotations

from boards_desktop.generators.providers.sd_webui import SDWebUITextToImage, input_model
from boards_desktop.generators.providers.sd_webui_settings import webui_inputs
from boards_desktop.providers.sd_webui import Choices
from tests.fakes.sd_webui import DEFAULT_CHECKPOINTS, DEFAULT_SAMPLERS, DEFAULT_SCHEDULERS, DEFAULT_UPSCALERS
from tests.graphql.helpers import create_board
from tests.jobs.support import queue, wait_for
from tests.metadata import tool_files
from tests.providers.sd_webui_support import TEXT_TO_IMAGE, app_on_webui, webui_fake
from tests.uploads.support import upload

SETTINGS = """query($id: UUID!) { webuiSettings(generationId: $id) { generatorName inputParams notAvailable } }"""
SDXL = "sd_xl_base_1.0.safetensors [31e35c80fc]"


async def uploaded(client, board: str, content: bytes, filename: str = "found.png") -> str:
    response = await upload(client, board, content, filename=filename, mime="image/png")
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def test_webui_parameters_fill_the_webui_form_and_what_it_lacks_is_named(database_url, tmp_path):
    async with webui_fake() as (_, server), app_on_webui(database_url, tmp_path / "data", server.url) as client:
        board = await create_board(client, "Found settings")
        webui = await uploaded(client, board, tool_files.webui_png())
        settings = (await client.data(SETTINGS, {"id": webui}))["webuiSettings"]
        assert settings == {
            "generatorName": TEXT_TO_IMAGE,
            "inputParams": {
                "prompt": "a lighthouse at dusk, (oil painting:1.2)",
                "negative_prompt": "blurry, lowres",
                "checkpoint": SDXL,  # the WebUI wrote its name and hash; the engine offers it by title
                "sampler": "DPM++ 2M",
                "scheduler": "karras",  # "Schedule type: Karras", by its label
                "steps": 28,
                "cfg_scale": 6.5,
                "seed": 1234567890,
                "width": 64,
            },
            "notAvailable": ["height 48 (the form takes 64 to 2048, a multiple of 8)"],
        }
        # The settings as they are make a generation the WebUI runs.
        job = await queue(client, board, TEXT_TO_IMAGE, settings["inputParams"])
        assert (await wait_for(client, job["id"]))["status"] == "COMPLETED"

        odd = tool_files.WEBUI_PARAMETERS.replace("DPM++ 2M", "Restart").replace(
            "Model: sd_xl_base_1.0", "Model: dreamshaper_8"
        )
        odd = odd.replace("Model hash: 31e35c80fc", "Model hash: 879db523c3").replace("Size: 64x48", "Size: 4000x3000")
        unknown = await uploaded(client, board, tool_files.png_with_texts({"parameters": odd}))
        settings = (await client.data(SETTINGS, {"id": unknown}))["webuiSettings"]
        assert settings["notAvailable"] == [
            "model “dreamshaper_8”",
            "sampler “Restart”",
            "width 4000 (the form takes 64 to 2048, a multiple of 8)",
            "height 3000 (the form takes 64 to 2048, a multiple of 8)",
        ]
        assert set(settings["inputParams"]) == {"prompt", "negative_prompt", "scheduler", "steps", "cfg_scale", "seed"}

        # Another tool's settings are not the WebUI's.
        comfy = await uploaded(client, board, tool_files.comfyui_png())
        assert (await client.data(SETTINGS, {"id": comfy}))["webuiSettings"] is None

        # Our own picture of a WebUI generation, exported and dropped back in: its inputs, as the form takes them.
        made = await queue(client, board, TEXT_TO_IMAGE, {"prompt": "a tin robot", "sampler": "Euler a", "seed": 5})
        done = await wait_for(client, made["id"])
        exported = await client.http.get(done["storageUrl"], params={"download": "true"})
        ours = await uploaded(client, board, exported.content, "robot.png")
        settings = (await client.data(SETTINGS, {"id": ours}))["webuiSettings"]
        assert settings["notAvailable"] == []
        assert settings["inputParams"]["sampler"] == "Euler a" and settings["inputParams"]["seed"] == 5
        assert settings["inputParams"]["prompt"] == "a tin robot"


def _schema(**choices) -> dict:
    read = Choices(
        checkpoints=dict(DEFAULT_CHECKPOINTS),
        samplers=list(DEFAULT_SAMPLERS),
        schedulers=dict(DEFAULT_SCHEDULERS),
        upscalers=list(DEFAULT_UPSCALERS),
        read_at=1.0,
    )
    for key, value in choices.items():
        setattr(read, key, value)
    base = SDWebUITextToImage.base_model
    return input_model(base, read, upscalers=True, order=SDWebUITextToImage.order).model_json_schema()


def test_older_webui_words_a_random_seed_and_a_hires_pass():
    found = {
        "prompt": "a fox",
        "sampler": "DPM++ 2M Karras",  # before 1.9 the schedule was part of the sampler's name
        "seed": -1,
        "model": "models/sd/v1-5-pruned-emaonly.safetensors",
        "steps": 30,
        "denoise": 0.35,
        "settings": {"Hires upscaler": "R-ESRGAN 4x+", "Hires upscale": "1.5", "Hires steps": "10"},
    }
    mapped = webui_inputs(found, _schema())
    assert mapped.inputs == {
        "prompt": "a fox",
        "checkpoint": "v1-5-pruned-emaonly.safetensors [6ce0161689]",
        "sampler": "DPM++ 2M",
        "scheduler": "karras",
        "steps": 30,
        "upscaler": "R-ESRGAN 4x+",
        "upscale_by": 1.5,
        "upscale_denoising": 0.35,
    }
    assert mapped.not_available == []
    # "Denoising strength" without a hires pass belongs to image to image: left alone.
    assert "upscale_denoising" not in webui_inputs({"prompt": "x", "denoise": 0.4}, _schema()).inputs


def test_before_the_webui_answered_its_choices_are_not_checked():
    mapped = webui_inputs(
        {"prompt": "x", "sampler": "Restart", "model": "anything"},
        _schema(read_at=None, samplers=[], checkpoints={}, schedulers={}),
    )
    assert mapped.inputs == {"prompt": "x", "sampler": "Restart", "checkpoint": "anything"}
