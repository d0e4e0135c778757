"""What happens to an entry after the form: submission, approval, rejection, payments.

One place used by the conversation, the officers' chats and the web. Every function works in
the caller's transaction, loads the entry or payment through the officer's scope
(`access.scoped.Scoped`: another scope's row, or a missing one, raises `OutOfScope`), records
the step in the entry's history (and officers' steps in the audit log), and queues the notices
to send after the commit (`flows.notifications`). Officers' mistakes (a decided entry, no
reason) come back as `Rejected` with a message id of the `bot` catalog.

An entry becomes **registered** when it is approved and its confirmed payments cover the fee.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.scoped import Scoped
from config.campaign import Campaign
from core.typed import clean_text
from core.validation import Accepted, Rejected
from flows.fee import entry_fee
from flows.notifications import ApplicantEvent, ApplicantNotice, queue_notice
from flows.submission import record
from storage.enums import AuditFlag, PaymentStatus, RegistrationStatus
from storage.models import Officer, Payment, Registration

# Rejection reasons in the order officers see them; `flows.screens.REASON_FIELDS` says what
# each lets the applicant change ("names" is fixed by the officer who granted access).
REASONS: tuple[str, ...] = ("face_photo", "passport", "certificate", "names", "benefits", "other")
COMMENT_LIMIT = 1000
PAYMENT_REASON_LIMIT = 500


async def _audit(
    session: AsyncSession,
    actor: Officer,
    registration: Registration,
    action: str,
    changes: list[dict[str, Any]],
) -> None:
    grant = registration.grant
    await log_action(
        session,
        actor=actor,
        action=action,
        flag=AuditFlag.CHANGE,
        obj_type="registration",
        obj_id=registration.id,
        obj_repr=grant.full_name,
        changes=changes,
        district_id=grant.district_id,
    )


async def approve(
    session: AsyncSession,
    *,
    actor: Officer,
    registration_id: int,
    campaign: Campaign,
    now: datetime,
) -> Accepted[Registration] | Rejected:
    """Approve a submitted entry; registered at once when it is already paid.

    Raises:
        OutOfScope: when the entry does not exist or is not `actor`'s to see.

    """
    registration = await Scoped(session, actor).registration(registration_id)
    if registration.status is not RegistrationStatus.SUBMITTED:
        return Rejected("review.error.not_submitted")
    _decide(registration, actor, now, RegistrationStatus.APPROVED)
    record(session, registration, "approved", actor=actor)
    await _audit(session, actor, registration, "registration.approve", _status("approved"))
    if not await _settle(session, registration, campaign, now, actor=actor):
        queue_notice(session, ApplicantNotice(registration.id, ApplicantEvent.APPROVED))
    return Accepted(registration)


async def reject(
    session: AsyncSession,
    *,
    actor: Officer,
    registration_id: int,
    reasons: list[str],
    comment: str | None,
    now: datetime,
) -> Accepted[Registration] | Rejected:
    """Return a submitted entry to the applicant with the reasons (and what to fix).

    Raises:
        OutOfScope: when the entry does not exist or is not `actor`'s to see.

    """
    chosen = [r for r in REASONS if r in set(reasons)]
    text = clean_text(comment)[:COMMENT_LIMIT] or None
    if not chosen:
        return Rejected("review.error.no_reasons")
    if "other" in chosen and not text:
        return Rejected("review.error.other_needs_text")
    registration = await Scoped(session, actor).registration(registration_id)
    if registration.status is not RegistrationStatus.SUBMITTED:
        return Rejected("review.error.not_submitted")
    _decide(registration, actor, now, RegistrationStatus.REJECTED)
    registration.rejection_reasons = chosen
    registration.rejection_comment = text
    record(session, registration, "rejected", actor=actor, reasons=chosen, comment=text)
    changes = [*_status("rejected"), {"field": "reasons", "before": None, "after": chosen}]
    await _audit(session, actor, registration, "registration.reject", changes)
    queue_notice(session, ApplicantNotice(registration.id, ApplicantEvent.REJECTED))
    return Accepted(registration)


async def confirm_payment(
    session: AsyncSession,
    *,
    actor: Officer,
    payment_id: int,
    campaign: Campaign,
    now: datetime,
    source: str = "web",
) -> Accepted[Payment] | Rejected:
    """Confirm a receipt being verified (`source` "statement" when a bank statement matched).

    Raises:
        OutOfScope: when the payment does not exist or is not `actor`'s to see.

    """
    pending = await _pending_payment(session, actor, payment_id)
    if isinstance(pending, Rejected):
        return pending
    payment, registration = pending
    _decide_payment(payment, actor, now, PaymentStatus.CONFIRMED, None)
    receipt = payment.receipt_number
    record(session, registration, "payment_confirmed", actor=actor, receipt=receipt, source=source)
    changes = [{"field": "payment", "before": receipt, "after": "confirmed"}]
    await _audit(session, actor, registration, "payment.confirm", changes)
    if not await _settle(session, registration, campaign, now, actor=actor):
        notice = ApplicantNotice(registration.id, ApplicantEvent.PAYMENT_CONFIRMED, payment.id)
        queue_notice(session, notice)
    return Accepted(payment)


async def reject_payment(
    session: AsyncSession, *, actor: Officer, payment_id: int, reason: str, now: datetime
) -> Accepted[Payment] | Rejected:
    """Refuse a receipt with a reason the applicant reads; they can enter it again.

    Raises:
        OutOfScope: when the payment does not exist or is not `actor`'s to see.

    """
    text = clean_text(reason)[:PAYMENT_REASON_LIMIT]
    if not text:
        return Rejected("review.error.payment_reason")
    pending = await _pending_payment(session, actor, payment_id)
    if isinstance(pending, Rejected):
        return pending
    payment, registration = pending
    _decide_payment(payment, actor, now, PaymentStatus.REJECTED, text)
    receipt = payment.receipt_number
    record(session, registration, "payment_rejected", actor=actor, receipt=receipt, reason=text)
    changes = [{"field": "payment", "before": receipt, "after": "rejected"}]
    await _audit(session, actor, registration, "payment.reject", changes)
    notice = ApplicantNotice(registration.id, ApplicantEvent.PAYMENT_REJECTED, payment.id)
    queue_notice(session, notice)
    return Accepted(payment)


async def _pending_payment(
    session: AsyncSession, actor: Officer, payment_id: int
) -> tuple[Payment, Registration] | Rejected:
    """Return a payment of the officer's scope still being verified, with its entry."""
    payment = await Scoped(session, actor).payment(payment_id)
    if payment.status is not PaymentStatus.BEING_VERIFIED:
        return Rejected("review.error.payment_not_pending")
    registration = await session.get(Registration, payment.registration_id)
    assert registration is not None  # noqa: S101 - the payment's foreign key
    return payment, registration


