"""An officer adds an applicant's payment receipt on the web, with the chat's rules.

The same checks as «Квитанцияны кошуу» in the conversation (`flows.payment`): only once the
entry is submitted, a payment type of the campaign, a whole amount of som (a sum other than the
fee must be confirmed), a receipt number of 4–30 Latin letters, digits and dashes. The receipt
is then "being verified", like one the applicant typed.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from config.campaign import Campaign
from core.validation import Accepted, Rejected
from flows.fee import entry_fee
from flows.form import FormContext
from flows.form.validators import validate_amount, validate_receipt_number
from flows.payment import PAYABLE
from storage.enums import AuditFlag
from storage.models import Officer, Payment, Registration
from storage.repositories.payments import add_payment


async def add_receipt(
    session: AsyncSession,
    *,
    officer: Officer,
    registration: Registration,
    campaign: Campaign,
    payment_type: str,
    amount: str,
    receipt: str,
    other_amount_confirmed: bool,
    today: date,
) -> Accepted[Payment] | Rejected:
    """Add a receipt to a submitted entry, or say (as the chat would) what is wrong."""
    if registration.status not in PAYABLE:
        return Rejected("payment.submit_first")
    if payment_type not in {p.code for p in campaign.payment_types}:
        return Rejected("payment.ask_type")
    context = FormContext(answers=registration.answers or {}, today=today)
    money = validate_amount(amount, context)
    if isinstance(money, Rejected):
        return money
    fee = entry_fee(registration.answers or {}, campaign)
    if money.value != fee and not other_amount_confirmed:
        return Rejected("fill.payment.other_amount", {"amount": money.value, "fee": fee})
    number = validate_receipt_number(receipt, context)
    if isinstance(number, Rejected):
        return number
    payment = await add_payment(
        session,
        registration_id=registration.id,
        payment_type=payment_type,
        amount=money.value,
        receipt=number.value,
    )
    grant = registration.grant
    await log_action(
        session,
        actor=officer,
        action="payment.add",
        flag=AuditFlag.ADD,
        obj_type="registration",
        obj_id=registration.id,
        obj_repr=grant.full_name,
        changes=[
            {"field": "payment", "before": None, "after": number.value},
            {"field": "amount", "before": None, "after": money.value},
        ],
        district_id=grant.district_id,
    )
    return Accepted(payment)
