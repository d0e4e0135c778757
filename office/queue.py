"""The review queue: an officer's entries, filtered and searched, with payment flags.

Scope comes from `access.scope` (the same rule as grants): the admin sees everything, a
district coordinator their district, a school coordinator their school's current graduates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.listing import phone_matches
from access.scope import Scope
from core.typed import ascii_digits, clean_text
from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import AccessGrant, Officer, Payment, Registration, RegistrationEvent
from storage.models.geography import search_key

PAYMENT_FILTERS = ("none", "being_verified", "confirmed", "rejected", "duplicate")
_LIVE = (PaymentStatus.BEING_VERIFIED, PaymentStatus.CONFIRMED, PaymentStatus.REJECTED)


@dataclass(frozen=True)
class QueueFilter:
    """What the officer asked for; None means "any"."""

    status: RegistrationStatus | None = RegistrationStatus.SUBMITTED
    school_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    benefits: bool | None = None
    payment: str | None = None
    query: str = ""


@dataclass
class QueueRow:
    """One entry of the queue as the list shows it."""

    registration: Registration
    payment: PaymentStatus | None = None
    receipts: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def grant(self) -> AccessGrant:
        return self.registration.grant

    @property
    def has_benefits(self) -> bool:
        return (self.registration.answers or {}).get("has_benefits") is True


def payment_summary(payments: list[Payment]) -> PaymentStatus | None:
    """Return where an entry's payment stands: confirmed, being verified, rejected, or None."""
    statuses = {p.status for p in payments}
    for status in _LIVE:
        if status in statuses:
            return status
    return None


def scoped_registrations(actor: Officer, year: int) -> Select[Any]:
    """Return the query of the entries `actor` may see in campaign `year`."""
    stmt = (
        select(Registration)
        .join(AccessGrant, Registration.grant_id == AccessGrant.id)
        .where(Registration.campaign_year == year)
    )
    return Scope.of(actor).filter_grants(stmt)


def _duplicates() -> Select[Any]:
    return (
        select(Payment.receipt_number)
        .where(Payment.status != PaymentStatus.CANCELLED)
        .group_by(Payment.receipt_number)
        .having(func.count(func.distinct(Payment.registration_id)) > 1)
    )


def _payment_exists(*conditions: Any) -> Any:
    return exists().where(Payment.registration_id == Registration.id, *conditions)


def _filtered(stmt: Select[Any], flt: QueueFilter, zone: ZoneInfo) -> Select[Any]:
    if flt.status is not None:
        stmt = stmt.where(Registration.status == flt.status)
    if flt.school_id is not None:
        stmt = stmt.where(AccessGrant.school_id == flt.school_id)
    if flt.date_from is not None:
        stmt = stmt.where(
            Registration.submitted_at >= datetime.combine(flt.date_from, time.min, zone)
        )
    if flt.date_to is not None:
        end = datetime.combine(flt.date_to + timedelta(days=1), time.min, zone)
        stmt = stmt.where(Registration.submitted_at < end)
    claims = Registration.answers["has_benefits"].as_boolean()
    if flt.benefits is True:
        stmt = stmt.where(claims.is_(True))
    elif flt.benefits is False:
        stmt = stmt.where(or_(claims.is_(None), claims.is_(False)))
    stmt = _payment_filter(stmt, flt.payment)
    return _search(stmt, flt.query)


def _payment_filter(stmt: Select[Any], wanted: str | None) -> Select[Any]:
    confirmed = _payment_exists(Payment.status == PaymentStatus.CONFIRMED)
    pending = _payment_exists(Payment.status == PaymentStatus.BEING_VERIFIED)
    if wanted == "confirmed":
        return stmt.where(confirmed)
    if wanted == "being_verified":
        return stmt.where(pending, not_(confirmed))
    if wanted == "rejected":
        rejected = _payment_exists(Payment.status == PaymentStatus.REJECTED)
        return stmt.where(rejected, not_(confirmed), not_(pending))
    if wanted == "none":
        return stmt.where(not_(_payment_exists(Payment.status.in_(_LIVE))))
    if wanted == "duplicate":
        return stmt.where(
            _payment_exists(
                Payment.status != PaymentStatus.CANCELLED,
                Payment.receipt_number.in_(_duplicates()),
            )
        )
    return stmt


def _search(stmt: Select[Any], query: str) -> Select[Any]:
    """Search by PIN (14 digits), phone, or a part of the name."""
    text = clean_text(query)
    if not text:
        return stmt
    digits = re.sub(r"[\s\-]", "", ascii_digits(text))
    if re.fullmatch(r"[0-9]{14}", digits):
        return stmt.where(Registration.answers["pin"].as_string() == digits)
    by_name = AccessGrant.full_name_search.contains(search_key(text), autoescape=True)
    by_phone = phone_matches(AccessGrant.phone, text)
    return stmt.where(by_name if by_phone is None else by_name | by_phone)


async def review_queue(
    session: AsyncSession,
    *,
    actor: Officer,
    year: int,
    flt: QueueFilter,
    zone: ZoneInfo,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[QueueRow], int]:
    """Return one page of the queue (oldest submission first) and the number of entries."""
    stmt = _filtered(scoped_registrations(actor, year), flt, zone)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = await session.scalars(
        stmt.order_by(Registration.submitted_at.asc().nulls_last(), Registration.id)
        .offset(max(offset, 0))
        .limit(max(min(limit, 500), 1))
    )
    rows = [QueueRow(r) for r in page.unique()]
    await _attach_payments(session, rows)
    return rows, int(total or 0)


async def _attach_payments(session: AsyncSession, rows: list[QueueRow]) -> None:
    by_id = {row.registration.id: row for row in rows}
    if not by_id:
        return
    payments = list(
        await session.scalars(select(Payment).where(Payment.registration_id.in_(by_id)))
    )
    grouped: dict[int, list[Payment]] = {}
    for payment in payments:
        grouped.setdefault(payment.registration_id, []).append(payment)
    live = {p.receipt_number for p in payments if p.status is not PaymentStatus.CANCELLED}
    duplicated = set(await duplicate_receipts(session, live))
    for registration_id, own in grouped.items():
        row = by_id[registration_id]
        row.payment = payment_summary(own)
        row.receipts = [p.receipt_number for p in own if p.status is not PaymentStatus.CANCELLED]
        row.duplicate = any(r in duplicated for r in row.receipts)


async def duplicate_receipts(session: AsyncSession, receipts: set[str]) -> list[str]:
    """Return which of `receipts` were entered by more than one applicant (any scope)."""
    if not receipts:
        return []
    found = await session.scalars(_duplicates().where(Payment.receipt_number.in_(receipts)))
    return list(found)


async def history(session: AsyncSession, registration_id: int) -> list[RegistrationEvent]:
    """Return the entry's history, oldest first."""
    rows = await session.scalars(
        select(RegistrationEvent)
        .where(RegistrationEvent.registration_id == registration_id)
        .order_by(RegistrationEvent.created_at, RegistrationEvent.id)
    )
    return list(rows.unique())
