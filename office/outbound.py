"""Notices turned into messages: which chats receive what, in whose language.

Channel-neutral: every message is a `Reply` (text and options) for one linked chat, with the
photos to show before it. `bot.notifications` delivers them on Telegram or WhatsApp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.scope import Scope
from config.campaign import Campaign
from core.i18n import Translator
from core.people import format_phone
from flows.fee import entry_fee
from flows.form import current_form
from flows.notifications import (
    AnnouncementNotice,
    ApplicantEvent,
    ApplicantNotice,
    Notice,
    ReminderNotice,
    ReviewPrompt,
)
from flows.photos import stored_warnings
from flows.replies import Option, Reply
from flows.screens import REASON_FIELDS
from office.decisions import paid_amount
from office.reminder_texts import ReminderTexts, notice_addressee
from office.summary import answer_rows
from storage.enums import Channel, GrantKind, RegistrationStatus, Role
from storage.models import LinkedChat, Officer, Payment, Registration, School
from storage.repositories.documents import current_documents

APPROVE = "rv:ok:"
REJECT = "rv:no:"
MESSAGING = (Channel.TELEGRAM, Channel.WHATSAPP)


@dataclass(frozen=True)
class Photo:
    """A stored document photo to show with a message."""

    document_id: int
    sha256: str
    caption: str


@dataclass(frozen=True)
class Outbound:
    """One message for one linked chat.

    Attributes:
        key: unique per logical message and chat (a retry under the same key is not resent).
        detail_path: the entry's page in the web, linked when photos cannot be attached.

    """

    channel: Channel
    chat_id: str
    phone: str | None
    language: str
    reply: Reply
    key: str
    photos: tuple[Photo, ...] = ()
    detail_path: str | None = None


class NoticeComposer:
    """Reads what a notice is about and writes its messages."""

    def __init__(self, *, texts: Translator, campaign: Campaign) -> None:
        self._texts = texts
        self._campaign = campaign
        self._reminders = ReminderTexts(texts=texts, campaign=campaign)

    async def compose(self, session: AsyncSession, notice: Notice) -> list[Outbound]:
        """Return the messages of `notice` (none when nobody has a linked chat)."""
        if isinstance(notice, ReminderNotice | AnnouncementNotice):
            if isinstance(notice, ReminderNotice):
                message = await self._reminders.compose(session, notice)
                key = f"reminder:{notice.rule}:{notice.grant_id}"
            else:
                message = await self._reminders.announcement(session, notice)
                key = notice.key
            if message is None:
                return []
            return [
                Outbound(
                    message.channel,
                    message.chat_id,
                    message.phone,
                    message.language,
                    message.reply,
                    key,
                )
            ]
        registration = await session.get(Registration, notice.registration_id)
        if registration is None:
            return []
        if isinstance(notice, ReviewPrompt):
            return await self._prompt(session, registration, notice)
        return await self._applicant(session, registration, notice)

    def _t(self, lang: str, message_id: str, **params: Any) -> str:
        return self._texts.gettext(lang, message_id, **params)

    def money(self, amount: int, lang: str) -> str:
        return f"{amount:,}".replace(",", " ") + " " + self._campaign.currency(lang)

    # --- the applicant ------------------------------------------------------------------

    async def _applicant(
        self, session: AsyncSession, registration: Registration, notice: ApplicantNotice
    ) -> list[Outbound]:
        chats = await _chats(session, LinkedChat.grant_id == registration.grant_id)
        lang = registration.language
        reply = await self._applicant_reply(session, registration, notice, lang)
        key = f"notice:{notice.event.value}:{registration.id}:{registration.version}"
        return [_outbound(chat, lang, reply, f"{key}:{chat.id}") for chat in chats]

    async def _applicant_reply(
        self,
        session: AsyncSession,
        registration: Registration,
        notice: ApplicantNotice,
        lang: str,
    ) -> Reply:
        event = notice.event
        if event is ApplicantEvent.REJECTED:
            return self._rejection(registration, lang)
        if event in (ApplicantEvent.PAYMENT_CONFIRMED, ApplicantEvent.PAYMENT_REJECTED):
            payment = await session.get(Payment, notice.payment_id or 0)
            if payment is not None:
                return await self._payment(session, registration, payment, event, lang)
        return Reply(self._t(lang, f"notice.{event.value}"))

    def _rejection(self, registration: Registration, lang: str) -> Reply:
        reasons = list(registration.rejection_reasons or [])
        # "Other reason" is not something to fix: the officer's comment below says what is.
        names = "; ".join(self._t(lang, f"reason.{r}") for r in reasons if r != "other")
        if names:
            lines = [self._t(lang, "notice.rejected", reasons=names)]
        else:
            lines = [self._t(lang, "notice.rejected.plain")]
        if registration.rejection_comment:
            lines.append(
                self._t(lang, "notice.rejected.comment", comment=registration.rejection_comment)
            )
        answers = registration.answers or {}
        allowed = {n for r in reasons for n in REASON_FIELDS.get(r, ())}
        fields = [f for f in current_form().editable if f.name in allowed and f.applies(answers)]
        options: list[Option] = []
        if "other" in reasons:
            options.append(Option("edit", self._t(lang, "option.edit")))
        else:
            options += [Option(f"edit:{f.name}", self._t(lang, f.summary_label)) for f in fields]
        lines.append(
            self._t(lang, "notice.rejected.fix" if options else "notice.rejected.nothing_to_fix")
        )
        options.append(Option("submit", self._t(lang, "option.resubmit")))
        return Reply("\n\n".join(lines), tuple(options))

    async def _payment(
        self,
        session: AsyncSession,
        registration: Registration,
        payment: Payment,
        event: ApplicantEvent,
        lang: str,
    ) -> Reply:
        receipt = payment.receipt_number
        if event is ApplicantEvent.PAYMENT_REJECTED:
            text = self._t(
                lang, "notice.payment_rejected", receipt=receipt, reason=payment.reason or "—"
            )
            return Reply(text, (Option("pay", self._t(lang, "option.pay")),))
        lines = [
            self._t(
                lang,
                "notice.payment_confirmed",
                receipt=receipt,
                amount=self.money(payment.amount, lang),
            )
        ]
        fee = entry_fee(registration.answers or {}, self._campaign)
        due = fee - await paid_amount(session, registration.id)
        if due > 0:
            lines.append(self._t(lang, "notice.payment_due", due=self.money(due, lang)))
        if registration.status is RegistrationStatus.SUBMITTED:
            lines.append(self._t(lang, "notice.payment_waits_review"))
        return Reply("\n".join(lines))

    # --- the officers -------------------------------------------------------------------

    async def _prompt(
        self, session: AsyncSession, registration: Registration, notice: ReviewPrompt
    ) -> list[Outbound]:
        if registration.status is not RegistrationStatus.SUBMITTED:
            return []  # decided in the web before the prompt went out
        chats = await _prompt_chats(session, registration, notice)
        if not chats:
            return []
        documents = await current_documents(session, registration.id)
        school = await session.get(School, registration.grant.school_id)
        out = []
        for chat in chats:
            officer = await session.get(Officer, chat.officer_id)
            lang = chat.language or (officer.language if officer else "ky")
            reply = self._prompt_reply(registration, school, lang, documents)
            photos = tuple(self._photo(d, lang) for d in documents)
            key = f"prompt:{registration.id}:{registration.version}:{chat.id}"
            out.append(
                _outbound(
                    chat, lang, reply, key, photos=photos, detail=f"/review/{registration.id}"
                )
            )
        return out

    def _prompt_reply(self, registration, school, lang, documents) -> Reply:  # type: ignore[no-untyped-def]
        grant = registration.grant
        again = registration.decided_by_id is not None
        kind = "mzhb" if grant.kind is GrantKind.MZHB else "current"
        lines = [
            self._t(lang, "review.prompt.again" if again else "review.prompt.title"),
            grant.full_name,
            self._t(lang, f"review.prompt.kind.{kind}"),
            f"{self._t(lang, 'review.prompt.school')}: {school.code} {school.name}"
            if school
            else "",
            f"{self._t(lang, 'review.prompt.phone')}: {format_phone(grant.phone)}",
            "",
        ]
        for row in answer_rows(self._texts, lang, self._campaign, registration.answers or {}):
            if not row.document_ids:
                lines.append(f"{row.label}: {row.value}")
        warned = [(d, stored_warnings(d.check_results, lang)) for d in documents]
        warned = [(d, texts) for d, texts in warned if texts]
        if warned:
            lines += ["", self._t(lang, "review.prompt.warnings")]
            for document, texts in warned:
                caption = self._photo(document, lang).caption
                lines += [f"⚠ {caption}: {text}" for text in texts]
        options = (
            Option(f"{APPROVE}{registration.id}", self._t(lang, "review.option.approve")),
            Option(f"{REJECT}{registration.id}", self._t(lang, "review.option.reject")),
        )
        return Reply("\n".join(lines), options)

    def _photo(self, document, lang: str) -> Photo:  # type: ignore[no-untyped-def]
        field = current_form().storing(document.kind)
        caption = self._t(lang, field.summary_label)
        if document.benefit_code:
            benefit = next(
                (b for b in self._campaign.benefits if b.code == document.benefit_code), None
            )
            caption = f"{caption}: {benefit.name(lang) if benefit else document.benefit_code}"
        return Photo(document.id, document.sha256, caption)


async def notice_recipients(session: AsyncSession, notice: Notice) -> list[tuple[Channel, str]]:
    """Return the chats `notice` is for, found without writing its text: (channel, chat id).

    For a notice that cannot be composed (its data is broken), so that its failure is recorded
    on the chats of the people it was for and officers see who was not told. The same chats
    as `NoticeComposer.compose` would address: the applicant's chats, the one chat of a
    reminder or an announcement (`office.reminder_texts.notice_addressee`), or the chats a
    review prompt goes to (`_prompt_chats`).
    """
    if isinstance(notice, ReminderNotice | AnnouncementNotice):
        to = await notice_addressee(session, notice)
        return [] if to is None else [(to.channel, to.chat_id)]
    registration = await session.get(Registration, notice.registration_id)
    if registration is None:
        return []
    if isinstance(notice, ApplicantNotice):
        chats = await _chats(session, LinkedChat.grant_id == registration.grant_id)
    else:
        chats = await _prompt_chats(session, registration, notice)
    return [(chat.channel, chat.chat_id) for chat in chats]


async def _prompt_chats(
    session: AsyncSession, registration: Registration, notice: ReviewPrompt
) -> list[LinkedChat]:
    """Return the chats a review prompt goes to.

    The officer a resubmission returns to, while still responsible for the entry; else every
    officer responsible for it.
    """
    chats: list[LinkedChat] = []
    if notice.officer_id is not None:
        chats = await _chats(session, LinkedChat.officer_id == notice.officer_id)
        chats = [c for c in chats if await _still_responsible(session, c, registration)]
    if not chats:
        officers = await responsible_officers(session, registration)
        if officers:
            chats = await _chats(session, LinkedChat.officer_id.in_([o.id for o in officers]))
    return chats


async def responsible_officers(session: AsyncSession, registration: Registration) -> list[Officer]:
    """Return who is asked to review the entry in chat.

    This year's graduates: their school's coordinator; МЖБ: the district's coordinators.
    """
    grant = registration.grant
    if grant.kind is GrantKind.CURRENT:
        where = (Officer.role == Role.SCHOOL, Officer.school_id == grant.school_id)
    else:
        where = (Officer.role == Role.DISTRICT, Officer.district_id == grant.district_id)
    rows = await session.scalars(select(Officer).where(Officer.is_active.is_(True), *where))
    return list(rows.unique())


async def _still_responsible(
    session: AsyncSession, chat: LinkedChat, registration: Registration
) -> bool:
    """Whether the officer who rejected the entry may still decide it."""
    officer = await session.get(Officer, chat.officer_id)
    return bool(
        officer and officer.is_active and Scope.of(officer).allows_grant(registration.grant)
    )


async def _chats(session: AsyncSession, condition) -> list[LinkedChat]:  # type: ignore[no-untyped-def]
    rows = await session.scalars(
        select(LinkedChat)
        .where(condition, LinkedChat.channel.in_(MESSAGING), LinkedChat.blocked_at.is_(None))
        .order_by(LinkedChat.id)
    )
    return list(rows)


def _outbound(
    chat: LinkedChat,
    lang: str,
    reply: Reply,
    key: str,
    *,
    photos: tuple[Photo, ...] = (),
    detail: str | None = None,
) -> Outbound:
    return Outbound(chat.channel, chat.chat_id, chat.phone, lang, reply, key, photos, detail)
