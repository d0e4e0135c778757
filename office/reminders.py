"""Who is reminded of what, and when: the campaign's reminder rules applied to every grant.

Rules, in the order one is chosen when several apply (one reminder per applicant per run, and
none within `SPACING` of the previous one, so nobody gets two messages in a row):

- ``closing_<n>``: not submitted (never started, a draft, or returned) and the window closes
  in at most n days (the tightest n of `before_close_days` that applies: a missed 7-day
  reminder is not sent once the 3-day one is due);
- ``returned``: returned by an officer and not resubmitted for `returned_days`;
- ``incomplete``: a started draft untouched for `incomplete_days`;
- ``not_started``: granted `not_started_days` ago and not a single answer given;
- ``no_receipt``: submitted `no_receipt_days` ago and no receipt added (or every one refused).

Each rule reaches an applicant at most once (the `reminders_sent` row, unique per grant and
rule); nothing is sent in the quiet window, after «STOP», or outside the registration window.
A reminder goes to the chat the applicant used last; an applicant who never wrote to the bot
can be reached only on WhatsApp (at the granted phone, through the notification template).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.scope import Scope
from config.campaign import Campaign
from config.settings import Settings
from flows.notifications import ReminderNotice, queue_notice
from storage.enums import Channel, PaymentStatus, RegistrationStatus
from storage.models import AccessGrant, LinkedChat, Payment, Registration, ReminderSent

SPACING = timedelta(hours=20)
PROGRESS_WINDOW = timedelta(hours=48)
MESSAGING = (Channel.TELEGRAM, Channel.WHATSAPP)
NOT_SUBMITTED = (None, RegistrationStatus.DRAFT, RegistrationStatus.REJECTED)
_RANK = {
    None: 0,
    RegistrationStatus.DRAFT: 1,
    RegistrationStatus.REJECTED: 1,
    RegistrationStatus.SUBMITTED: 2,
    RegistrationStatus.APPROVED: 3,
    RegistrationStatus.REGISTERED: 4,
}
_LIVE_PAYMENT = (PaymentStatus.BEING_VERIFIED, PaymentStatus.CONFIRMED)


def rule_names(campaign: Campaign) -> list[str]:
    """Return the campaign's rules in the order they are shown (dashboard, dry run)."""
    rules = campaign.reminders
    names = [
        name
        for name, days in (
            ("not_started", rules.not_started_days),
            ("incomplete", rules.incomplete_days),
            ("returned", rules.returned_days),
            ("no_receipt", rules.no_receipt_days),
        )
        if days is not None
    ]
    return names + [f"closing_{n}" for n in sorted(rules.before_close_days, reverse=True)]


@dataclass
class Applicant:
    """What the rules read about one grant (columns only: no joined objects)."""

    grant_id: int
    phone: str
    granted_at: datetime
    status: RegistrationStatus | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    last_channel: Channel | None = None
    changed_at: datetime | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    has_receipt: bool = False
    chats: dict[Channel, int] = field(default_factory=dict)
    sent: dict[str, datetime] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        """A number that grows as the applicant moves forward (status, receipt, answers)."""
        return _RANK[self.status] * 1000 + (500 if self.has_receipt else 0) + len(self.answers)

    @property
    def started(self) -> bool:
        return self.status is not None and bool(self.answers)


@dataclass(frozen=True)
class Due:
    """One reminder to send now."""

    grant_id: int
    rule: str
    channel: Channel
    progress: int


async def load_applicants(
    session: AsyncSession, campaign: Campaign, *, scope: Scope | None = None
) -> list[Applicant]:
    """Read every live grant of the campaign (in `scope`) not stopped by «STOP», for the rules."""
    stmt = (
        select(
            AccessGrant.id,
            AccessGrant.phone,
            AccessGrant.created_at,
            Registration.status,
            Registration.answers,
            Registration.channel,
            Registration.updated_at,
            Registration.submitted_at,
            Registration.decided_at,
            Registration.id,
        )
        .outerjoin(Registration, Registration.grant_id == AccessGrant.id)
        .where(
            AccessGrant.campaign_year == campaign.year,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.reminders_stopped_at.is_(None),
        )
    )
    grants = await session.execute(scope.filter_grants(stmt) if scope else stmt)
    applicants: dict[int, Applicant] = {}
    by_registration: dict[int, Applicant] = {}
    for row in grants.all():
        applicant = Applicant(
            grant_id=row[0],
            phone=row[1],
            granted_at=_aware(row[2]),
            status=row[3],
            answers=dict(row[4] or {}),
            last_channel=row[5],
            changed_at=_aware(row[6]),
            submitted_at=_aware(row[7]),
            decided_at=_aware(row[8]),
        )
        applicants[applicant.grant_id] = applicant
        if row[9] is not None:
            by_registration[row[9]] = applicant
    of_year = select(AccessGrant.id).where(AccessGrant.campaign_year == campaign.year)
    chats = await session.execute(
        select(LinkedChat.grant_id, LinkedChat.channel, LinkedChat.id)
        .where(
            LinkedChat.grant_id.in_(of_year),
            LinkedChat.channel.in_(MESSAGING),
            LinkedChat.blocked_at.is_(None),
        )
        .order_by(LinkedChat.id)
    )
    for grant_id, channel, chat_id in chats.all():
        if grant_id in applicants:
            applicants[grant_id].chats[channel] = chat_id
    paid = await session.scalars(
        select(Payment.registration_id)
        .join(Registration, Registration.id == Payment.registration_id)
        .where(Registration.campaign_year == campaign.year, Payment.status.in_(_LIVE_PAYMENT))
    )
    for registration_id in paid:
        if registration_id in by_registration:
            by_registration[registration_id].has_receipt = True
    sent = await session.execute(
        select(ReminderSent.grant_id, ReminderSent.rule, ReminderSent.sent_at).where(
            ReminderSent.campaign_year == campaign.year
        )
    )
    for grant_id, rule, sent_at in sent.all():
        if grant_id in applicants:
            applicants[grant_id].sent[rule] = _aware(sent_at)
    return list(applicants.values())


