"""Provider keys through GraphQL: set and cleared, never answered, logged or stored in the database.

Two real keyrings: none at all (this machine and CI have no OS keyring, and keyring's plain-file
backends are never picked on their own), and a file-backed one that the test names the way an
artist would (`PYTHON_KEYRING_BACKEND`, with its file given by `KEYRING_PROPERTY_FILE_PATH`).
"""

from __future__ import annotations

from pathlib import Path

from tests.jobs.support import new_board, queue, wait_for
from tests.providers.support import app_on_openai, openai_fake, places_holding

KEY_FIELDS = "provider label envVar isSet lastFour source canStore storeUnavailableReason"
SET = f"mutation($p: String!, $k: String!) {{ setProviderKey(provider: $p, key: $k) {{ {KEY_FIELDS} }} }}"
CLEAR = f"mutation($p: String!) {{ clearProviderKey(provider: $p) {{ {KEY_FIELDS} }} }}"
KEYS = f"{{ providerKeys {{ {KEY_FIELDS} }} }}"
AVAILABLE = "{ generators { name available unavailableReason } }"


def file_keyring(folder: Path) -> dict[str, str]:
    return {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "KEYRING_PROPERTY_FILE_PATH": str(folder / "keyring.cfg"),
    }


def _in_keyring(folder: Path, provider: str) -> str | None:
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(folder / "keyring.cfg")
    return backend.get_password("Boards Desktop", provider)


async def _openai_available(client) -> bool:
    listed = (await client.data(AVAILABLE))["generators"]
    return next(g for g in listed if g["name"] == "openai-image")["available"]


async def test_without_an_os_keyring_keys_come_from_the_environment_only(database_url, tmp_path):
    async with openai_fake() as (fake, server), app_on_openai(database_url, tmp_path / "data", server, None) as client:
        keys = {k["provider"]: k for k in (await client.data(KEYS))["providerKeys"]}
        assert set(keys) == {"openai", "replicate", "fal"}
        assert (keys["openai"]["label"], keys["openai"]["envVar"]) == ("OpenAI", "OPENAI_API_KEY")
        assert (keys["fal"]["label"], keys["fal"]["envVar"]) == ("fal.ai", "FAL_KEY")
        assert keys["replicate"]["envVar"] == "REPLICATE_API_TOKEN"
        for key in keys.values():
            assert key["isSet"] is False and key["lastFour"] is None and key["source"] is None
            assert key["canStore"] is False
        assert keys["openai"]["storeUnavailableReason"] == (
            "no OS keyring is available here; set OPENAI_API_KEY in the environment instead"
        )
        refused = await client.graphql(SET, {"p": "openai", "k": fake.api_key})
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert refused["errors"][0]["message"] == (
            "no OS keyring is available here; set OPENAI_API_KEY in the environment instead"
        )
        assert (await client.data(CLEAR, {"p": "openai"}))["clearProviderKey"]["isSet"] is False
        assert await places_holding(client, tmp_path / "data", fake.api_key) == []


async def test_a_key_from_the_environment_is_reported_not_shown(database_url, tmp_path):
    async with (
        openai_fake() as (fake, server),
        app_on_openai(database_url, tmp_path / "data", server, fake.api_key) as client,
    ):
        keys = {k["provider"]: k for k in (await client.data(KEYS))["providerKeys"]}
        assert keys["openai"]["isSet"] is True and keys["openai"]["source"] == "ENVIRONMENT"
        assert keys["openai"]["lastFour"] == fake.api_key[-4:]
        assert fake.api_key not in str(keys)
        # Clearing removes no environment variable: the key stays, and says where it comes from.
        cleared = (await client.data(CLEAR, {"p": "openai"}))["clearProviderKey"]
        assert cleared["isSet"] is True and cleared["source"] == "ENVIRONMENT"


async def test_a_key_stored_in_the_keyring_runs_jobs_and_is_never_written_elsewhere(database_url, tmp_path):
    keyring = file_keyring(tmp_path / "keyring")
    data = tmp_path / "data"
    async with openai_fake() as (fake, server):
        async with app_on_openai(database_url, data, server, None, **keyring) as client:
            assert await _openai_available(client) is False
            stored = (await client.data(SET, {"p": "openai", "k": f"  {fake.api_key}\n"}))["setProviderKey"]
            assert stored == {
                "provider": "openai",
                "label": "OpenAI",
                "envVar": "OPENAI_API_KEY",
                "isSet": True,
                "lastFour": fake.api_key[-4:],
                "source": "KEYRING",
                "canStore": True,
                "storeUnavailableReason": None,
            }
            assert await _openai_available(client) is True  # at once, no restart
            board = await new_board(client)
            done = await wait_for(client, (await queue(client, board, "openai-image", {"prompt": "a kite"}))["id"])
            assert done["status"] == "COMPLETED", done
            assert server.requests[-1].headers["authorization"] == f"Bearer {fake.api_key}"
            assert await places_holding(client, data, fake.api_key) == []
            assert _in_keyring(tmp_path / "keyring", "openai") == fake.api_key  # where it belongs

        # The next start reads it from the keyring; the environment wins over it.
        async with app_on_openai(database_url, data, server, None, **keyring) as client:
            assert (await client.data(KEYS))["providerKeys"][0]["source"] == "KEYRING"
            assert await _openai_available(client) is True
        async with app_on_openai(database_url, data, server, "sk-from-the-environment-1234", **keyring) as client:
            openai = (await client.data(KEYS))["providerKeys"][0]
            assert (openai["source"], openai["lastFour"]) == ("ENVIRONMENT", "1234")

        async with app_on_openai(database_url, data, server, None, **keyring) as client:
            cleared = (await client.data(CLEAR, {"p": "openai"}))["clearProviderKey"]
            assert cleared["isSet"] is False and cleared["source"] is None and cleared["canStore"] is True
            assert await _openai_available(client) is False
            assert _in_keyring(tmp_path / "keyring", "openai") is None
            assert await places_holding(client, data, fake.api_key) == []


async def test_bad_keys_and_unknown_providers_are_refused_with_the_field_named(database_url, tmp_path):
    async with (
        openai_fake() as (_fake, server),
        app_on_openai(database_url, tmp_path / "data", server, None, **file_keyring(tmp_path)) as client,
    ):
        for provider, key, message in (
            ("openai", "   ", "key: the OpenAI key is empty"),
            ("openai", "sk-two words-here", "key: the OpenAI key has spaces or invisible characters"),
            ("openai", "short", "key: OpenAI keys are between 8 and 500 characters long"),
            ("midjourney", "sk-0123456789", "provider: there is no provider 'midjourney' with a key"),
        ):
            refused = await client.graphql(SET, {"p": provider, "k": key})
            assert refused["errors"][0]["message"].startswith(message), refused
            assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        stored = (await client.data(SET, {"p": "fal", "k": "fal-key-id:fal-key-secret"}))["setProviderKey"]
        assert stored["isSet"] and stored["lastFour"] == "cret" and stored["label"] == "fal.ai"
