"""The Settings page's values: environment > the page's own choices > config file > default, applied at once."""

from __future__ import annotations

import json

from tests.fakes.harness import Fault
from tests.jobs.support import generation, new_board, queue, wait_for, wait_until
from tests.providers.support import app_on_openai, openai_fake

SETTINGS = """{ appSettings { comfyuiUrl comfyuiUrlSource concurrency { provider limit source }
  dataDir mediaDir databaseKind dataSizeBytes } }"""
UPDATE = """mutation($i: UpdateAppSettingsInput!) { updateAppSettings(input: $i) {
  comfyuiUrl comfyuiUrlSource concurrency { provider limit source } } }"""


def _limits(answer: dict) -> dict[str, tuple[int, str]]:
    return {item["provider"]: (item["limit"], item["source"]) for item in answer["concurrency"]}


async def test_each_value_says_where_it_comes_from_and_the_page_wins_over_the_config_file(database_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('comfyui_url = "http://127.0.0.1:8000"\n[concurrency]\nopenai = 3\n')
    data = tmp_path / "data"
    async with openai_fake() as (_fake, server):
        async with app_on_openai(database_url, data, server, None, BOARDS_CONFIG_FILE=str(config)) as client:
            current = (await client.data(SETTINGS))["appSettings"]
            assert (current["comfyuiUrl"], current["comfyuiUrlSource"]) == ("http://127.0.0.1:8000", "config")
            limits = _limits(current)
            assert limits["openai"] == (3, "config")
            assert limits["local"][1] == "default" and limits["test"] == (8, "default")
            assert limits["held"] == (0, "environment")  # the test harness pauses it in the environment
            assert current["dataDir"] == str(data) and current["mediaDir"] == str(data / "media")
            assert current["databaseKind"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
            assert current["dataSizeBytes"] >= 0

            changed = (
                await client.data(
                    UPDATE,
                    {
                        "i": {
                            "comfyuiUrl": " http://127.0.0.1:8188/ ",
                            "concurrency": [{"provider": "openai", "limit": 5}],
                        }
                    },
                )
            )["updateAppSettings"]
            assert (changed["comfyuiUrl"], changed["comfyuiUrlSource"]) == ("http://127.0.0.1:8188", "settings")
            assert _limits(changed)["openai"] == (5, "settings")
            assert client.services.jobs._concurrency_of("openai") == 5
            saved = json.loads((data / "preferences.json").read_text())
            assert saved == {"comfyui_url": "http://127.0.0.1:8188", "concurrency": {"openai": 5}}

        async with app_on_openai(database_url, data, server, None, BOARDS_CONFIG_FILE=str(config)) as client:
            assert _limits((await client.data(SETTINGS))["appSettings"])["openai"] == (5, "settings")

        # The environment wins over the page, and the page says so instead of pretending to change it.
        environment = {
            "BOARDS_CONFIG_FILE": str(config),
            "BOARDS_CONCURRENCY_OPENAI": "2",
            "BOARDS_COMFYUI_URL": "http://127.0.0.1:9000",
        }
        async with app_on_openai(database_url, data, server, None, **environment) as client:
            current = (await client.data(SETTINGS))["appSettings"]
            assert _limits(current)["openai"] == (2, "environment")
            assert (current["comfyuiUrl"], current["comfyuiUrlSource"]) == ("http://127.0.0.1:9000", "environment")
            refused = await client.graphql(UPDATE, {"i": {"concurrency": [{"provider": "openai", "limit": 7}]}})
            assert refused["errors"][0]["message"].startswith(
                "concurrency[openai]: BOARDS_CONCURRENCY_OPENAI is set in the environment, which wins over this page"
            )
            refused = await client.graphql(UPDATE, {"i": {"comfyuiUrl": "http://127.0.0.1:8188"}})
            assert refused["errors"][0]["message"].startswith(
                "comfyuiUrl: BOARDS_COMFYUI_URL is set in the environment"
            )


async def test_bad_values_are_refused_with_the_field_named_and_nothing_is_saved(database_url, tmp_path):
    data = tmp_path / "data"
    async with openai_fake() as (_fake, server), app_on_openai(database_url, data, server, None) as client:
        for change, message in (
            ({"comfyuiUrl": "ftp://127.0.0.1"}, "comfyuiUrl: 'ftp://127.0.0.1' is not an http(s) address"),
            (
                {"concurrency": [{"provider": "openai", "limit": 65}]},
                "concurrency[openai].limit: 65 is out of range; give 0 to 64",
            ),
            ({"concurrency": [{"provider": "openai", "limit": -1}]}, "concurrency[openai].limit: -1 is out of range"),
            (
                {"comfyuiUrl": "http://127.0.0.1:8000", "concurrency": [{"provider": "OpenAI", "limit": 2}]},
                "concurrency.provider",
            ),
            (
                {"concurrency": [{"provider": "midjourney", "limit": 2}]},
                "concurrency.provider: there is no provider 'midjourney'",
            ),
        ):
            refused = await client.graphql(UPDATE, {"i": change})
            assert refused["errors"][0]["message"].startswith(message), refused
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert not (data / "preferences.json").exists()
        assert (await client.data(SETTINGS))["appSettings"]["comfyuiUrlSource"] == "default"


async def test_a_concurrency_change_applies_to_the_running_queue_without_a_restart(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        await client.data(UPDATE, {"i": {"concurrency": [{"provider": "openai", "limit": 1}]}})
        board = await new_board(client)
        held = server.faults.add("POST", "/v1/images/generations", Fault.hold(), times=None)
        first = await queue(client, board, "openai-image", {"prompt": "one"})
        second = await queue(client, board, "openai-image", {"prompt": "two"})

        async def fake_saw(count: int):
            async def check() -> bool:
                return held.hits == count

            return check

        await wait_until(await fake_saw(1))
        assert (await generation(client, second["id"]))["status"] == "PENDING"  # one slot, and it is taken

        await client.data(UPDATE, {"i": {"concurrency": [{"provider": "openai", "limit": 2}]}})
        await wait_until(await fake_saw(2))  # the second started in the slot just opened
        server.faults.clear()
        for created in (first, second):
            assert (await wait_for(client, created["id"]))["status"] == "COMPLETED"
