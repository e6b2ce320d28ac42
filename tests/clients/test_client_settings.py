"""The settings a separate client needs: each bad value stops start-up with a line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from boards_desktop.settings import SettingsError, load_settings


def _environment(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"BOARDS_DATA_DIR": str(tmp_path), "BOARDS_CONFIG_FILE": str(tmp_path / "none.toml"), **values}


def test_defaults_allow_no_origin_and_sign_media_for_a_day(tmp_path: Path) -> None:
    settings = load_settings(_environment(tmp_path))
    assert settings.allowed_origins == () and settings.public_url is None
    assert settings.media_url_ttl_hours == 24


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOARDS_PUBLIC_URL", "boards.example.com"),
        ("BOARDS_PUBLIC_URL", "ftp://boards.example.com"),
        ("BOARDS_PUBLIC_URL", "https://boards.example.com/?x=1"),
        ("BOARDS_MEDIA_URL_TTL_HOURS", "0"),
        ("BOARDS_MEDIA_URL_TTL_HOURS", "a day"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings(_environment(tmp_path, **{name: value}))


def test_the_config_file_holds_them_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('public_url = "https://boards.example.com/"\nmedia_url_ttl_hours = 2\n')
    settings = load_settings(_environment(tmp_path, BOARDS_CONFIG_FILE=str(config)))
    assert settings.public_url == "https://boards.example.com" and settings.media_url_ttl_hours == 2
