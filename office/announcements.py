"""Announcements: an officer writes (ky and ru) to the applicants of their scope, by status.

The central admin reaches everyone, a district coordinator their district, a school
coordinator their school (`access.scope`). Applicants who wrote «STOP» and those no channel
can reach are left out; the preview counts recipients per channel before anything is sent.
Each recipient gets one `AnnouncementNotice` through the notice publisher, so sending goes
at the channels' shared rate limit; what became of each message is kept per recipient.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from access.audit import log_action
from access.scope import Scope
from config.campaign import Campaign
from flows.notifications import AnnouncementNotice, queue_notice
from office.reminders import Applicant, load_applicants, target_channel
from storage.enums import AuditFlag, Channel, RegistrationStatus
from storage.models import Announcement, AnnouncementRecipient, Officer

AUDIENCES = ("not_started", "draft", "returned", "no_receipt", "registered")
TEXT_LIMIT = 1000  # a WhatsApp template variable must stay well under 1,600 characters


def audience_of(applicant: Applicant) -> str | None:
    """Return the status filter the applicant falls under (None: submitted, under review)."""
    status = applicant.status
    if status in (None, RegistrationStatus.DRAFT) and not applicant.started:
        return "not_started"
    if status is RegistrationStatus.DRAFT:
        return "draft"
    if status is RegistrationStatus.REJECTED:
        return "returned"
    if status in (RegistrationStatus.SUBMITTED, RegistrationStatus.APPROVED):
        return None if applicant.has_receipt else "no_receipt"
    return "registered"


@dataclass(frozen=True)
class Recipient:
    grant_id: int
    channel: Channel


async def recipients(
    session: AsyncSession,
    *,
    actor: Officer,
    campaign: Campaign,
    statuses: set[str],
    channels: set[Channel],
) -> tuple[list[Recipient], int]:
    """Return who would receive it (and on which channel), and how many cannot be reached."""
    chosen = statuses & set(AUDIENCES)
    found, unreachable = [], 0
    for applicant in await load_applicants(session, campaign, scope=Scope.of(actor)):
        if audience_of(applicant) not in chosen:
            continue
        channel = target_channel(applicant, channels)
        if channel is None:
            unreachable += 1
        else:
            found.append(Recipient(applicant.grant_id, channel))
    return found, unreachable


def per_channel(found: list[Recipient]) -> dict[Channel, int]:
    counts = Counter(r.channel for r in found)
    return {channel: counts[channel] for channel in (Channel.TELEGRAM, Channel.WHATSAPP)}


async def send_announcement(
    session: AsyncSession,
    *,
    actor: Officer,
    campaign: Campaign,
    statuses: set[str],
    text_ky: str,
    text_ru: str,
    channels: set[Channel],
    now: datetime,
) -> Announcement:
    """Record the announcement and its recipients, queue one notice each, and audit it."""
    found, _ = await recipients(
        session, actor=actor, campaign=campaign, statuses=statuses, channels=channels
    )
    announcement = Announcement(
        campaign_year=campaign.year,
        author_id=actor.id,
        district_id=actor.district_id,
        school_id=actor.school_id,
        statuses=sorted(statuses & set(AUDIENCES)),
        text_ky=text_ky,
        text_ru=text_ru,
        created_at=now,
    )
    session.add(announcement)
    await session.flush()
    for recipient in found:
        notice = AnnouncementNotice(announcement.id, recipient.grant_id)
        session.add(
            AnnouncementRecipient(
                announcement_id=announcement.id,
                grant_id=recipient.grant_id,
                channel=recipient.channel,
                status="queued",
                message_key=notice.key,
            )
        )
        queue_notice(session, notice)
    counts = per_channel(found)
    await log_action(
        session,
        actor=actor,
        action="announcement.send",
        flag=AuditFlag.ADD,
        obj_type="announcement",
        obj_id=announcement.id,
        obj_repr=text_ky[:120],
        changes=[
            {"field": "statuses", "after": announcement.statuses},
            {"field": "telegram", "after": counts[Channel.TELEGRAM]},
            {"field": "whatsapp", "after": counts[Channel.WHATSAPP]},
        ],
        district_id=actor.district_id,
    )
    return announcement


async def record_delivery(session: AsyncSession, notice: AnnouncementNotice, sent: bool) -> None:
    """Note whether the channel took the recipient's message."""
    row = await session.scalar(
        select(AnnouncementRecipient).where(
            AnnouncementRecipient.announcement_id == notice.announcement_id,
            AnnouncementRecipient.grant_id == notice.grant_id,
        )
    )
    if row is not None and row.status == "queued":
        row.status = "sent" if sent else "failed"
