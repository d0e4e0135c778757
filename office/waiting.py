"""The work waiting for an officer, as the home page counts it: entries, receipts, deliveries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.deliveries import list_blocked_chats, list_failed_messages
from office.queue import scoped_registrations
from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import Officer, Payment, Registration


@dataclass(frozen=True)
class WaitingWork:
    """Counts of what waits for the officer in their scope."""

    entries: int  # submitted, not yet approved or returned
    receipts: int  # payments being verified
    deliveries: int  # WhatsApp messages that did not arrive, and chats that blocked the bot


async def waiting_work(session: AsyncSession, *, actor: Officer, year: int) -> WaitingWork:
    """Count the entries to review, receipts to verify and delivery problems of `actor`'s scope."""
    scoped = scoped_registrations(actor, year)
    entries = await session.scalar(
        scoped.with_only_columns(func.count()).where(
            Registration.status == RegistrationStatus.SUBMITTED
        )
    )
    receipts = await session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(
            Payment.status == PaymentStatus.BEING_VERIFIED,
            Payment.registration_id.in_(scoped.with_only_columns(Registration.id)),
        )
    )
    _, failed = await list_failed_messages(session, actor=actor, campaign_year=year, limit=1)
    _, blocked = await list_blocked_chats(session, actor=actor, campaign_year=year, limit=1)
    return WaitingWork(
        entries=int(entries or 0), receipts=int(receipts or 0), deliveries=failed + blocked
    )