async def paid_amount(session: AsyncSession, registration_id: int) -> int:
    """Return the sum of the entry's confirmed payments, in som."""
    amounts = await session.scalars(
        select(Payment.amount).where(
            Payment.registration_id == registration_id,
            Payment.status == PaymentStatus.CONFIRMED,
        )
    )
    return sum(amounts)


async def _settle(
    session: AsyncSession,
    registration: Registration,
    campaign: Campaign,
    now: datetime,
    *,
    actor: Officer | None,
) -> bool:
    """Mark an approved entry whose fee is paid registered; True when it became so."""
    if registration.status is not RegistrationStatus.APPROVED:
        return False
    fee = entry_fee(registration.answers or {}, campaign)
    if await paid_amount(session, registration.id) < fee:
        return False
    registration.status = RegistrationStatus.REGISTERED
    registration.decided_at = now
    record(session, registration, "registered", actor=actor)
    queue_notice(session, ApplicantNotice(registration.id, ApplicantEvent.REGISTERED))
    return True


def _decide(
    registration: Registration, actor: Officer, now: datetime, status: RegistrationStatus
) -> None:
    registration.status = status
    registration.decided_at = now
    registration.decided_by_id = actor.id


def _decide_payment(
    payment: Payment, actor: Officer, now: datetime, status: PaymentStatus, reason: str | None
) -> None:
    payment.status = status
    payment.decided_by_id = actor.id
    payment.decided_at = now
    payment.reason = reason


def _status(after: str) -> list[dict[str, Any]]:
    return [{"field": "status", "before": "submitted", "after": after}]
