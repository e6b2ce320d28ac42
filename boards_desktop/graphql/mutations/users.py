"""updateUser: your own profile (display name, email, avatar); nobody edits another's."""

from __future__ import annotations

import uuid

import strawberry

from boards_desktop.db.queries import members as member_queries
from boards_desktop.db.queries import users as user_queries
from boards_desktop.graphql import profile
from boards_desktop.graphql.context import context_of
from boards_desktop.graphql.errors import bad_input, conflict, forbidden, not_found
from boards_desktop.graphql.types.users import User


@strawberry.input(
    description="The fields to change; a field left out stays as it is, an empty email or avatar clears it."
)
class UpdateUserInput:
    display_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    avatar_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A data URL of a small image (data:image/png;base64,..., at most 96 KB); empty removes it.",
    )


@strawberry.type
class UserMutations:
    @strawberry.mutation(description="Change your profile. `id`, when given, must be yours: nobody edits another's.")
    async def update_user(self, info: strawberry.Info, input: UpdateUserInput, id: uuid.UUID | None = None) -> User:
        ctx = context_of(info)
        me = ctx.actor.user_id
        if id is not None and id != me:
            raise forbidden("You may change only your own profile; each teammate edits theirs in their own Settings")
        changes: dict[str, str | None] = {}
        if input.display_name is not strawberry.UNSET:
            if input.display_name is None:
                raise bad_input("displayName cannot be null; give the name your teammates will see")
            changes["display_name"] = profile.display_name(input.display_name)
        if input.email is not strawberry.UNSET:
            changes["email"] = profile.email(input.email)
        if input.avatar_url is not strawberry.UNSET:
            changes["avatar_url"] = profile.avatar_url(input.avatar_url)
        async with ctx.sessions.write() as session:
            new_email = changes.get("email")
            if new_email is not None:
                holders = await member_queries.users_with_email(session, ctx.actor.tenant_id, new_email)
                if any(holder.id != me for holder in holders):
                    raise conflict(
                        f"Another teammate already uses the email {new_email!r}; "
                        "an email names one person when boards are shared"
                    )
            row = await user_queries.update_profile(session, me, changes)
        if row is None:
            raise not_found("Your user is missing from the database; restart the app to create it again")
        ctx.loaders.users.prime(me, row, force=True)  # later fields of this request see the change
        return User.from_row(row)
