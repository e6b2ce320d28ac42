"""The job queue's statements: the generations table is the queue (schema file 005).

Every statement a worker makes about a job it runs carries `status = 'processing' AND
lease_owner = <me>` in its WHERE clause. A job cancelled by an artist, or taken over by another
worker after our lease ran out, therefore cannot be written by us any more: terminal states are
final, and a late progress report or result changes nothing.

Claims take the oldest pending jobs first. On PostgreSQL the subquery locks with
`FOR UPDATE SKIP LOCKED`, so several app processes claim side by side without taking the same row;
SQLite has one writer at a time, which gives the same guarantee (SQLAlchemy leaves the clause out).
A provider an artist paused (schema file 009) is left alone by the claim itself, so every app
process on a shared database honours the pause without being told.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, and_, bindparam, case, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.models import Generation, PausedProvider
from boards_desktop.db.queries.boards import touch_board
from boards_desktop.db.queries.lineage import insert_lineage, parse_input_artifacts
from boards_desktop.db.queries.records import GenerationRecord, generation_columns
from boards_desktop.db.rowcount import rows_changed
from boards_desktop.db.search_text import search_text_of
from boards_desktop.db.types import utcnow

ACTIVE = ("pending", "processing")


def _build_claim(*, own_storage_only: bool) -> Any:
    g = Generation.__table__.c
    paused = exists().where(PausedProvider.__table__.c.provider == bindparam("v_provider"))
    conditions = [g.status == "pending", g.generator_name.in_(bindparam("v_names", expanding=True)), ~paused]
    if own_storage_only:
        conditions.append(_in_storage(g.media_storage, bindparam("v_storage")))
    oldest = (
        select(g.id)
        .where(*conditions)
        .order_by(g.created_at, g.id)
        .limit(bindparam("v_limit"))
        .with_for_update(skip_locked=True)
    )
    return (
        update(Generation.__table__)
        # No second `status = 'pending'` out here: SQLite would then walk every pending row to
        # match the ids instead of looking the few ids up. The subquery's rows are pending, and stay
        # so: SQLite has one writer, and PostgreSQL re-checks a locked row against the subquery.
        .where(g.id.in_(oldest.scalar_subquery()))
        .values(
            status="processing",
            lease_owner=bindparam("v_owner"),
            lease_expires_at=bindparam("v_until"),
            attempts=g.attempts + 1,
            started_at=func.coalesce(g.started_at, bindparam("v_now")),
            progress_phase="initializing",
            progress_message=None,
            updated_at=bindparam("v_now"),
        )
        .returning(*generation_columns())
    )


def _in_storage(column: Any, storage: Any) -> Any:
    """A job this app may run: queued by an app with the same media storage, or before jobs recorded one."""
    return or_(column.is_(None), column == storage)


# Built once: the runner claims every time a slot frees, and building the statement per call cost
# more than running it (measured).
_CLAIM_ANY = _build_claim(own_storage_only=False)
_CLAIM_OWN_STORAGE = _build_claim(own_storage_only=True)


async def claim_pending(
    session: AsyncSession,
    *,
    provider: str,
    generator_names: Sequence[str],
    owner: str,
    lease: timedelta,
    limit: int,
    media_storage: str | None = None,
) -> list[GenerationRecord]:
    """Up to `limit` of the oldest pending jobs of these generators (of `provider`), now processing
    under our lease; none while the provider is paused. With `media_storage`, only jobs queued by
    apps with that storage (schema file 012): a teammate's job whose inputs are elsewhere is left to them."""
    if not generator_names or limit < 1:
        return []
    now = utcnow()
    parameters = {
        "v_provider": provider,
        "v_names": list(generator_names),
        "v_limit": limit,
        "v_owner": owner,
        "v_until": now + lease,
        "v_now": now,
    }
    if media_storage is None:
        claimed = await session.execute(_CLAIM_ANY, parameters)
    else:
        claimed = await session.execute(_CLAIM_OWN_STORAGE, {**parameters, "v_storage": media_storage})
    return sorted(claimed, key=lambda row: (row.created_at, row.id))


async def pending_generator_names(session: AsyncSession) -> set[str]:
    """The generators with pending jobs (an index walk over the pending rows' status prefix)."""
    found = await session.scalars(select(Generation.generator_name).where(Generation.status == "pending").distinct())
    return set(found)


