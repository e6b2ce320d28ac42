"""Making generations in a known state, and events about them, for the event tests.

Rows are seeded with a generator name no runner knows, so that no job runner claims them: what
happens to them is what a test publishes or does through the API.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from boards_desktop.db import models
from boards_desktop.db.types import utcnow
from boards_desktop.jobs.events import GenerationEvent
from tests.graphql.helpers import create_board

__all__ = ["an_hour_ago", "create_board", "event", "seed_generation"]

UNKNOWN_GENERATOR = "no-runner-knows-me"


async def seed_generation(client, board_id: str, status: str = "pending", **fields: Any) -> str:
    """One generation stamped now, so that the events a test publishes next are newer than its row."""
    actor = client.services.actor
    now = fields.pop("at", None) or utcnow()
    row = models.Generation(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        board_id=uuid.UUID(board_id),
        user_id=actor.user_id,
        generator_name=UNKNOWN_GENERATOR,
        artifact_type=fields.pop("artifact_type", "image"),
        status=status,
        input_params={"prompt": "a lighthouse at dusk"},
        created_at=now,
        updated_at=now,
        **fields,
    )
    async with client.services.database.write() as session:
        session.add(row)
    return str(row.id)


def event(
    generation_id: str, board_id: str, status: str = "processing", progress: float = 0.5, **fields: Any
) -> GenerationEvent:
    fields.setdefault("phase", "processing")
    return GenerationEvent(generation_id=generation_id, board_id=board_id, status=status, progress=progress, **fields)


def an_hour_ago():
    return utcnow() - timedelta(hours=1)
