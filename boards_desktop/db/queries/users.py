"""Users and the tenant: provisioning the local user, and loading users by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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
    rows = await session.scalars(select(User).where(User.id.in_(list(ids))))
    return {user.id: user for user in rows}
