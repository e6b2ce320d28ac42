"""Settings: `BOARDS_*` environment variables over an optional TOML config file.

Reading settings never touches the disk beyond the config file itself: a malformed value must
stop start-up before anything (data folder, database) is created. `Settings.ensure_dirs()` is the
one place that creates folders, called once the settings are known to be good.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import platformdirs

APP_NAME = "Boards"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the setting and what to do."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    media_dir: Path
    log_level: str = "INFO"
    sql_echo: bool = False
    config_file: Path | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[1].split("?", 1)[0]
        return None if path in ("", ":memory:") else Path(path)

    def ensure_dirs(self) -> None:
        for folder in (self.data_dir, self.media_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if self.sqlite_path is not None:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (default `os.environ`) and the config file.

    The environment wins over the file. `BOARDS_CONFIG_FILE` names another config file.
    """
    env = dict(os.environ if environ is None else environ)
    config_file = Path(env["BOARDS_CONFIG_FILE"]) if env.get("BOARDS_CONFIG_FILE") else default_config_file()
    values = {**_read_config_file(config_file), **{k: v for k, v in env.items() if k.startswith("BOARDS_")}}

    data_dir = _path(values, "BOARDS_DATA_DIR") or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    media_dir = _path(values, "BOARDS_MEDIA_DIR") or data_dir / "media"
    database_url = values.get("BOARDS_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(database_url),
        media_dir=media_dir,
        log_level=_log_level(values.get("BOARDS_LOG_LEVEL", "INFO")),
        sql_echo=_bool(values, "BOARDS_SQL_ECHO", False),
        config_file=config_file if config_file.is_file() else None,
        extra={k: v for k, v in values.items() if k not in _KNOWN},
    )


_KNOWN = {
    "BOARDS_DATA_DIR",
    "BOARDS_MEDIA_DIR",
    "BOARDS_DATABASE_URL",
    "BOARDS_LOG_LEVEL",
    "BOARDS_SQL_ECHO",
    "BOARDS_CONFIG_FILE",
    "BOARDS_SCHEMAS_DIR",  # read by db.schema_files, where the DDL is found
}


def _read_config_file(path: Path) -> dict[str, str]:
    """Keys in the file are the setting names without the prefix: `database_url = "..."`."""
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {path}: not valid TOML ({exc}); fix or remove it") from None
    values: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            continue  # sections belong to other parts of the app (generators, providers)
        if isinstance(value, bool):
            value = "true" if value else "false"
        values[f"BOARDS_{key.upper()}"] = str(value)
    return values


def _path(values: Mapping[str, str], name: str) -> Path | None:
    raw = values.get(name)
    if raw is None or raw == "":
        return None
    if "\x00" in raw:
        raise SettingsError(f"{name}: the path contains a NUL character; give a plain folder path")
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise SettingsError(f"{name}={raw!r}: this is a file, not a folder; give a folder path")
    return path.resolve()


def _database_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # Teams paste the URL their database host gave them; we speak to it through asyncpg.
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        url = "sqlite+aiosqlite://" + url.split("://", 1)[1]
    if url.startswith("sqlite+aiosqlite:///"):
        path = url.split(":///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            resolved = Path(path).expanduser()
            if resolved.is_dir():
                raise SettingsError(
                    f"BOARDS_DATABASE_URL={url!r}: {path} is a folder; name a database file inside it"
                )
        return url
    if url.startswith("postgresql+asyncpg://"):
        rest = url.split("://", 1)[1]
        if not rest or rest.startswith("/"):
            raise SettingsError(
                f"BOARDS_DATABASE_URL={url!r}: no host; use postgresql+asyncpg://user:password@host:port/database"
            )
        return url
    raise SettingsError(
        f"BOARDS_DATABASE_URL={url!r}: not a database URL we can use; "
        "use sqlite+aiosqlite:///path/to/boards.db or postgresql+asyncpg://user:password@host:port/database"
    )


def _log_level(raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"BOARDS_LOG_LEVEL={raw!r}: use one of {', '.join(LOG_LEVELS)}")
    return level


def _bool(values: Mapping[str, str], name: str, default: bool) -> bool:
    raw = values.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r}: use true or false")


def configure_logging(settings: Settings) -> logging.Logger:
    logger = logging.getLogger("boards")
    logger.setLevel(settings.log_level)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    if settings.sql_echo:
        sql_logger = logging.getLogger("sqlalchemy.engine")
        sql_logger.setLevel(logging.INFO)
        if logger.handlers[0] not in sql_logger.handlers:
            sql_logger.addHandler(logger.handlers[0])
    return logger
