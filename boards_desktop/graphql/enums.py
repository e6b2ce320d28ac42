"""The API's enums: upper-case names in GraphQL, the lower-case values the database stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class ArtifactType(Enum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    TEXT = "text"
    LORA = "lora"
    MODEL = "model"


@strawberry.enum
class GenerationStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.enum
class BoardRole(Enum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


@strawberry.enum
class BoardQueryRole(Enum):
    ANY = "any"
    OWNER = "owner"
    MEMBER = "member"


@strawberry.enum
class SortOrder(Enum):
    CREATED_ASC = "created_asc"
    CREATED_DESC = "created_desc"
    UPDATED_ASC = "updated_asc"
    UPDATED_DESC = "updated_desc"
