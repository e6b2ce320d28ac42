"""Settings: `BOARDS_*` environment variables over an optional TOML config file.

Reading settings never touches the disk beyond the config file itself: a malformed value must
stop start-up before anything (data folder, database) is created. `Settings.ensure_dirs()` is the
one place that creates folders, called once the settings are known to be good.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "Boards"
MIN_MEDIA_URL_TTL_HOURS = 0.01  # 36 seconds: shorter would expire before a page could load its media
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_REPLICATE_BASE_URL = "https://api.replicate.com/v1"
DEFAULT_FAL_BASE_URL = "https://queue.fal.run"
# fal publishes each endpoint's OpenAPI document here (`?endpoint_id=fal-ai/flux/dev`): "any fal endpoint by id".
DEFAULT_FAL_OPENAPI_URL = "https://fal.ai/api/openapi/queue/openapi.json"
DEFAULT_COMFYUI_URL = "http://127.0.0.1:8188"
DEFAULT_SD_WEBUI_URL = "http://127.0.0.1:7860"  # AUTOMATIC1111, Forge and SD.Next all listen here
# Engines that run one job at a time: more of the app's jobs at once would only wait inside the
# engine, where they cannot be told from the artist's own work there (and cancelled one by one).
ONE_AT_A_TIME = frozenset({"sdwebui"})
# Long enough for a page to stay open through a working day; a page that reloads gets fresh URLs.
DEFAULT_MEDIA_URL_TTL_HOURS = 24.0
# Long enough that a busy machine renews in time (every sixth of it, at most every 5 s); short enough
# that a teammate's app takes a crashed app's jobs over within a minute.
DEFAULT_JOB_LEASE_SECONDS = 30.0
MIN_JOB_LEASE_SECONDS = 1.0
# Read from the environment beside the BOARDS_* settings (never from the config file: a key in a
# plain file is what the OS keyring is for).
PROVIDER_KEY_VARIABLES = ("OPENAI_API_KEY", "REPLICATE_API_TOKEN", "FAL_KEY")
_KEYRING_VARIABLES = ("PYTHON_KEYRING_BACKEND",)
_KEYRING_PROPERTY_PREFIX = "KEYRING_PROPERTY_"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the setting and what to do."""