def idle_reason(campaign: Campaign, now: datetime) -> str | None:
    """Say why no reminder at all goes out at `now` (for the operator), or None."""
    rules = campaign.reminders
    if not rules.enabled:
        return "reminders are off in the campaign file"
    state = campaign.window_state(now)
    if state != "open":
        return f"the registration window is {state.replace('_', ' ')}"
    local = now.astimezone(ZoneInfo(campaign.timezone))
    if rules.is_quiet(local.time()):
        return (
            f"quiet hours ({rules.quiet_from:%H:%M}-{rules.quiet_until:%H:%M} "
            f"{campaign.timezone}; now {local:%H:%M})"
        )
    return None


def select_due(
    applicants: list[Applicant], campaign: Campaign, *, now: datetime, channels: set[Channel]
) -> list[Due]:
    """Return the reminders to send at `now` on the `channels` that run (none in quiet hours)."""
    if idle_reason(campaign, now) is not None:
        return []
    days_left = (campaign.registration_closes - campaign.today(now)).days
    due = []
    for applicant in applicants:
        if applicant.answers.get("is_student") is True:
            continue  # a university student cannot register: nothing to nudge towards
        if applicant.sent and now - max(applicant.sent.values()) < SPACING:
            continue
        channel = target_channel(applicant, channels)
        if channel is None:
            continue
        rules_now = _applicable(applicant, campaign, now, days_left)
        rule = next((r for r in rules_now if r not in applicant.sent), None)
        if rule is not None:
            due.append(Due(applicant.grant_id, rule, channel, applicant.progress))
    return due


def configured_channels(settings: Settings) -> set[Channel]:
    """Return the messaging channels the settings turn on: where reminders and announcements go."""
    turned_on = {
        Channel.TELEGRAM: settings.telegram_enabled,
        Channel.WHATSAPP: settings.whatsapp_enabled,
    }
    return {channel for channel, on in turned_on.items() if on}


def target_channel(applicant: Applicant, channels: set[Channel]) -> Channel | None:
    """Return the channel of the chat used last (WhatsApp at the granted phone for a stranger)."""
    chats = [c for c in applicant.chats if c in channels]
    if applicant.last_channel in chats:
        return applicant.last_channel
    if chats:
        return max(chats, key=lambda c: applicant.chats[c])  # the chat linked last
    if not applicant.chats and Channel.WHATSAPP in channels:
        return Channel.WHATSAPP
    return None


def _applicable(applicant: Applicant, campaign: Campaign, now: datetime, days_left: int):  # type: ignore[no-untyped-def]
    rules = campaign.reminders
    status = applicant.status
    if status in NOT_SUBMITTED:
        tighter = sorted(n for n in rules.before_close_days if n >= days_left)
        if tighter:
            yield f"closing_{tighter[0]}"
    if _older(applicant.decided_at, rules.returned_days, now) and status is (
        RegistrationStatus.REJECTED
    ):
        yield "returned"
    if status is RegistrationStatus.DRAFT and applicant.started:
        if _older(applicant.changed_at, rules.incomplete_days, now):
            yield "incomplete"
    if not applicant.started and status in NOT_SUBMITTED:
        if _older(applicant.granted_at, rules.not_started_days, now):
            yield "not_started"
    if status in (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED):
        if not applicant.has_receipt and _older(applicant.submitted_at, rules.no_receipt_days, now):
            yield "no_receipt"


def _older(moment: datetime | None, days: int | None, now: datetime) -> bool:
    return moment is not None and days is not None and now - moment >= timedelta(days=days)


async def send_due(
    session: AsyncSession, campaign: Campaign, *, now: datetime, channels: set[Channel]
) -> list[Due]:
    """Record and queue (`queue_notice`) the reminders due at `now`; note who moved forward.

    The caller commits and then publishes the queued notices; a concurrent run that wrote
    the same reminder first makes this transaction fail on the unique key instead.
    """
    applicants = await load_applicants(session, campaign)
    due = select_due(applicants, campaign, now=now, channels=channels)
    for item in due:
        session.add(
            ReminderSent(
                grant_id=item.grant_id,
                campaign_year=campaign.year,
                rule=item.rule,
                channel=item.channel,
                sent_at=now,
                progress_before=item.progress,
            )
        )
        queue_notice(session, ReminderNotice(item.grant_id, item.rule))
    await session.flush()
    await note_progress(session, campaign, applicants, now=now)
    return due


async def note_progress(
    session: AsyncSession, campaign: Campaign, applicants: list[Applicant], *, now: datetime
) -> int:
    """Mark reminders of the last 48 hours whose applicant has moved forward since; count them."""
    progress = {a.grant_id: a.progress for a in applicants}
    rows = await session.scalars(
        select(ReminderSent).where(
            ReminderSent.campaign_year == campaign.year,
            ReminderSent.progressed_at.is_(None),
            ReminderSent.sent_at >= now - PROGRESS_WINDOW,
        )
    )
    moved = 0
    for row in rows:
        if progress.get(row.grant_id, -1) > row.progress_before:
            row.progressed_at = now
            moved += 1
    return moved


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:  # SQLite returns UTC without its zone
        return moment.replace(tzinfo=UTC)
    return moment
