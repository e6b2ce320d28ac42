"""Users and the tenant: provisioning the local user, and loading users by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from boards_desktop.db.core_reads import core_rows
from boards_desktop.db.engine import Database
from boards_desktop.db.models import Tenant, User
from boards_desktop.identity import AUTH_PROVIDER, DEFAULT_TENANT_SLUG, LocalIdentity


@dataclass(frozen=True)
class Actor:
    """The user on whose behalf a request runs."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID


async def ensure_local_user(database: Database, identity: LocalIdentity) -> Actor:
    """The `default` tenant and this installation's user, created on first use.

    Two apps starting at once on one PostgreSQL database may both try to create them; the loser
    of that race meets the unique constraint and reads what the winner wrote.
    """
    for _attempt in range(3):
        try:
            async with database.write() as session:
                tenant = await session.scalar(select(Tenant).where(Tenant.slug == DEFAULT_TENANT_SLUG))
                if tenant is None:
                    tenant = Tenant(name="Default", slug=DEFAULT_TENANT_SLUG)
                    session.add(tenant)
                    await session.flush()
                user = await session.scalar(
                    select(User).where(
                        User.tenant_id == tenant.id,
                        User.auth_provider == AUTH_PROVIDER,
                        User.auth_subject == identity.subject,
                    )
                )
                if user is None:
                    user = User(
                        tenant_id=tenant.id,
                        auth_provider=AUTH_PROVIDER,
                        auth_subject=identity.subject,
                        display_name=identity.display_name,
                    )
                    session.add(user)
                    await session.flush()
                return Actor(user_id=user.id, tenant_id=tenant.id)
        except IntegrityError:
            continue
    raise RuntimeError("could not provision the local user")


async def users_by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Read-only rows named as the model's attributes (see db.queries.records: no ORM objects to build)."""
    rows = await core_rows(session, select(*_USER_COLUMNS).where(User.id.in_(list(ids))), {})
    return {row.id: row for row in rows}  # a row reads like the model (records.py)


_USER_COLUMNS = [column.label(key) for key, column in User.__mapper__.columns.items()]


def _like_pattern(text: str) -> str:
    """`%text%` with LIKE's wildcards in `text` taken literally (escaped with a backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def tenant_users(
    session: AsyncSession, tenant_id: uuid.UUID, search: str | None, *, limit: int, offset: int
) -> list[User]:
    """The users of one tenant (the teammate directory), by name then email; with `search`, those
    whose name or email contains it, any case (`ilike` is ILIKE on PostgreSQL, lower() LIKE lower() on SQLite)."""
    query = select(User).where(User.tenant_id == tenant_id)
    if search:
        pattern = _like_pattern(search)
        query = query.where(or_(User.display_name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))
    query = query.order_by(func.lower(func.coalesce(User.display_name, "")), User.email, User.id)
    rows = await session.scalars(query.limit(limit).offset(offset))
    return list(rows)


async def update_profile(session: AsyncSession, user_id: uuid.UUID, changes: dict[str, str | None]) -> User | None:
    """Set some of a user's display_name, email and avatar_url; the user as it now is, or None when gone."""
    user = await session.get(User, user_id)
    if user is None or not changes:
        return user
    for name, value in changes.items():
        setattr(user, name, value)
    await session.flush()
    return user