@dataclass(frozen=True)
class GeneratorSettings:
    """The `[generators]` section: which generators are offered, under which names.

    `enabled` empty means all; `disabled` wins over `enabled`; `rename` maps a generator's own name
    to the name it is offered under (its generations are stored under that name).
    """

    enabled: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()
    rename: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    media_dir: Path
    # `s3://bucket/prefix` puts published media in a bucket (media.bucket); None: in media_dir.
    storage_url: str | None = None
    # The AWS_* variables the bucket's client reads (endpoint, region, keys): never shown or logged.
    storage_environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The config file's `[storage]` section, under the same AWS_* names: used where the environment
    # gives no value, before the OS keyring (media.bucket_credentials). Never shown or logged.
    storage_config: Mapping[str, str] = field(default_factory=dict, repr=False)
    log_level: str = "INFO"
    sql_echo: bool = False
    # The board page's own GraphQL operations answered by a planned path (graphql.fast_page);
    # off (BOARDS_GRAPHQL_FAST_PATH=0) every operation goes through the general executor.
    graphql_fast_path: bool = True
    log_dir: Path | None = None  # None: <data dir>/logs
    config_file: Path | None = None
    max_upload_bytes: int = 100 * 1024 * 1024
    job_timeout_seconds: float = 900.0
    job_retries: int = 3
    shutdown_grace_seconds: float = 5.0  # running jobs get this long to finish when the app closes
    # How long a job's claim holds without renewal: after a crash (or a kill) on a shared database,
    # another app takes the job over this long after the last renewal, at worst twice this long.
    job_lease_seconds: float = DEFAULT_JOB_LEASE_SECONDS
    # Writes (queuing, uploads) are refused with "the disk ... is full" below this much free space.
    min_free_bytes: int = 16 * 1024 * 1024
    keep_backups: int = 3  # SQLite backups made before schema upgrades that housekeeping keeps
    # Jobs running at once per provider (`local`, `openai`, ...); providers not named get the default.
    concurrency: Mapping[str, int] = field(default_factory=dict)
    default_concurrency: int = 8
    generators: GeneratorSettings = field(default_factory=lambda: GeneratorSettings())
    generator_modules: tuple[str, ...] = ()  # importable modules with a GENERATORS list
    # Where each remote service is reached (tests point them at local fakes).
    openai_base_url: str = DEFAULT_OPENAI_BASE_URL
    replicate_base_url: str = DEFAULT_REPLICATE_BASE_URL
    fal_base_url: str = DEFAULT_FAL_BASE_URL
    fal_openapi_url: str = DEFAULT_FAL_OPENAPI_URL
    comfyui_url: str = DEFAULT_COMFYUI_URL
    sd_webui_url: str = DEFAULT_SD_WEBUI_URL
    # The address clients reach the app at, for absolute media URLs (None: the address each request came in on).
    public_url: str | None = None
    # How long a signed media URL (one an <img> or <video> tag loads without the token) stays valid.
    media_url_ttl_hours: float = DEFAULT_MEDIA_URL_TTL_HOURS
    # Web pages on other origins that may call the API (CORS), still with the token; none by default.
    allowed_origins: tuple[str, ...] = ()
    # Content Credentials on exports: the artist's own PEM certificate chain and key (both, or neither:
    # then the installation's own, see media.content_credentials).
    c2pa_certificate: Path | None = None
    c2pa_key: Path | None = None
    # Where a setting the app's Settings page can change came from: "environment" | "config" | "default".
    # The page's own choices (<data dir>/preferences.json) sit between the environment and the config file.
    sources: Mapping[str, str] = field(default_factory=dict)
    # The provider keys and the keyring's own variables, from the same environment as the rest
    # (OPENAI_API_KEY, PYTHON_KEYRING_BACKEND, KEYRING_PROPERTY_*): read by providers.keys, never shown.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)
    extra: Mapping[str, str] = field(default_factory=dict)

    def concurrency_of(self, provider: str) -> int:
        if provider in self.concurrency:
            return self.concurrency[provider]
        return self.default_concurrency_of(provider)

    def default_concurrency_of(self, provider: str) -> int:
        """The limit of a provider that no setting names (`BOARDS_CONCURRENCY`, or the local default)."""
        if provider == "local":
            # Twice the cores: a local job spends much of its time in file writes and in threads that
            # release the GIL (measured: 2 slots gave 124 jobs/s on two cores, 8 slots 184).
            return max(4, 2 * (os.cpu_count() or 1))
        if provider in ONE_AT_A_TIME:
            return 1
        return self.default_concurrency

    def source_of(self, setting: str) -> str:
        """Where `setting` came from: "environment", "config" or "default"."""
        return self.sources.get(setting, "default")

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

    @property
    def logs_dir(self) -> Path:
        return self.log_dir or self.data_dir / "logs"

    def ensure_dirs(self) -> None:
        """Create the folders, owner-only, and make what the app writes from now on owner-only too.

        What an earlier version left readable by others is tightened here, except the media tree
        (it can be large): housekeeping walks that in the background (see boards_desktop.private_files).
        """
        from boards_desktop import private_files  # here: reading settings needs none of it

        private_files.use_private_umask()
        for folder in (self.data_dir, self.media_dir, self.logs_dir):
            private_files.make_private_dir(folder)
        from boards_desktop.security.token import token_path

        # The API token is spared: one that others could read may have leaked, and the token's own
        # check (boards_desktop.security.token) says so and tells how to replace it.
        changed = private_files.tighten(
            [self.data_dir, self.logs_dir], skip=[self.media_dir], spare=[token_path(self.data_dir)]
        )
        changed += private_files.tighten([self.media_dir], recursive=False)
        if self.sqlite_path is not None:
            private_files.make_private_dir(self.sqlite_path.parent)
            database_files = sorted(self.sqlite_path.parent.glob(f"{self.sqlite_path.name}*"))
            changed += private_files.tighten(database_files, recursive=False)
        private_files.report(changed, "the data folder")


