"""The applicant's registration: one per grant, its answers written at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import Channel
from storage.models import AccessGrant, Registration
from storage.repositories.turn_rows import remembered_registration, without_chains


async def registration_of_grant(
    session: AsyncSession, grant_id: int, *, chains: bool = True
) -> Registration | None:
    """Return the grant's registration; `chains` as `applicants.grant_by_phone`."""
    if (registration := remembered_registration(session, grant_id)) is not None:
        return registration  # read at the start of this turn, in this transaction
    statement = select(Registration).where(Registration.grant_id == grant_id)
    if not chains:
        statement = statement.options(*without_chains())
    return await session.scalar(statement)


async def get_or_create_registration(
    session: AsyncSession,
    grant: AccessGrant,
    *,
    language: str,
    channel: Channel,
    chains: bool = True,
) -> Registration:
    """Return the grant's registration, creating the empty draft on first contact."""
    registration = await registration_of_grant(session, grant.id, chains=chains)
    if registration is None:
        registration = Registration(
            grant_id=grant.id,
            campaign_year=grant.campaign_year,
            answers={},
            language=language,
            channel=channel,
        )
        session.add(registration)
        await session.flush()
    return registration


def update_answers(
    registration: Registration, changes: dict[str, Any], *, remove: tuple[str, ...] = ()
) -> None:
    """Merge `changes` into the answers and drop `remove`.

    A new dict is assigned because the JSON column does not track in-place mutation.
    """
    answers = {k: v for k, v in (registration.answers or {}).items() if k not in remove}
    answers.update(changes)
    registration.answers = answers
