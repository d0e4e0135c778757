"""Finding an applicant's access grant by verified phone or by one-time access code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AccessGrant
from storage.repositories.turn_rows import without_chains


async def grant_by_phone(
    session: AsyncSession, year: int, phone: str, *, chains: bool = True
) -> AccessGrant | None:
    """Return the live grant of `phone` (E.164) for campaign `year`.

    `chains`: with its school, district and granting officer (the officers' pages show them);
    a turn of the chat reads none of them, and the joins cost it more than the row.
    """
    statement = select(AccessGrant).where(
        AccessGrant.campaign_year == year,
        AccessGrant.phone == phone,
        AccessGrant.revoked_at.is_(None),
    )
    if not chains:
        statement = statement.options(*without_chains())
    return await session.scalar(statement)


async def grant_by_code_hash(
    session: AsyncSession, year: int, code_hash: str
) -> AccessGrant | None:
    """Return the live grant whose one-time access code has this keyed hash."""
    return await session.scalar(
        select(AccessGrant).where(
            AccessGrant.campaign_year == year,
            AccessGrant.access_code_hash == code_hash,
            AccessGrant.revoked_at.is_(None),
        )
    )


async def grant_by_id(session: AsyncSession, grant_id: int) -> AccessGrant | None:
    return await session.get(AccessGrant, grant_id)


def mark_code_used(grant: AccessGrant, now: datetime) -> None:
    grant.access_code_used_at = now