# The standard variables of S3 clients (media.bucket.AWS_VARIABLES; repeated so that reading settings loads no S3 client).
_AWS_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def _storage(value: str | None, media_dir: Path) -> tuple[str | None, Path]:
    """(bucket URL or None, local media folder) from BOARDS_STORAGE_URL: empty, a folder, file://, or s3://."""
    value = (value or "").strip()
    if not value:
        return None, media_dir
    if value.startswith("s3://"):
        from boards_desktop.media.bucket_address import StorageUrlError, parse_bucket_url

        try:
            return parse_bucket_url(value).url, media_dir  # the local folder stages files before they go up
        except StorageUrlError as exc:
            raise SettingsError(str(exc)) from None
    if value.startswith("file://"):
        return None, Path(urlsplit(value).path).expanduser()
    if "://" in value:
        scheme = value.split("://", 1)[0]
        raise SettingsError(
            f"BOARDS_STORAGE_URL: {scheme}:// is not a storage we can use; write s3://bucket/prefix for an "
            "S3-compatible bucket (AWS S3, R2, MinIO, B2), or a folder path"
        )
    return None, Path(value).expanduser()


# The config file's `[storage]` keys and the variables they stand for (the environment's win).
STORAGE_CONFIG_KEYS = {
    "endpoint_url": "AWS_ENDPOINT_URL",
    "region": "AWS_REGION",
    "access_key_id": "AWS_ACCESS_KEY_ID",
    "secret_access_key": "AWS_SECRET_ACCESS_KEY",
}


