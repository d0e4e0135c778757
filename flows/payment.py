"""Adding a payment receipt ("Квитанцияны кошуу") and cancelling one ("Төлөмдү жокко чыгаруу").

The half-entered receipt lives in transient state: losing it means typing it again. Each step
is a question of its own (`payment_type`, `payment_amount`, `payment_confirm`,
`payment_receipt`): a button of another step is an old one. A new receipt is taken only while
the confirmed and pending payments together are less than the fee, so nobody pays twice.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from core.typed import ascii_number
from core.validation import Rejected
from flows.choices import match_typed, small_talk, tag, untag
from flows.form.validators import FormContext, validate_amount, validate_receipt_number
from flows.replies import Option, Reply
from flows.screens import Paid, menu, paid
from flows.turn import Turn
from storage.enums import RegistrationStatus
from storage.repositories.payments import add_payment, cancel_payment, payments_of

STATE = "pay"
STOP = "pay:stop"  # leaves the receipt at any step
PAYABLE = (RegistrationStatus.SUBMITTED, RegistrationStatus.REJECTED, RegistrationStatus.APPROVED)
_COURTESIES = ("greeting", "thanks", "ack")


def _question(pending: dict[str, Any]) -> str:
    return f"payment_{pending['stage']}"


def _stop(turn: Turn) -> Option:
    return Option(STOP, turn.t("option.cancel"))


async def _money(turn: Turn) -> Paid:
    assert turn.registration is not None
    return paid(turn, await payments_of(turn.session, turn.registration.id))


async def start(turn: Turn) -> list[Reply]:
    """Begin entering a receipt: only once submitted, and only while something is unpaid."""
    assert turn.registration is not None
    if turn.registration.status not in PAYABLE:
        return [Reply(turn.t("payment.submit_first"))]
    money = await _money(turn)
    if money.missing == 0:
        return await menu(turn, turn.t("payment.no_new_receipt"))
    types = turn.campaign.payment_types
    pending: dict[str, Any] = {"stage": "type"}
    if len(types) == 1:
        pending = {"stage": "amount", "type": types[0].code}
    await turn.set_state(STATE, pending)
    return ask(turn, pending, money)


def ask(turn: Turn, pending: dict[str, Any], money: Paid) -> list[Reply]:
    stage = pending["stage"]
    question = _question(pending)
    if stage == "type":
        options = tuple(
            Option(tag(question, p.code), p.name(turn.lang)) for p in turn.campaign.payment_types
        )
        return [Reply(turn.t("payment.ask_type"), (*options, _stop(turn)))]
    if stage == "amount":
        due = turn.money(money.missing)
        text = turn.t("payment.ask_amount", fee=due)
        if money.confirmed + money.pending > 0:
            text = turn.t("payment.ask_rest", missing=due)
        return [Reply(text, (Option(tag(question, "due"), due), _stop(turn)))]
    if stage == "confirm":
        params = {"amount": turn.money(pending["amount"]), "fee": turn.money(money.missing)}
        options = (
            Option(tag(question, "yes"), turn.t("option.yes")),
            Option(tag(question, "no"), turn.t("option.no")),
        )
        return [Reply(turn.t("payment.confirm_amount", **params), options)]
    return [Reply(turn.t("payment.ask_receipt"), (_stop(turn),))]


async def handle(turn: Turn, pending: dict[str, Any]) -> list[Reply]:
    """Take the event as the next part of the receipt being entered."""
    event = turn.event
    if event.choice == STOP or event.command == "cancel":
        await turn.clear_state(STATE)
        return await menu(turn, turn.t("payment.stopped"))
    money = await _money(turn)
    stage = pending["stage"]
    value: str | None = None
    if event.kind == "choice":
        question, value = untag(event.choice)
        if question != _question(pending):
            return _error(turn, "error.old_button", pending, money)
    elif event.kind == "text":
        typed = event.text or ""
        matched = match_typed(turn.services.translator, typed, ask(turn, pending, money)[0].options)
        value = untag(matched.id)[1] if matched is not None else None
        talk = small_talk(turn.services.translator, typed)
        if value is None and talk in _COURTESIES:
            return _error(turn, f"smalltalk.{talk}", pending, money)
    context = FormContext(answers=turn.answers, today=turn.today)
    if stage == "type" and value in {p.code for p in turn.campaign.payment_types}:
        return await _next(turn, {"stage": "amount", "type": value}, money)
    if stage == "amount" and value == "due":
        return await _next(turn, {**pending, "stage": "receipt", "amount": money.missing}, money)
    if stage == "amount" and event.kind == "text":
        result = validate_amount(event.text or "", context)
        if isinstance(result, Rejected):
            return _error(turn, result.message_id, pending, money)
        next_stage = "receipt" if result.value == money.missing else "confirm"
        return await _next(turn, {**pending, "stage": next_stage, "amount": result.value}, money)
    if stage == "confirm" and value in ("yes", "no"):
        next_stage = "receipt" if value == "yes" else "amount"
        return await _next(turn, {**pending, "stage": next_stage}, money)
    if stage == "receipt" and event.kind == "text":
        result = validate_receipt_number(event.text or "", context)
        if isinstance(result, Rejected):
            return _error(turn, result.message_id, pending, money)
        return await _add(turn, pending, result.value, money)
    wrong = "error.payment_choose" if stage in ("type", "confirm") else "error.payment_unexpected"
    return _error(turn, wrong, pending, money)


async def _next(turn: Turn, pending: dict[str, Any], money: Paid) -> list[Reply]:
    await turn.set_state(STATE, pending)
    return ask(turn, pending, money)


def _error(turn: Turn, message_id: str, pending: dict[str, Any], money: Paid) -> list[Reply]:
    replies = ask(turn, pending, money)
    text = f"{turn.t(message_id)}\n\n{replies[0].text}"
    return [dataclasses.replace(replies[0], text=text), *replies[1:]]


async def _add(turn: Turn, pending: dict[str, Any], receipt: str, money: Paid) -> list[Reply]:
    assert turn.registration is not None
    await turn.clear_state(STATE)
    if money.missing == 0:  # paid meanwhile (another chat, an old "Pay" button)
        return await menu(turn, turn.t("payment.no_new_receipt"))
    await add_payment(
        turn.session,
        registration_id=turn.registration.id,
        payment_type=pending["type"],
        amount=pending["amount"],
        receipt=receipt,
    )
    return await menu(turn, turn.t("payment.added"))


async def cancel(turn: Turn, payment_id: str) -> list[Reply]:
    """Cancel a receipt still being verified, so that it can be entered again."""
    assert turn.registration is not None
    number = ascii_number(payment_id)
    ok = number is not None and await cancel_payment(turn.session, turn.registration.id, number)
    return await menu(turn, turn.t("payment.cancelled" if ok else "payment.cannot_cancel"))