async def claim_abandoned(
    session: AsyncSession,
    *,
    generator_names: Sequence[str],
    owner: str,
    lease: timedelta,
    expired_before: datetime,
    owner_prefix: str | None = None,
    media_storage: str | None = None,
) -> list[GenerationRecord]:
    """Processing jobs whose claimer stopped renewing its lease, now ours to resume, rerun or fail.

    `owner_prefix` also takes the jobs of earlier runs of this installation, whatever their lease
    says: one installation runs one app at a time, so they were left by a crash.
    Sibling outputs (`batch_generation_id` set) are never claimed: they finish with their job.
    With `media_storage`, only jobs queued by apps with that storage (as `claim_pending`).
    """
    if not generator_names:
        return []
    left_behind = or_(Generation.lease_expires_at.is_(None), Generation.lease_expires_at < expired_before)
    if owner_prefix:
        left_behind = or_(left_behind, Generation.lease_owner.startswith(owner_prefix + "/", autoescape=True))
    abandoned = (
        select(Generation.id)
        .where(
            Generation.status == "processing",
            Generation.generator_name.in_(list(generator_names)),
            Generation.batch_generation_id.is_(None),
            left_behind,
            *([_in_storage(Generation.media_storage, media_storage)] if media_storage is not None else []),
        )
        .with_for_update(skip_locked=True)
    )
    now = utcnow()
    taken = await session.execute(
        update(Generation)
        .where(Generation.id.in_(abandoned.scalar_subquery()), Generation.status == "processing")
        .values(lease_owner=owner, lease_expires_at=now + lease, attempts=Generation.attempts + 1, updated_at=now)
        .returning(*generation_columns())
        .execution_options(synchronize_session=False)
    )
    return sorted(taken, key=lambda row: (row.created_at, row.id))


async def renew_leases(
    session: AsyncSession, *, owner: str, ids: Sequence[uuid.UUID], lease: timedelta
) -> set[uuid.UUID]:
    """Push our leases forward; returns the ids still ours (a missing id was cancelled or taken over)."""
    if not ids:
        return set()
    renewed = await session.scalars(
        update(Generation)
        .where(*_ours(owner), Generation.id.in_(list(ids)))
        .values(lease_expires_at=utcnow() + lease)
        .returning(Generation.id)
        .execution_options(synchronize_session=False)
    )
    return set(renewed)


