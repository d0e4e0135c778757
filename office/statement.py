"""A bank statement (.xlsx or .csv: receipt number, amount, date) matched against receipts.

A row confirms the receipt being verified with the same number and the same amount, within
the officer's scope, at once. Everything else is listed: rows with no such receipt, amounts
that differ, numbers entered by more than one applicant (never confirmed automatically), and
receipts already decided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.tables import RowError, read_table
from config.campaign import Campaign
from core.typed import ascii_digits
from core.validation import Accepted, Rejected
from flows.form.validators import FormContext, validate_receipt_number
from office import decisions
from office.queue import scoped_registrations
from storage.enums import AuditFlag, PaymentStatus
from storage.models import Officer, Payment, Registration

SYNONYMS = {
    "receipt": (
        "квитанция",
        "номер квитанции",
        "квитанциянын номери",
        "квитанция №",
        "receipt number",
        "receipt no",
        "номер",
        "№",
    ),
    "amount": ("сумма", "суммасы", "amount", "сумма сом"),
    "date": ("дата", "күнү", "дата платежа", "төлөм күнү", "date"),
}


@dataclass(frozen=True)
class StatementRow:
    line: int
    receipt: str
    amount: int
    paid_on: str


@dataclass
class StatementResult:
    """What an import did, row by row."""

    confirmed: list[tuple[StatementRow, Payment]] = field(default_factory=list)
    mismatched: list[tuple[StatementRow, Payment]] = field(default_factory=list)
    duplicated: list[StatementRow] = field(default_factory=list)
    decided: list[tuple[StatementRow, Payment]] = field(default_factory=list)
    unmatched: list[StatementRow] = field(default_factory=list)
    bad_rows: list[RowError] = field(default_factory=list)


def _amount(text: str) -> int | None:
    cleaned = re.sub(r"(?i)\s|сом|som", "", ascii_digits(text)).replace(",", ".")
    # Plain decimals only: Decimal also reads "NaN" (which then fails every comparison) and
    # "1e9999999" (whose int() takes minutes).
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if value <= 0 or value != value.to_integral_value():
        return None
    return int(value)


def parse_statement(
    data: bytes, filename: str
) -> tuple[list[StatementRow], list[RowError]] | Rejected:
    """Read the statement's rows; rows that cannot be read are returned as errors."""
    table = read_table(data, filename, synonyms=SYNONYMS, required=("receipt", "amount"))
    if isinstance(table, Rejected):
        return table
    rows: list[StatementRow] = []
    errors: list[RowError] = []
    for line, cells in table.rows:
        receipt = validate_receipt_number(cells.get("receipt", ""), FormContext())
        amount = _amount(cells.get("amount", ""))
        if not isinstance(receipt, Accepted):
            errors.append(RowError(line, "statement.bad_receipt"))
        elif amount is None:
            errors.append(RowError(line, "statement.bad_amount"))
        else:
            rows.append(StatementRow(line, receipt.value, amount, cells.get("date", "")))
    return rows, errors


async def import_statement(
    session: AsyncSession,
    *,
    actor: Officer,
    rows: list[StatementRow],
    campaign: Campaign,
    now: datetime,
    filename: str,
) -> StatementResult:
    """Confirm every receipt the statement proves; list what it could not match."""
    result = StatementResult()
    numbers = {row.receipt for row in rows}
    scoped = scoped_registrations(actor, campaign.year).with_only_columns(Registration.id)
    found = await session.scalars(
        select(Payment).where(
            Payment.receipt_number.in_(numbers),
            Payment.status != PaymentStatus.CANCELLED,
            Payment.registration_id.in_(scoped),
        )
    )
    by_receipt: dict[str, list[Payment]] = {}
    for payment in found:
        by_receipt.setdefault(payment.receipt_number, []).append(payment)
    for row in rows:
        payments = by_receipt.get(row.receipt, [])
        if not payments:
            result.unmatched.append(row)
        elif len({p.registration_id for p in payments}) > 1:
            result.duplicated.append(row)
        else:
            await _match(session, actor, row, payments[-1], campaign, now, result)
    await log_action(
        session,
        actor=actor,
        action="payment.statement_import",
        flag=AuditFlag.CHANGE,
        obj_type="statement",
        obj_id=None,
        obj_repr=filename,
        changes=[{"field": "confirmed", "before": None, "after": len(result.confirmed)}],
        district_id=actor.district_id,
    )
    return result


async def _match(
    session: AsyncSession,
    actor: Officer,
    row: StatementRow,
    payment: Payment,
    campaign: Campaign,
    now: datetime,
    result: StatementResult,
) -> None:
    if payment.status is not PaymentStatus.BEING_VERIFIED:
        result.decided.append((row, payment))
    elif payment.amount != row.amount:
        result.mismatched.append((row, payment))
    else:
        confirmed = await decisions.confirm_payment(
            session,
            actor=actor,
            payment_id=payment.id,
            campaign=campaign,
            now=now,
            source="statement",
        )
        if isinstance(confirmed, Accepted):
            result.confirmed.append((row, payment))
        else:
            result.decided.append((row, payment))
