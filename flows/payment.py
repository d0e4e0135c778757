"""Adding a payment receipt ("Квитанцияны кошуу") and cancelling one ("Төлөмдү жокко чыгаруу").

The half-entered receipt lives in transient state: losing it means typing it again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from core.typed import ascii_number
from core.validation import Rejected
from flows.form.validators import FormContext, validate_amount, validate_receipt_number
from flows.replies import Option, Reply
from flows.screens import fee, menu
from flows.turn import Turn
from storage.enums import RegistrationStatus
from storage.repositories.payments import add_payment, cancel_payment

STATE = "pay"
PAYABLE = (RegistrationStatus.SUBMITTED, RegistrationStatus.REJECTED, RegistrationStatus.APPROVED)


def _stop(turn: Turn) -> Option:
    return Option("pay:stop", turn.t("option.cancel"))


async def start(turn: Turn) -> list[Reply]:
    """Begin entering a receipt (only once the registration is submitted)."""
    assert turn.registration is not None
    if turn.registration.status not in PAYABLE:
        return [Reply(turn.t("payment.submit_first"))]
    types = turn.campaign.payment_types
    pending: dict[str, Any] = {"stage": "type"}
    if len(types) == 1:
        pending = {"stage": "amount", "type": types[0].code}
    await turn.set_state(STATE, pending)
    return ask(turn, pending)


def ask(turn: Turn, pending: dict[str, Any]) -> list[Reply]:
    stage = pending["stage"]
    if stage == "type":
        options = tuple(
            Option(f"pay:type:{p.code}", p.name(turn.lang)) for p in turn.campaign.payment_types
        )
        return [Reply(turn.t("payment.ask_type"), (*options, _stop(turn)))]
    if stage == "amount":
        amount = turn.money(fee(turn))
        option = Option("pay:amount:fee", amount)
        return [Reply(turn.t("payment.ask_amount", fee=amount), (option, _stop(turn)))]
    if stage == "confirm":
        params = {"amount": turn.money(pending["amount"]), "fee": turn.money(fee(turn))}
        options = (Option("yes", turn.t("option.yes")), Option("no", turn.t("option.no")))
        return [Reply(turn.t("payment.confirm_amount", **params), options)]
    return [Reply(turn.t("payment.ask_receipt"), (_stop(turn),))]


async def handle(turn: Turn, pending: dict[str, Any]) -> list[Reply]:
    """Take the event as the next part of the receipt being entered."""
    event = turn.event
    if event.choice == "pay:stop" or event.command == "cancel":
        await turn.clear_state(STATE)
        return await menu(turn, turn.t("payment.stopped"))
    stage = pending["stage"]
    context = FormContext(answers=turn.answers, today=turn.today)
    if stage == "type" and event.choice and event.choice.startswith("pay:type:"):
        code = event.choice.removeprefix("pay:type:")
        if code in {p.code for p in turn.campaign.payment_types}:
            return await _next(turn, {"stage": "amount", "type": code})
    elif stage == "amount" and event.choice == "pay:amount:fee":
        return await _next(turn, {**pending, "stage": "receipt", "amount": fee(turn)})
    elif stage == "amount" and event.kind == "text":
        result = validate_amount(event.text or "", context)
        if isinstance(result, Rejected):
            return _error(turn, result.message_id, pending)
        next_stage = "receipt" if result.value == fee(turn) else "confirm"
        return await _next(turn, {**pending, "stage": next_stage, "amount": result.value})
    elif stage == "confirm" and event.choice in ("yes", "no"):
        next_stage = "receipt" if event.choice == "yes" else "amount"
        return await _next(turn, {**pending, "stage": next_stage})
    elif stage == "receipt" and event.kind == "text":
        result = validate_receipt_number(event.text or "", context)
        if isinstance(result, Rejected):
            return _error(turn, result.message_id, pending)
        return await _add(turn, pending, result.value)
    wrong = "error.old_button" if event.kind == "choice" else "error.payment_unexpected"
    return _error(turn, wrong, pending)


async def _next(turn: Turn, pending: dict[str, Any]) -> list[Reply]:
    await turn.set_state(STATE, pending)
    return ask(turn, pending)


def _error(turn: Turn, message_id: str, pending: dict[str, Any]) -> list[Reply]:
    replies = ask(turn, pending)
    text = f"{turn.t(message_id)}\n\n{replies[0].text}"
    return [dataclasses.replace(replies[0], text=text), *replies[1:]]


async def _add(turn: Turn, pending: dict[str, Any], receipt: str) -> list[Reply]:
    assert turn.registration is not None
    await add_payment(
        turn.session,
        registration_id=turn.registration.id,
        payment_type=pending["type"],
        amount=pending["amount"],
        receipt=receipt,
    )
    await turn.clear_state(STATE)
    return await menu(turn, turn.t("payment.added"))


async def cancel(turn: Turn, payment_id: str) -> list[Reply]:
    """Cancel a receipt still being verified, so that it can be entered again."""
    assert turn.registration is not None
    number = ascii_number(payment_id)
    ok = number is not None and await cancel_payment(turn.session, turn.registration.id, number)
    return await menu(turn, turn.t("payment.cancelled" if ok else "payment.cannot_cancel"))