async def record_progress(
    session: AsyncSession, *, owner: str, generation_id: uuid.UUID, progress: float, phase: str, message: str | None
) -> bool:
    result = await session.execute(
        update(Generation)
        .where(*_ours(owner), Generation.id == generation_id)
        .values(progress=round(progress * 100, 2), progress_phase=phase, progress_message=message, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(rows_changed(result))


async def record_external_job_id(
    session: AsyncSession, *, owner: str, generation_id: uuid.UUID, external_job_id: str
) -> bool:
    result = await session.execute(
        update(Generation)
        .where(*_ours(owner), Generation.id == generation_id)
        .values(external_job_id=external_job_id[:255], updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(rows_changed(result))


_G = Generation.__table__.c
_FINISHED_VALUES = {
    "status": "completed",
    "progress": 100,
    "progress_phase": "finalizing",
    "progress_message": None,
    "error_message": None,
    "lease_owner": None,
    "lease_expires_at": None,
    "completed_at": bindparam("v_now"),
    "updated_at": bindparam("v_now"),
    "storage_url": bindparam("v_storage_url"),
    "thumbnail_url": bindparam("v_thumbnail_url"),
    "output_metadata": bindparam("v_output_metadata"),
    # A text result's content, folded, joins its prompt in the search text (db/search_text.py).
    "search_text": Generation.__table__.c.search_text.concat(bindparam("v_search_more", type_=Text())),
}
# Built once: every job ends here, and a statement built per call costs more (its cache key above
# all) than SQLite spends running it.
_COMPLETE_JOB = (
    update(Generation.__table__)
    .where(_G.id == bindparam("v_id"), _G.status == "processing", _G.lease_owner == bindparam("v_owner"))
    .values(_FINISHED_VALUES)
)
_COMPLETE_SIBLING = (
    update(Generation.__table__)
    .where(_G.id == bindparam("v_id"), _G.batch_generation_id == bindparam("v_job"), _G.status == "processing")
    .values(_FINISHED_VALUES)
)


async def complete(
    session: AsyncSession,
    *,
    owner: str,
    generation_id: uuid.UUID,
    board_id: uuid.UUID,
    outputs: dict[uuid.UUID, dict[str, Any]],
) -> bool:
    """Finish a job and its siblings as completed, in one transaction; False when it is no longer ours.

    `outputs` maps each generation id (the job's own and its siblings') to its column values
    (storage_url, thumbnail_url, output_metadata).
    """
    now = utcnow()

    def parameters(target: uuid.UUID) -> dict[str, Any]:
        values = outputs.get(target, {})
        return {
            "v_id": target,
            "v_now": now,
            "v_storage_url": values.get("storage_url"),
            "v_thumbnail_url": values.get("thumbnail_url"),
            "v_output_metadata": values.get("output_metadata", {}),
            "v_search_more": values.get("search_more", ""),
        }

    result = await session.execute(_COMPLETE_JOB, {**parameters(generation_id), "v_owner": owner})
    if not rows_changed(result):
        return False
    for sibling_id in outputs:
        if sibling_id != generation_id:
            await session.execute(_COMPLETE_SIBLING, {**parameters(sibling_id), "v_job": generation_id})
    await touch_board(session, board_id, now)
    return True


async def fail(session: AsyncSession, *, owner: str | None, generation_id: uuid.UUID, message: str) -> bool:
    """Fail a job and its unfinished siblings; with `owner` None, whoever holds it (recovery)."""
    now = utcnow()
    condition = _ours(owner) if owner is not None else (Generation.status.in_(ACTIVE),)
    result = await session.execute(
        update(Generation)
        .where(*condition, Generation.id == generation_id)
        .values(
            status="failed",
            error_message=message,
            completed_at=now,
            updated_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    await finish_siblings(session, generation_id, status="failed", message=message)
    return bool(rows_changed(result))


async def finish_siblings(
    session: AsyncSession, generation_id: uuid.UUID, *, status: str, message: str | None
) -> list[uuid.UUID]:
    """Give a job's unfinished sibling outputs its terminal status; returns their ids."""
    now = utcnow()
    ids = await session.scalars(
        update(Generation)
        .where(Generation.batch_generation_id == generation_id, Generation.status.in_(ACTIVE))
        .values(status=status, error_message=message, completed_at=now, updated_at=now)
        .returning(Generation.id)
        .execution_options(synchronize_session=False)
    )
    return list(ids)


async def release(session: AsyncSession, *, owner: str, ids: Sequence[uuid.UUID]) -> None:
    """Let go of our leases at shutdown, so that the next start takes the jobs over at once."""
    if ids:
        await session.execute(
            update(Generation)
            .where(*_ours(owner), Generation.id.in_(list(ids)))
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )


async def unclaim(session: AsyncSession, *, owner: str, ids: Sequence[uuid.UUID]) -> None:
    """Put back, pending, jobs we claimed and never started (the app stopped between the two)."""
    if ids:
        await session.execute(
            update(Generation)
            .where(*_ours(owner), Generation.id.in_(list(ids)))
            .values(
                status="pending",
                lease_owner=None,
                lease_expires_at=None,
                attempts=Generation.attempts - 1,
                started_at=case((Generation.attempts <= 1, None), else_=Generation.started_at),
                progress_phase=None,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )


async def job_state(session: AsyncSession, generation_id: uuid.UUID) -> GenerationRecord | None:
    return (await session.execute(select(*generation_columns()).where(Generation.id == generation_id))).first()


def _ours(owner: str) -> tuple[Any, ...]:
    return (and_(Generation.status == "processing", Generation.lease_owner == owner),)


async def insert_sibling(
    session: AsyncSession, job: GenerationRecord, *, sibling_id: uuid.UUID, output_index: int
) -> None:
    """A further output of a job, as a generation of its own that carries the job's lineage.

    It is `processing` until the job finishes, and then takes the job's terminal status (upstream
    left siblings processing forever when a job failed, and gave them no lineage).
    """
    now = utcnow()
    session.add(
        Generation(
            id=sibling_id,
            tenant_id=job.tenant_id,
            board_id=job.board_id,
            user_id=job.user_id,
            generator_name=job.generator_name,
            artifact_type=job.artifact_type,
            input_params=job.input_params,
            search_text=search_text_of(job.input_params, generator_name=job.generator_name),
            status="processing",
            additional_files=[],
            output_metadata={"batch_id": str(job.id), "batch_index": output_index},
            input_artifacts=job.input_artifacts,
            progress=0,
            started_at=now,
            created_at=now,
            updated_at=now,
            batch_generation_id=job.id,
        )
    )
    await session.flush()
    await insert_lineage(session, sibling_id, parse_input_artifacts(job.input_artifacts))


async def delete_unfinished_siblings(session: AsyncSession, generation_id: uuid.UUID) -> list[uuid.UUID]:
    """Before a job runs again from the start: the sibling outputs its interrupted run began."""
    ids = await session.scalars(
        delete(Generation)
        .where(Generation.batch_generation_id == generation_id, Generation.status.in_(ACTIVE))
        .returning(Generation.id)
        .execution_options(synchronize_session=False)
    )
    return list(ids)