def _storage_section(section: Any, config_file: Path) -> dict[str, str]:
    """`[storage]` of the config file as AWS_* values; a key we do not know is refused (a typo would go unnoticed)."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise SettingsError(f'config file {config_file}: [storage] must be a section, e.g. [storage] region = "auto"')
    values: dict[str, str] = {}
    for key, value in section.items():
        if key not in STORAGE_CONFIG_KEYS:
            known = ", ".join(STORAGE_CONFIG_KEYS)
            raise SettingsError(f"config file {config_file}: [storage] has no setting {key!r}; use {known}")
        if not isinstance(value, str):
            raise SettingsError(f"config file {config_file}: [storage] {key} must be a quoted string")
        if value.strip():
            values[STORAGE_CONFIG_KEYS[key]] = value.strip()
    return values


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (default `os.environ`) and the config file.

    The environment wins over the file. `BOARDS_CONFIG_FILE` names another config file.
    """
    env = dict(os.environ if environ is None else environ)
    config_file = Path(env["BOARDS_CONFIG_FILE"]) if env.get("BOARDS_CONFIG_FILE") else default_config_file()
    sections = _read_config_sections(config_file)
    from_file = _flat_values(sections)
    from_env = {k: v for k, v in env.items() if k.startswith("BOARDS_")}
    values = {**from_file, **from_env}

    data_dir = _path(values, "BOARDS_DATA_DIR") or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    media_dir = _path(values, "BOARDS_MEDIA_DIR") or data_dir / "media"
    storage_url, media_dir = _storage(values.get("BOARDS_STORAGE_URL"), media_dir)
    # A data folder named explicitly (tests, portable installs) keeps its logs inside it too.
    default_log_dir = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    log_dir = _path(values, "BOARDS_LOG_DIR") or (
        data_dir / "logs" if values.get("BOARDS_DATA_DIR") else default_log_dir
    )
    database_url = values.get("BOARDS_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'boards.db'}"
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(database_url),
        media_dir=media_dir,
        storage_url=storage_url,
        storage_environment={k: v for k, v in env.items() if k in _AWS_VARIABLES and v} if storage_url else {},
        storage_config=_storage_section(sections.get("storage"), config_file) if storage_url else {},
        log_level=_log_level(values.get("BOARDS_LOG_LEVEL", "INFO")),
        sql_echo=_bool(values, "BOARDS_SQL_ECHO", False),
        graphql_fast_path=_bool(values, "BOARDS_GRAPHQL_FAST_PATH", True),
        log_dir=log_dir,
        config_file=config_file if config_file.is_file() else None,
        max_upload_bytes=int(_number(values, "BOARDS_MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024),
        job_timeout_seconds=_number(values, "BOARDS_JOB_TIMEOUT", 900, minimum=1),
        job_retries=int(_number(values, "BOARDS_JOB_RETRIES", 3, minimum=0)),
        shutdown_grace_seconds=_number(values, "BOARDS_SHUTDOWN_GRACE", 5, minimum=0),
        job_lease_seconds=_number(values, "BOARDS_JOB_LEASE", DEFAULT_JOB_LEASE_SECONDS, minimum=MIN_JOB_LEASE_SECONDS),
        min_free_bytes=int(_number(values, "BOARDS_MIN_FREE_MB", 16, minimum=0) * 1024 * 1024),
        keep_backups=int(_number(values, "BOARDS_KEEP_BACKUPS", 3, minimum=1)),
        concurrency=_concurrency(values, sections.get("concurrency")),
        default_concurrency=int(_number(values, "BOARDS_CONCURRENCY", 8, minimum=1)),
        generators=_generator_settings(values, sections.get("generators")),
        generator_modules=tuple(m.strip() for m in values.get("BOARDS_GENERATOR_MODULES", "").split(",") if m.strip()),
        openai_base_url=_url(values, "BOARDS_OPENAI_BASE_URL", DEFAULT_OPENAI_BASE_URL),
        replicate_base_url=_url(values, "BOARDS_REPLICATE_BASE_URL", DEFAULT_REPLICATE_BASE_URL),
        fal_base_url=_url(values, "BOARDS_FAL_BASE_URL", DEFAULT_FAL_BASE_URL),
        fal_openapi_url=_url(values, "BOARDS_FAL_OPENAPI_URL", DEFAULT_FAL_OPENAPI_URL),
        comfyui_url=_url(values, "BOARDS_COMFYUI_URL", DEFAULT_COMFYUI_URL),
        sd_webui_url=_url(values, "BOARDS_SD_WEBUI_URL", DEFAULT_SD_WEBUI_URL),
        public_url=_public_url(values.get("BOARDS_PUBLIC_URL")),
        media_url_ttl_hours=_number(
            values, "BOARDS_MEDIA_URL_TTL_HOURS", DEFAULT_MEDIA_URL_TTL_HOURS, minimum=MIN_MEDIA_URL_TTL_HOURS
        ),
        allowed_origins=_origins(values.get("BOARDS_ALLOWED_ORIGINS")),
        c2pa_certificate=_file_path(values, "BOARDS_C2PA_CERT"),
        c2pa_key=_file_path(values, "BOARDS_C2PA_KEY"),
        sources=_sources(from_env, from_file, sections.get("concurrency")),
        environment={
            k: v
            for k, v in env.items()
            if (k in PROVIDER_KEY_VARIABLES or k in _KEYRING_VARIABLES or k.startswith(_KEYRING_PROPERTY_PREFIX)) and v
        },
        extra={k: v for k, v in values.items() if k not in _KNOWN and not k.startswith(_CONCURRENCY_PREFIX)},
    )


_KNOWN = {
    "BOARDS_DATA_DIR",
    "BOARDS_C2PA_CERT",
    "BOARDS_C2PA_KEY",
    "BOARDS_MEDIA_DIR",
    "BOARDS_STORAGE_URL",
    "BOARDS_DATABASE_URL",
    "BOARDS_LOG_LEVEL",
    "BOARDS_SQL_ECHO",
    "BOARDS_LOG_DIR",
    "BOARDS_CONFIG_FILE",
    "BOARDS_SCHEMAS_DIR",  # read by db.schema_files, where the DDL is found
    "BOARDS_MAX_UPLOAD_MB",
    "BOARDS_JOB_TIMEOUT",
    "BOARDS_JOB_RETRIES",
    "BOARDS_SHUTDOWN_GRACE",
    "BOARDS_JOB_LEASE",
    "BOARDS_MIN_FREE_MB",
    "BOARDS_KEEP_BACKUPS",
    "BOARDS_CONCURRENCY",
    "BOARDS_CONCURRENCY_LOCAL",  # one per provider: BOARDS_CONCURRENCY_<PROVIDER>
    "BOARDS_GENERATORS_DISABLED",
    "BOARDS_GENERATOR_MODULES",
    "BOARDS_OPENAI_BASE_URL",
    "BOARDS_REPLICATE_BASE_URL",
    "BOARDS_FAL_BASE_URL",
    "BOARDS_FAL_OPENAPI_URL",
    "BOARDS_COMFYUI_URL",
    "BOARDS_SD_WEBUI_URL",
    "BOARDS_PUBLIC_URL",
    "BOARDS_MEDIA_URL_TTL_HOURS",
    "BOARDS_ALLOWED_ORIGINS",
}
_CONCURRENCY_PREFIX = "BOARDS_CONCURRENCY_"


def _sources(from_env: Mapping[str, str], from_file: Mapping[str, str], section: Any) -> dict[str, str]:
    """Setting name (and `BOARDS_CONCURRENCY_<PROVIDER>`, upper case) -> "environment" or "config"."""
    sources = {name: "config" for name in from_file}
    if isinstance(section, dict):
        sources.update({f"{_CONCURRENCY_PREFIX}{provider.upper()}": "config" for provider in section})
    sources.update({name: "environment" for name in from_env})
    return sources


def _url(values: Mapping[str, str], name: str, default: str) -> str:
    raw = (values.get(name) or "").strip()
    if not raw:
        return default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name}={raw!r}: give an http(s) URL, e.g. {default}")
    return raw.rstrip("/")


def _public_url(raw: str | None) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"BOARDS_PUBLIC_URL={text!r}: give the http(s) address clients reach the app at, "
            "e.g. https://boards.example.com or http://127.0.0.1:8088"
        )
    return text.rstrip("/")


