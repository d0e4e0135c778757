"""A reminder turned into its message: what is missing, by when, and on which chat.

The chat (`addressee`, for reminders and announcements alike) is the applicant's newest
unblocked chat on the channel recorded with the notice when it was queued
(`reminders_sent.channel`, `announcement_recipients.channel`: the channel the applicant used
last); with none there, an applicant is written to on WhatsApp at the granted phone (outside
the 24-hour window the channel sends the notification template), and on Telegram not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.campaign import Campaign
from core.dates import local_date
from core.i18n import DEFAULT_LANGUAGE, Translator
from flows.form import missing_fields
from flows.notifications import AnnouncementNotice, ReminderNotice
from flows.replies import Option, Reply
from storage.enums import Channel, RegistrationStatus
from storage.models import (
    AccessGrant,
    Announcement,
    AnnouncementRecipient,
    LinkedChat,
    Registration,
    ReminderSent,
)


@dataclass(frozen=True)
class ReminderMessage:
    """The reminder's text for one chat (or, for a stranger, one WhatsApp number)."""

    channel: Channel
    chat_id: str
    phone: str | None
    language: str
    reply: Reply


@dataclass(frozen=True)
class Addressee:
    """Where a reminder or an announcement goes: a linked chat, or a WhatsApp number.

    Attributes:
        chat: the linked chat; None when the applicant has no unblocked chat on the channel
            (never wrote to the bot there, or blocked it): written to at the granted phone,
            with no options to press.

    """

    channel: Channel
    chat_id: str
    phone: str | None
    chat: LinkedChat | None


async def addressee(
    session: AsyncSession, grant: AccessGrant, channel: Channel
) -> Addressee | None:
    """Return where a reminder or an announcement for `grant` on `channel` goes.

    The grant's newest unblocked chat on `channel`. With none there, a WhatsApp message goes
    to the granted phone and a Telegram one to nobody (None). The composer addresses the
    message here, and `office.outbound.notice_recipients` records here a notice that cannot
    be composed.
    """
    chat = await session.scalar(
        select(LinkedChat)
        .where(
            LinkedChat.grant_id == grant.id,
            LinkedChat.channel == channel,
            LinkedChat.blocked_at.is_(None),
        )
        .order_by(LinkedChat.id.desc())
        .limit(1)
    )
    if chat is not None:
        return Addressee(chat.channel, chat.chat_id, chat.phone, chat)
    if channel is Channel.WHATSAPP:
        return Addressee(Channel.WHATSAPP, f"whatsapp:{grant.phone}", grant.phone, None)
    return None


async def notice_addressee(
    session: AsyncSession, notice: ReminderNotice | AnnouncementNotice
) -> Addressee | None:
    """Return where `notice` goes (`addressee` on its recorded channel), without its text.

    None when the reminder or the announcement's recipient is not recorded, or the grant is
    gone: the composer writes nothing then either.
    """
    if isinstance(notice, ReminderNotice):
        recorded: ReminderSent | AnnouncementRecipient | None = await _reminder_sent(
            session, notice
        )
    else:
        recorded = await _announcement_recipient(session, notice)
    grant = await session.get(AccessGrant, notice.grant_id)
    if recorded is None or grant is None:
        return None
    return await addressee(session, grant, recorded.channel)


