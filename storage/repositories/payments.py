"""Payment receipts of a registration."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import PaymentStatus
from storage.models import Payment


async def add_payment(
    session: AsyncSession, *, registration_id: int, payment_type: str, amount: int, receipt: str
) -> Payment:
    payment = Payment(
        registration_id=registration_id,
        payment_type=payment_type,
        amount=amount,
        receipt_number=receipt,
        status=PaymentStatus.BEING_VERIFIED,
    )
    session.add(payment)
    await session.flush()
    return payment


async def payments_of(session: AsyncSession, registration_id: int) -> list[Payment]:
    rows = await session.scalars(
        select(Payment).where(Payment.registration_id == registration_id).order_by(Payment.id)
    )
    return list(rows)


async def cancel_payment(session: AsyncSession, registration_id: int, payment_id: int) -> bool:
    """Cancel a receipt still being verified; return False when it cannot be cancelled."""
    payment = await session.get(Payment, payment_id)
    if (
        payment is None
        or payment.registration_id != registration_id
        or payment.status is not PaymentStatus.BEING_VERIFIED
    ):
        return False
    payment.status = PaymentStatus.CANCELLED
    return True
