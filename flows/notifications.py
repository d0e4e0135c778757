"""Channel-neutral outbound messages: what to tell whom, decided by the domain, sent later.

A domain operation (a submission, an officer's decision, a confirmed payment) queues notices
on the database session it writes with; whoever owns the transaction takes them out once the
work is done and hands them to a `NoticePublisher` after the commit, so that nobody is told
about a change that was rolled back::

    async with database.session() as session:
        await decisions.approve(session, ...)
        notices = take_notices(session)
    await publisher.publish(notices)

The publisher (`bot.notifications`) turns each notice into messages on the applicant's or the
officers' linked Telegram and WhatsApp chats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

_PENDING = "ortbot.pending_notices"


class ApplicantEvent(StrEnum):
    """What the applicant is told; each has a `notice.<value>` text in the bot catalog."""

    APPROVED = "approved"
    REJECTED = "rejected"
    PAYMENT_CONFIRMED = "payment_confirmed"
    PAYMENT_REJECTED = "payment_rejected"
    REGISTERED = "registered"


@dataclass(frozen=True)
class ApplicantNotice:
    """Tell the applicant of `registration_id`, on every chat linked to their grant."""

    registration_id: int
    event: ApplicantEvent
    payment_id: int | None = None


@dataclass(frozen=True)
class ReviewPrompt:
    """Ask officers to approve or reject a submitted entry, with its summary and photos.

    Attributes:
        registration_id: the entry.
        officer_id: a resubmission goes back to the officer who rejected it; None sends it
            to every officer responsible for the entry (the school's coordinator for this
            year's graduates, the district's coordinators for МЖБ).

    """

    registration_id: int
    officer_id: int | None = None


@dataclass(frozen=True)
class ReminderNotice:
    """Remind the applicant of `grant_id` by rule `rule`, on the chat they used last.

    Rules and their texts live in `office.reminders`; the reminder is recorded (once per
    grant and rule) in the transaction that queues this notice.
    """

    grant_id: int
    rule: str


@dataclass(frozen=True)
class AnnouncementNotice:
    """Give announcement `announcement_id` to the applicant of `grant_id` (one recipient)."""

    announcement_id: int
    grant_id: int

    @property
    def key(self) -> str:
        """The idempotency key of its message; the announcement's figures find it by this."""
        return f"announcement:{self.announcement_id}:{self.grant_id}"


Notice = ApplicantNotice | ReviewPrompt | ReminderNotice | AnnouncementNotice


class NoticePublisher(Protocol):
    """Delivers notices after the transaction that produced them has committed."""

    async def publish(self, notices: Sequence[Notice]) -> None:
        """Start delivering `notices`; must not raise for a channel's failure."""
        ...


class DiscardNotices:
    """The publisher of a process without messaging channels: nothing is sent."""

    async def publish(self, notices: Sequence[Notice]) -> None:
        return None


def queue_notice(session: AsyncSession, notice: Notice) -> None:
    """Remember `notice` on `session` until its owner takes it out with `take_notices`."""
    pending: list[Notice] = session.info.setdefault(_PENDING, [])
    if notice not in pending:
        pending.append(notice)


def take_notices(session: AsyncSession) -> list[Notice]:
    """Return and forget the notices queued on `session`, in order."""
    return list(session.info.pop(_PENDING, []))