class ReminderTexts:
    """Writes reminders in the applicant's language from the `bot` catalog."""

    def __init__(self, *, texts: Translator, campaign: Campaign) -> None:
        self._texts = texts
        self._campaign = campaign

    async def compose(
        self, session: AsyncSession, notice: ReminderNotice
    ) -> ReminderMessage | None:
        """Return the reminder's message, or None when there is no chat to send it to."""
        sent = await _reminder_sent(session, notice)
        grant = await session.get(AccessGrant, notice.grant_id)
        if sent is None or grant is None or grant.reminders_stopped_at is not None:
            return None
        registration = await session.scalar(
            select(Registration).where(Registration.grant_id == grant.id)
        )
        sent_at = sent.sent_at if sent.sent_at.tzinfo else sent.sent_at.replace(tzinfo=UTC)
        days_left = (self._campaign.registration_closes - self._campaign.today(sent_at)).days

        def write(lang: str) -> Reply:
            return self.reply(
                notice.rule,
                lang,
                name=grant.full_name,
                registration=registration,
                days_left=days_left,
            )

        return await _addressed(session, grant, sent.channel, registration, write)

    async def announcement(
        self, session: AsyncSession, notice: AnnouncementNotice
    ) -> ReminderMessage | None:
        """Return an officer's announcement for one recipient, in their language."""
        row = await _announcement_recipient(session, notice)
        announcement = await session.get(Announcement, notice.announcement_id)
        grant = await session.get(AccessGrant, notice.grant_id)
        if row is None or announcement is None or grant is None:
            return None
        if grant.reminders_stopped_at is not None:
            return None
        registration = await session.scalar(
            select(Registration).where(Registration.grant_id == grant.id)
        )

        def write(lang: str) -> Reply:
            body = announcement.text_ru if lang == "ru" else announcement.text_ky
            lines = [self._t(lang, "announcement.title"), body, self._t(lang, "reminder.stop_hint")]
            return Reply("\n\n".join(lines))

        return await _addressed(session, grant, row.channel, registration, write)

    def reply(
        self,
        rule: str,
        lang: str,
        *,
        name: str,
        registration: Registration | None,
        days_left: int,
    ) -> Reply:
        """Return the reminder of `rule` for `name`, `days_left` days before the window closes."""
        closes = local_date(self._campaign.registration_closes, lang)
        answers = dict(registration.answers or {}) if registration else {}
        started = bool(answers)
        lines = [self._t(lang, "reminder.greeting", name=name)]
        options = [Option("continue", self._t(lang, "option.continue"))]
        if rule.startswith("closing_"):
            if days_left > 0:
                lines.append(self._t(lang, "reminder.closing", date=closes, days=days_left))
            else:
                lines.append(self._t(lang, "reminder.closing.today"))
            if registration is not None and registration.status is RegistrationStatus.REJECTED:
                lines.append(self._t(lang, "reminder.closing.returned"))
            elif started:
                lines.append(self._missing(answers, lang))
        elif rule == "not_started":
            lines.append(self._t(lang, "reminder.not_started", date=closes))
        elif rule == "incomplete":
            lines.append(self._missing(answers, lang))
            lines.append(self._t(lang, "reminder.until", date=closes))
        elif rule == "returned":
            lines.append(self._t(lang, "reminder.returned", date=closes))
        elif rule == "no_receipt":
            lines.append(self._t(lang, "reminder.no_receipt"))
            options = [Option("pay", self._t(lang, "option.pay"))]
        lines.append(self._t(lang, "reminder.stop_hint"))
        return Reply("\n\n".join(lines), tuple(options))

    def _missing(self, answers: dict[str, Any], lang: str) -> str:
        """«Сизге 4-кадам гана калды: паспорттун арткы бети» or the list of steps left."""
        missing = missing_fields(answers)
        if not missing:
            return self._t(lang, "reminder.missing.none")
        steps = sorted({f.step for f in missing})
        first = steps[0]
        labels = [self._t(lang, f.summary_label) for f in missing if f.step == first]
        names = ", ".join(_lower_first(label) for label in labels)
        if len(steps) == 1:
            return self._t(lang, "reminder.missing.one_step", step=first, fields=names)
        listed = ", ".join(str(step) for step in steps)
        return self._t(lang, "reminder.missing.steps", steps=listed, step=first, fields=names)

    def _t(self, lang: str, message_id: str, **params: Any) -> str:
        return self._texts.gettext(lang, message_id, **params)


def _language(registration: Registration | None, chat: LinkedChat | None) -> str:
    if registration is not None and registration.language:
        return registration.language
    return (chat.language if chat else None) or DEFAULT_LANGUAGE


async def _reminder_sent(session: AsyncSession, notice: ReminderNotice) -> ReminderSent | None:
    return await session.scalar(
        select(ReminderSent).where(
            ReminderSent.grant_id == notice.grant_id, ReminderSent.rule == notice.rule
        )
    )


async def _announcement_recipient(
    session: AsyncSession, notice: AnnouncementNotice
) -> AnnouncementRecipient | None:
    return await session.scalar(
        select(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == notice.announcement_id,
            AnnouncementRecipient.grant_id == notice.grant_id,
        )
    )


async def _addressed(
    session: AsyncSession,
    grant: AccessGrant,
    channel: Channel,
    registration: Registration | None,
    write: Callable[[str], Reply],
) -> ReminderMessage | None:
    """Address `write(language)` to the `addressee` of `grant` on `channel`."""
    to = await addressee(session, grant, channel)
    if to is None:
        return None
    lang = _language(registration, to.chat)
    reply = write(lang)
    if to.chat is None:  # never wrote to the bot: no options to press yet
        reply = Reply(reply.text)
    return ReminderMessage(to.channel, to.chat_id, to.phone, lang, reply)


def _lower_first(text: str) -> str:
    """«Паспорттун арткы бети» reads as «паспорттун арткы бети» inside a sentence."""
    return text[:1].lower() + text[1:]
