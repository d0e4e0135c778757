"""What the applicant sees outside a single question: summary, fee, status, help, refusals."""

from __future__ import annotations

from dataclasses import dataclass

from flows import rejection
from flows.fee import chosen_tests, entry_fee
from flows.form import EDITABLE, current_form, missing_fields, next_missing
from flows.form.fields import Field
from flows.form.kinds import display
from flows.questions import ask
from flows.replies import Option, Reply, preceded
from flows.turn import Turn
from storage.enums import PaymentStatus, RegistrationStatus
from storage.models import Payment
from storage.repositories.payments import payments_of

# What an officer's rejection reason lets the applicant change ("other": anything editable).
REASON_FIELDS: dict[str, tuple[str, ...]] = {**rejection.REASON_FIELDS, "other": EDITABLE}
EDITABLE_STATUSES = (
    RegistrationStatus.DRAFT,
    RegistrationStatus.SUBMITTED,
    RegistrationStatus.REJECTED,
)


def status(turn: Turn) -> RegistrationStatus:
    assert turn.registration is not None
    return turn.registration.status


def editable_fields(turn: Turn) -> list[Field]:
    """Return the fields the applicant may change now (a rejection limits them to its reasons)."""
    if status(turn) not in EDITABLE_STATUSES:
        return []
    form = current_form()
    fields = form.editable
    if status(turn) is RegistrationStatus.REJECTED:
        reasons = turn.registration.rejection_reasons or ["other"]
        if "other" not in reasons:
            allowed = {n for r in reasons for n in REASON_FIELDS.get(r, ())}
            fields = tuple(f for f in fields if f.name in allowed)
    answers = turn.answers
    return [f for f in fields if f.applies(answers)]


def value_text(turn: Turn, field: Field) -> str:
    """Return the answer to `field` as the applicant reads it in their summary."""
    return display(field, turn.answers, turn.services.translator, turn.lang, turn.campaign)


def summary_text(turn: Turn) -> str:
    assert turn.grant is not None
    lines = [turn.t("summary.title"), f"{turn.t('field.full_name')}: {turn.grant.full_name}"]
    answers = turn.answers
    for field in current_form().editable:
        if field.applies(answers):
            lines.append(f"{turn.t(field.summary_label)}: {value_text(turn, field)}")
    return "\n".join(lines)


def fee_text(turn: Turn) -> str:
    chosen = chosen_tests(turn.answers, turn.campaign)
    lines = [turn.t("fee.title")]
    for test in turn.campaign.mandatory_tests:
        lines.append(f"• {test.name(turn.lang)}: {turn.money(test.fee)}")
    for code in chosen:
        subject = turn.campaign.subjects_by_code[code]
        lines.append(f"• {subject.name(turn.lang)}: {turn.money(subject.fee)}")
    lines.append(turn.t("fee.total", total=turn.money(entry_fee(turn.answers, turn.campaign))))
    return "\n".join(lines)


def fee(turn: Turn) -> int:
    return entry_fee(turn.answers, turn.campaign)


def edit_menu(turn: Turn) -> list[Reply]:
    fields = editable_fields(turn)
    if not fields:
        return [Reply(turn.t("edit.not_allowed"))]
    options = tuple(Option(f"edit:{f.name}", turn.t(f.summary_label)) for f in fields)
    return [Reply(turn.t("edit.which"), (*options, Option("summary", turn.t("option.back"))))]


def payment_lines(turn: Turn, payments: list[Payment]) -> list[str]:
    types = {p.code: p.name(turn.lang) for p in turn.campaign.payment_types}
    return [
        turn.t(
            "payment.line",
            type=types.get(p.payment_type, p.payment_type),
            amount=turn.money(p.amount),
            receipt=p.receipt_number,
            status=turn.t(f"payment.status.{p.status.value}"),
        )
        for p in payments
    ]


@dataclass(frozen=True)
class Paid:
    """The entry's payments against its fee (cancelled and rejected ones do not count)."""

    fee: int
    confirmed: int
    pending: int

    @property
    def missing(self) -> int:
        return max(0, self.fee - self.confirmed - self.pending)


def paid(turn: Turn, payments: list[Payment]) -> Paid:
    def total(state: PaymentStatus) -> int:
        return sum(p.amount for p in payments if p.status is state)

    return Paid(fee(turn), total(PaymentStatus.CONFIRMED), total(PaymentStatus.BEING_VERIFIED))


def payment_sentence(turn: Turn, money: Paid) -> str:
    """Say where the payment stands: to pay, being verified, paid, or how much is missing."""
    if money.confirmed >= money.fee:
        return turn.t("payment.state.paid")
    if money.missing == 0:
        return turn.t("payment.state.verifying")
    if money.confirmed + money.pending == 0:
        return turn.t("payment.state.none", fee=turn.money(money.fee))
    return turn.t("payment.state.short", missing=turn.money(money.missing))


async def menu(
    turn: Turn, prefix: str | None = None, *, form_line: str | None = None
) -> list[Reply]:
    """Return the screen after submission: where things stand and what can be done next.

    One sentence about the form (`form_line`, else the status), one about the payment.
    """
    assert turn.registration is not None
    payments = await payments_of(turn.session, turn.registration.id)
    money = paid(turn, payments)
    lines = [prefix] if prefix else []
    lines.append(form_line or turn.t(f"status.{status(turn).value}"))
    if status(turn) is RegistrationStatus.REJECTED:
        lines.append(_rejection_text(turn))
    if payments:
        lines += [turn.t("payment.list_title"), *payment_lines(turn, payments)]
    lines.append(payment_sentence(turn, money))
    return [Reply("\n".join(lines), tuple(_menu_options(turn, payments, money)))]


