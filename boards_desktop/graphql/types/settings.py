"""Keys, engines and app settings: what the Settings page shows and changes (an addition to upstream)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from boards_desktop.providers.keys import KeyStatus


@strawberry.enum
class KeySource(Enum):
    ENVIRONMENT = "environment"
    KEYRING = "keyring"


@strawberry.type(description="A provider's key: whether it is set and where from; never the key itself.")
class ProviderKey:
    provider: str
    label: str
    env_var: str
    is_set: bool
    last_four: str | None = strawberry.field(description="The key's last four characters; null when not set.")
    source: KeySource | None = strawberry.field(description="ENVIRONMENT wins over KEYRING; null when not set.")
    can_store: bool = strawberry.field(description="False when no usable OS keyring exists here.")
    store_unavailable_reason: str | None

    @classmethod
    def from_status(cls, status: KeyStatus) -> ProviderKey:
        return cls(
            provider=status.spec.provider,
            label=status.spec.label,
            env_var=status.spec.env_var,
            is_set=status.is_set,
            last_four=status.last_four,
            source=KeySource(status.source) if status.source else None,
            can_store=status.can_store,
            store_unavailable_reason=status.store_unavailable_reason,
        )


@strawberry.type
class ProviderConcurrency:
    provider: str
    limit: int
    source: str = strawberry.field(description="environment | settings | config | default")


@strawberry.type(description="One housekeeping run: unfinished writes and old database backups removed.")
class HousekeepingRun:
    finished_at: datetime
    files_removed: int
    bytes_freed: float
    unfinished_files: int = strawberry.field(description="Files of uploads, downloads and results cut short.")
    backups_removed: int = strawberry.field(description="SQLite backups beyond BOARDS_KEEP_BACKUPS.")
    keep_backups: int


@strawberry.type
class AppSettings:
    comfyui_url: str
    comfyui_url_source: str = strawberry.field(description="environment | settings | config | default")
    sd_webui_url: str = strawberry.field(description="The Stable Diffusion WebUI's address (A1111, Forge, SD.Next).")
    sd_webui_url_source: str = strawberry.field(description="environment | settings | config | default")
    concurrency: list[ProviderConcurrency] = strawberry.field(description="One per provider that has generators.")
    data_dir: str
    media_dir: str
    media_storage: str = strawberry.field(
        description="Where published media lives: the media folder, or s3://bucket/prefix (BOARDS_STORAGE_URL). "
        "Never credentials."
    )
    database_kind: str = strawberry.field(description='"sqlite" or "postgresql"')
    data_size_bytes: float = strawberry.field(description="The media folder and the SQLite database file(s).")
    free_space_bytes: float | None = strawberry.field(
        description="Free space on the disk holding the media folder; null when the system does not say."
    )
    disk_size_bytes: float | None = strawberry.field(description="The size of that disk.")
    last_housekeeping: HousekeepingRun | None = strawberry.field(
        description="What the last housekeeping run freed; null until the first run after start-up ends."
    )


@strawberry.input
class ConcurrencyInput:
    provider: str
    limit: int = strawberry.field(description="0 to 64; 0 pauses that provider's queue.")


@strawberry.input
class UpdateAppSettingsInput:
    comfyui_url: str | None = None
    sd_webui_url: str | None = None
    concurrency: list[ConcurrencyInput] | None = None


@strawberry.type(description="What a local engine answered to a connection test, and what it offers.")
class EngineConnection:
    provider: str
    label: str
    url: str
    ok: bool
    reason: str | None = strawberry.field(description="Why it cannot run jobs, in words an artist can act on.")
    checkpoints: list[str] = strawberry.field(description="The models it offers (the WebUI's checkpoints).")
    samplers: list[str]