def _origins(raw: str | None) -> tuple[str, ...]:
    """`BOARDS_ALLOWED_ORIGINS`: origins as browsers send them (`scheme://host[:port]`, lower case)."""
    origins: list[str] = []
    for item in (raw or "").split(","):
        text = item.strip()
        if not text:
            continue
        origin = normalise_origin(text)
        if origin is None:
            raise SettingsError(
                f"BOARDS_ALLOWED_ORIGINS: {text!r} is not an origin; list web pages' origins as "
                "scheme://host[:port], comma-separated, e.g. http://localhost:3000 (no path, no '*': "
                "every allowed page can drive the app with the token)"
            )
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def normalise_origin(text: str) -> str | None:
    """`text` as a browser's Origin header would say it, or None when it is not an http(s) origin."""
    parts = urlsplit(text.strip().rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        return None
    if parts.username or parts.password:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    default = 80 if parts.scheme == "http" else 443
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


def _read_config_sections(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"config file {path}: not valid TOML ({exc}); fix or remove it") from None


def _flat_values(raw: Mapping[str, Any]) -> dict[str, str]:
    """Top-level keys are the setting names without the prefix: `database_url = "..."`."""
    values: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            continue  # sections ([generators], [concurrency]) are read on their own
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
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


def _file_path(values: Mapping[str, str], name: str) -> Path | None:
    """A file's path (read when used: a missing file turns its feature off with a warning, see media.content_credentials)."""
    raw = values.get(name)
    if raw is None or raw == "":
        return None
    if "\x00" in raw:
        raise SettingsError(f"{name}: the path contains a NUL character; give a plain file path")
    path = Path(raw).expanduser()
    if path.is_dir():
        raise SettingsError(f"{name}={raw!r}: this is a folder; give the path of a PEM file")
    return path.resolve()


def _database_url(url: str) -> str:
    # Every message below shows the URL through redact_url: a password must never reach a terminal or a log.
    if url.startswith(("postgresql://", "postgres://")):
        # Teams paste the URL their database host gave them; we speak to it through asyncpg.
        url = "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        url = "sqlite+aiosqlite://" + url.split("://", 1)[1]
    if url.startswith("sqlite+aiosqlite://"):
        path = url.split("://", 1)[1].removeprefix("/").split("?", 1)[0]
        if path in ("", ":memory:") or path.startswith("file::memory:") or "mode=memory" in url:
            # Each connection would see an empty database of its own, and everything would be gone at exit.
            raise SettingsError(
                f"BOARDS_DATABASE_URL={redact_url(url)!r}: an in-memory database cannot hold boards; "
                "name a database file, e.g. sqlite+aiosqlite:///path/to/boards.db"
            )
        resolved = Path(path).expanduser()
        if resolved.is_dir():
            raise SettingsError(
                f"BOARDS_DATABASE_URL={redact_url(url)!r}: {path} is a folder; name a database file inside it"
            )
        return url
    if url.startswith("postgresql+asyncpg://"):
        rest = url.split("://", 1)[1]
        if not rest or rest.startswith("/"):
            raise SettingsError(
                f"BOARDS_DATABASE_URL={redact_url(url)!r}: no host; "
                "use postgresql+asyncpg://user:password@host:port/database"
            )
        _check_postgresql_url(url)
        return url
    raise SettingsError(
        f"BOARDS_DATABASE_URL={redact_url(url)!r}: not a database URL we can use; "
        "use sqlite+aiosqlite:///path/to/boards.db or postgresql+asyncpg://user:password@host:port/database"
    )


def _check_postgresql_url(url: str) -> None:
    """Refuse now what the driver would refuse later with a traceback: a port that is not a number, say."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    shown = redact_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        port = urlsplit(url.replace("+asyncpg", "", 1)).netloc.rpartition("@")[2].rpartition("]")[2]
        detail = f"the port {port.partition(':')[2]!r} is not a number" if ":" in port else "it cannot be read"
        raise SettingsError(
            f"BOARDS_DATABASE_URL={shown!r}: {detail}; use postgresql+asyncpg://user:password@host:port/database"
        ) from None
    ports = [str(parsed.port)] if parsed.port is not None else []
    query_port = parsed.query.get("port")  # asyncpg also takes ?host=...&port=...
    ports += [query_port] if isinstance(query_port, str) else list(query_port or ())
    for port in ports:
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingsError(f"BOARDS_DATABASE_URL={shown!r}: the port {port!r} is not a number between 1 and 65535")
    if not parsed.host:
        raise SettingsError(
            f"BOARDS_DATABASE_URL={shown!r}: no host; use postgresql+asyncpg://user:password@host:port/database"
        )


_URL_QUERY_PASSWORD = re.compile(r"(?i)([?&](?:password|passwd|pwd)=)[^&#]*")


def redact_url(url: str) -> str:
    """`url` with its credentials blanked, however malformed it is (to be shown in messages and logs)."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    if "@" in rest:
        # Everything before the last "@" may be the password (an unescaped "@" or "/" in it included).
        user_info, _, host_part = rest.rpartition("@")
        user = user_info.split(":", 1)[0] if ":" in user_info else user_info
        rest = f"{user}:{REDACTED_PASSWORD}@{host_part}" if ":" in user_info else f"{user}@{host_part}"
    return _URL_QUERY_PASSWORD.sub(lambda m: m.group(1) + REDACTED_PASSWORD, f"{scheme}{separator}{rest}")


REDACTED_PASSWORD = "***"


def _number(values: Mapping[str, str], name: str, default: float, *, minimum: float) -> float:
    raw = values.get(name)
    if raw is None or raw.strip() == "":
        return float(default)
    try:
        number = float(raw)
    except ValueError:
        number = float("nan")
    if not number >= minimum or number == float("inf"):
        raise SettingsError(f"{name}={raw!r}: give a number of at least {minimum:g}")
    return number


def _concurrency(values: Mapping[str, str], section: Any) -> dict[str, int]:
    limits: dict[str, int] = {}
    if isinstance(section, dict):
        for provider, raw in section.items():
            limits[provider.lower()] = int(_number({"x": str(raw)}, "x", 1, minimum=0)) if raw is not None else 1
    for key in values:
        if key.startswith(_CONCURRENCY_PREFIX):
            limits[key[len(_CONCURRENCY_PREFIX) :].lower()] = int(_number(values, key, 1, minimum=0))
    return limits


def _generator_settings(values: Mapping[str, str], section: Any) -> GeneratorSettings:
    section = section if isinstance(section, dict) else {}

    def names(raw: Any, setting: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise SettingsError(f"{setting}: give a list of generator names")
        return tuple(item.strip() for item in items if item.strip())

    rename = section.get("rename", {})
    if not isinstance(rename, dict) or not all(isinstance(v, str) and v.strip() for v in rename.values()):
        raise SettingsError('[generators.rename] in the config file: map names to new names, e.g. old = "new"')
    disabled = names(values.get("BOARDS_GENERATORS_DISABLED"), "BOARDS_GENERATORS_DISABLED")
    disabled += names(section.get("disabled"), "[generators] disabled")
    return GeneratorSettings(
        enabled=names(section.get("enabled"), "[generators] enabled"),
        disabled=disabled,
        rename={old: new.strip() for old, new in rename.items()},
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