async def after_submission(turn: Turn, message_id: str) -> list[Reply]:
    """Return the answer to "Submit": the form is sent, and what the payment needs next."""
    return await menu(turn, form_line=turn.t(message_id))


def reason_names(turn: Turn, reasons: list[str]) -> list[str]:
    """Return the reasons as the applicant reads them ("other" is the officer's comment)."""
    translator = turn.services.translator
    return [
        turn.t(f"reason.{r}")
        for r in reasons
        if r != "other" and translator.has(turn.lang, f"reason.{r}")
    ]


def _rejection_text(turn: Turn) -> str:
    reasons = list(turn.registration.rejection_reasons or [])
    names = reason_names(turn, reasons)
    comment = turn.registration.rejection_comment
    lines = [turn.t("status.rejected_reasons", reasons="; ".join(names))] if names else []
    if comment:
        lines.append(turn.t("status.rejected_comment", comment=comment))
    return "\n".join(lines)


def fix_saved(turn: Turn) -> list[Reply]:
    """Answer a saved fix of a returned entry: what is still to fix, and "Submit again"."""
    registration = turn.registration
    remaining = reason_names(turn, rejection.still_to_fix(registration))
    if remaining:
        text = turn.t("fix.saved_remaining", reasons="; ".join(remaining))
    elif "other" in (registration.rejection_reasons or []):
        text = turn.t("fix.saved_check", comment=registration.rejection_comment or "")
    else:
        text = turn.t("fix.saved_all")
    options = [Option("submit", turn.t("option.resubmit"))]
    if editable_fields(turn):
        options.append(Option("edit", turn.t("option.edit")))
    options.append(Option("menu", turn.t("option.menu")))
    return [Reply(text, tuple(options))]


def continue_greeting(turn: Turn) -> str:
    """Greet someone who began the form elsewhere: it goes on, and says where."""
    assert turn.grant is not None
    field = next_missing(turn.answers)
    if status(turn) is not RegistrationStatus.DRAFT:
        following = turn.t("continue.next.menu")
    elif field is None:
        following = turn.t("continue.next.summary")
    else:
        step = max(field.step, 1)
        title = turn.t(f"step.{step}.title")
        following = turn.t("continue.next.step", step=step, title=title)
    return turn.t("identity.continue", name=turn.grant.full_name, next=following)


def _menu_options(turn: Turn, payments: list[Payment], money: Paid) -> list[Option]:
    options: list[Option] = []
    if status(turn) is RegistrationStatus.REJECTED:
        options.append(Option("submit", turn.t("option.resubmit")))
    if money.missing > 0:  # a new receipt only while something is left to pay
        options.append(Option("pay", turn.t("option.pay")))
    for p in payments:
        if p.status is PaymentStatus.BEING_VERIFIED:
            label = turn.t("option.cancel_payment", receipt=p.receipt_number)
            options.append(Option(f"pay:cancel:{p.id}", label))
    if editable_fields(turn):
        options.append(Option("edit", turn.t("option.edit")))
    options.append(Option("summary", turn.t("option.show_summary")))
    return options


def summary_screen(turn: Turn, prefix: str | None = None) -> list[Reply]:
    """Return the summary; in a draft, followed by the fee and the Submit button."""
    text = summary_text(turn)
    if prefix:
        text = f"{prefix}\n\n{text}"
    if status(turn) is not RegistrationStatus.DRAFT:
        options = (Option("edit", turn.t("option.edit")),) if editable_fields(turn) else ()
        return [Reply(text, (*options, Option("menu", turn.t("option.menu"))))]
    complete = f"{fee_text(turn)}\n\n{turn.t('complete.hint')}"
    options = (Option("submit", turn.t("option.submit")), Option("edit", turn.t("option.edit")))
    return [Reply(text), Reply(complete, options)]


def student_refusal(turn: Turn) -> list[Reply]:
    return [
        Reply(turn.t("student.refusal"), (Option("student:change", turn.t("option.not_student")),))
    ]


async def home(turn: Turn, *, intro: bool = False, prefix: str | None = None) -> list[Reply]:
    """Say what comes next: the first missing answer, the summary, or the menu."""
    answers = turn.answers
    if current_form().refusal(answers) is not None:
        return student_refusal(turn)
    if status(turn) in (RegistrationStatus.APPROVED, RegistrationStatus.REGISTERED):
        return await menu(turn, prefix)
    field = next_missing(answers)
    if field is not None and status(turn) is RegistrationStatus.DRAFT:
        replies = await ask(turn, field, intro=intro)
        return preceded(prefix, replies)
    if status(turn) is RegistrationStatus.DRAFT:
        return summary_screen(turn, prefix)
    return await menu(turn, prefix)


async def status_screen(turn: Turn) -> list[Reply]:
    """Return the /status answer: steps done and missing, the status, the payments."""
    answers = turn.answers
    missing = missing_fields(answers) if status(turn) is RegistrationStatus.DRAFT else []
    lines = [turn.t("status.title")]
    for step in (1, 2, 3, 4, 5):
        todo = [f for f in missing if f.step == step]
        mark = "status.step_missing" if todo else "status.step_done"
        lines.append(turn.t(mark, step=step, title=turn.t(f"step.{step}.title")))
    if missing:
        lines.append(turn.t("status.next", field=turn.t(missing[0].summary_label)))
    if status(turn) is RegistrationStatus.DRAFT:
        lines.append(turn.t("status.draft"))
        return [Reply("\n".join(lines), (Option("continue", turn.t("option.continue")),))]
    return await menu(turn, "\n".join(lines))


def help_reply(turn: Turn) -> Reply:
    return Reply(turn.t("help.text"))
