"""Channel-neutral outbound messages: what to tell whom, decided by the domain, sent later.

A domain operation (a submission, an officer's decision, a confirmed payment) queues notices
on the database session it writes with. `queue_notice` stores each one in the outbox
(`storage.models.OutboxNotice`) on that same session, so the notice commits or rolls back
with the change it tells about: nobody hears of a change that was rolled back, and a
committed change is always told, even if the process dies right after the commit. Whoever
owns the transaction takes the notices out once it has committed and hands them to a
`NoticePublisher`, which only wakes the sender (the rows are already stored)::

    async with database.session() as session:
        await decisions.approve(session, ...)
        notices = take_notices(session)
    await publisher.publish(notices)

The outbox sender (`bot.notifications.outbox`) turns each notice into messages on the
applicant's or the officers' linked Telegram and WhatsApp chats.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.outbox import OutboxNotice

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
    """Remind the applicant of `grant_id` by rule `rule`, on the channel they used last.

    Rules and their texts live in `office.reminders`; the reminder is recorded (once per
    grant and rule, with the channel it is for) in the transaction that queues this notice.
    """

    grant_id: int
    rule: str


@dataclass(frozen=True)
class AnnouncementNotice:
    """Give announcement `announcement_id` to the applicant of `grant_id` (one recipient).

    The recipient is recorded, with the channel the announcement is for, when it is sent.
    """

    announcement_id: int
    grant_id: int

    @property
    def key(self) -> str:
        """The idempotency key of its message; the announcement's figures find it by this."""
        return f"announcement:{self.announcement_id}:{self.grant_id}"


Notice = ApplicantNotice | ReviewPrompt | ReminderNotice | AnnouncementNotice


_TYPES: dict[str, type[Notice]] = {
    cls.__name__: cls for cls in (ApplicantNotice, ReviewPrompt, ReminderNotice, AnnouncementNotice)
}


def notice_to_json(notice: Notice) -> dict[str, Any]:
    """Return `notice` as the JSON object its outbox row keeps (ids only, never a text)."""
    return {"type": type(notice).__name__, **asdict(notice)}


def notice_from_json(data: dict[str, Any]) -> Notice:
    """Return the notice an outbox row keeps (see `notice_to_json`)."""
    fields = dict(data)
    cls = _TYPES[fields.pop("type")]
    if cls is ApplicantNotice:
        fields["event"] = ApplicantEvent(fields["event"])
    return cls(**fields)


class NoticePublisher(Protocol):
    """Told after the commit that notices were stored, so they go out now rather than later."""

    async def publish(self, notices: Sequence[Notice]) -> None:
        """Wake whoever sends the stored `notices`; must not raise for a channel's failure."""
        ...


class DiscardNotices:
    """The publisher of a process that sends nothing itself (the command line, tests).

    The notices are stored all the same: a serving process sends them.
    """

    async def publish(self, notices: Sequence[Notice]) -> None:
        return None


def queue_notice(session: AsyncSession, notice: Notice) -> None:
    """Store `notice` in the outbox on `session`: it commits or rolls back with the change.

    The same notice queued twice in one transaction is stored once.
    """
    pending: list[Notice] = session.info.setdefault(_PENDING, [])
    if notice not in pending:
        pending.append(notice)
        session.add(OutboxNotice(notice=notice_to_json(notice)))


def take_notices(session: AsyncSession) -> list[Notice]:
    """Return and forget the notices queued on `session`, in order (they stay stored)."""
    return list(session.info.pop(_PENDING, []))
