"""Parked WhatsApp messages: stored before Twilio is answered, deleted when applied.

Claiming is one statement, as the outbox claims (`WITH due AS (SELECT ... FOR UPDATE SKIP
LOCKED) UPDATE ... FROM due RETURNING`): on PostgreSQL replicas share the rows without waiting
on each other; on SQLite the statement holds the database's write lock. A claim takes the rows
whose lease ran out (their process died), leases them to the claiming process and counts an
attempt. A live process renews the leases of the messages it runs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conflict_insert import conflict_insert
from storage.models.parked import ParkedMessage


@dataclass(frozen=True)
class Parked:
    """A claimed parked message, as plain values."""

    message_sid: str
    chat_id: str
    phone: str
    body: str
    media: tuple[tuple[str, str], ...]
    is_location: bool
    attempts: int


async def park(
    session: AsyncSession,
    *,
    message_sid: str,
    chat_id: str,
    phone: str,
    body: str,
    media: Sequence[tuple[str, str]],
    is_location: bool,
    received_at: datetime,
    owner: str,
    lease_until: datetime,
) -> None:
    """Store a message as accepted and not yet applied; a message stored before stays as it is."""
    dialect = session.bind.dialect.name
    insert = conflict_insert(dialect)
    await session.execute(
        insert(ParkedMessage)
        .values(
            message_sid=message_sid,
            chat_id=chat_id,
            phone=phone,
            body=body,
            media=[list(item) for item in media],
            is_location=is_location,
            received_at=received_at,
            lease_owner=owner,
            lease_until=lease_until,
            attempts=0,
        )
        .on_conflict_do_nothing()
    )


async def unpark(session: AsyncSession, message_sid: str) -> None:
    """Delete the parked row of `message_sid`, if any (it was applied, or given up)."""
    await session.execute(delete(ParkedMessage).where(ParkedMessage.message_sid == message_sid))


async def renew(
    session: AsyncSession, *, owner: str, message_sids: Collection[str], lease_until: datetime
) -> None:
    """Move the lease of the messages `owner` is still running to `lease_until`."""
    if message_sids:
        await session.execute(
            update(ParkedMessage)
            .where(
                ParkedMessage.lease_owner == owner,
                ParkedMessage.message_sid.in_(list(message_sids)),
            )
            .values(lease_until=lease_until)
        )


async def claim_expired(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
    chat_id: str,
) -> list[Parked]:
    """Lease to `owner` and return the chat's parked messages whose lease ran out.

    In the order they were received (by the clocks of the processes that received them).
    """
    candidate = select(ParkedMessage.id).where(
        ParkedMessage.chat_id == chat_id, ParkedMessage.lease_until <= now
    )
    # A materialized CTE, as the outbox's claim: its rows are chosen and locked once.
    due = (
        candidate.order_by(ParkedMessage.received_at, ParkedMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    rows = await session.execute(
        update(ParkedMessage)
        .where(ParkedMessage.id == due.c.id, ParkedMessage.lease_until <= now)
        .values(lease_owner=owner, lease_until=lease_until, attempts=ParkedMessage.attempts + 1)
        .returning(
            ParkedMessage.id,
            ParkedMessage.received_at,
            ParkedMessage.message_sid,
            ParkedMessage.chat_id,
            ParkedMessage.phone,
            ParkedMessage.body,
            ParkedMessage.media,
            ParkedMessage.is_location,
            ParkedMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    return [_parked(row) for row in sorted(rows, key=lambda row: (row.received_at, row.id))]


async def leased_elsewhere(
    session: AsyncSession, chat_id: str, *, owner: str, now: datetime
) -> bool:
    """Whether a parked message of the chat is leased by another process, its lease running."""
    found = await session.scalar(
        select(ParkedMessage.id)
        .where(
            ParkedMessage.chat_id == chat_id,
            ParkedMessage.lease_owner != owner,
            ParkedMessage.lease_until > now,
        )
        .limit(1)
    )
    return found is not None


async def due_chats(session: AsyncSession, *, now: datetime, limit: int) -> list[str]:
    """Return chats with parked messages whose lease ran out (their process died)."""
    rows = await session.scalars(
        select(ParkedMessage.chat_id)
        .where(ParkedMessage.lease_until <= now)
        .group_by(ParkedMessage.chat_id)
        .order_by(func.min(ParkedMessage.received_at))
        .limit(limit)
    )
    return list(rows)


async def parked_chats(session: AsyncSession) -> set[str]:
    """Return the chats that have parked messages (a handful, or none)."""
    return set(await session.scalars(select(ParkedMessage.chat_id).distinct()))


def _parked(row: Any) -> Parked:
    return Parked(
        message_sid=row.message_sid,
        chat_id=row.chat_id,
        phone=row.phone,
        body=row.body,
        media=tuple((str(url), str(kind)) for url, kind in row.media or ()),
        is_location=bool(row.is_location),
        attempts=row.attempts,
    )
