"""Settings: defaults, the config file, and malformed values stopping start-up with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from boards_desktop.settings import SettingsError, load_settings


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"BOARDS_CONFIG_FILE": str(tmp_path / "absent.toml"), **values}


def test_defaults_live_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path, BOARDS_DATA_DIR=str(tmp_path / "data")))
    assert settings.data_dir == tmp_path / "data"
    assert settings.media_dir == tmp_path / "data" / "media"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'data' / 'boards.db'}"
    assert settings.log_level == "INFO" and settings.sql_echo is False
    assert not (tmp_path / "data").exists(), "reading settings must not create anything"


def test_config_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('data_dir = "%s"\nlog_level = "debug"\nsql_echo = true\n' % (tmp_path / "from-file"))
    settings = load_settings({"BOARDS_CONFIG_FILE": str(config), "BOARDS_LOG_LEVEL": "warning"})
    assert settings.data_dir == tmp_path / "from-file"
    assert settings.log_level == "WARNING"
    assert settings.sql_echo is True


def test_plain_postgres_urls_are_taken_through_asyncpg(tmp_path: Path) -> None:
    settings = load_settings(_env(tmp_path, BOARDS_DATABASE_URL="postgresql://team@db.example:5432/boards"))
    assert settings.database_url == "postgresql+asyncpg://team@db.example:5432/boards"
    assert settings.sqlite_path is None


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOARDS_DATABASE_URL", "mysql://x@y/z", "BOARDS_DATABASE_URL"),
        ("BOARDS_DATABASE_URL", "postgresql+asyncpg:///nohost", "no host"),
        ("BOARDS_LOG_LEVEL", "loud", "BOARDS_LOG_LEVEL='loud': use one of"),
        ("BOARDS_SQL_ECHO", "maybe", "BOARDS_SQL_ECHO='maybe': use true or false"),
    ],
)
def test_malformed_values_name_the_setting(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env(tmp_path, **{name: value}))
    assert expected in str(error.value)


def test_a_file_where_a_folder_belongs_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingsError, match="BOARDS_MEDIA_DIR.*is a file, not a folder"):
        load_settings(_env(tmp_path, BOARDS_MEDIA_DIR=str(tmp_path / "file")))


def test_a_broken_config_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("data_dir = [unclosed")
    with pytest.raises(SettingsError, match="config file .*config.toml: not valid TOML"):
        load_settings({"BOARDS_CONFIG_FILE": str(config)})


def test_the_command_stops_with_one_line_and_creates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "boards_desktop", "serve"],
        env={**_env(tmp_path, BOARDS_DATA_DIR=str(data_dir), BOARDS_LOG_LEVEL="chatty"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == ["boards-desktop: BOARDS_LOG_LEVEL='chatty': use one of CRITICAL, ERROR, WARNING, INFO, DEBUG"]
    assert not data_dir.exists()
