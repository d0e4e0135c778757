"""What became of an announcement's messages: sent, delivered, failed, blocked, queued.

A recipient's row says whether the channel took the message ("sent") or refused it
("failed"). What happened next differs by channel:

- Telegram gives no delivery receipts: a message the Bot API accepted is in the chat, so
  every sent Telegram message counts as delivered.
- WhatsApp: Twilio's status callbacks update the message's outbox row (`channel_messages`,
  found by the recipient's `message_key`); "delivered" or "read" counts as delivered,
  "failed" or "undelivered" as failed. Until a callback comes it is only sent.

"sent" counts every message a channel took, so delivered ≤ sent, and a WhatsApp message
Twilio took but could not deliver is in both sent and failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from access.scope import Scope
from config.campaign import Campaign
from storage.enums import Channel
from storage.models import (
    Announcement,
    AnnouncementRecipient,
    ChannelMessage,
    LinkedChat,
    Officer,
)

FIGURES = ("recipients", "sent", "delivered", "failed", "blocked", "queued")
# Twilio's final statuses of a message it took (the ladder is in bot.whatsapp.bookkeeping).
REACHED = frozenset({"delivered", "read"})
NOT_REACHED = frozenset({"failed", "undelivered", "canceled"})


@dataclass
class Sent:
    """An announcement as its page shows it, with what became of its messages."""

    announcement: Announcement
    figures: dict[str, int]


def count_into(
    figures: dict[str, int], channel: Channel, status: str, provider_status: str | None, n: int
) -> None:
    """Add `n` recipients whose row says `status` and whose outbox row says `provider_status`."""
    figures["recipients"] += n
    if status == "queued":
        figures["queued"] += n
    elif status == "failed":
        figures["failed"] += n
    elif status == "sent":
        figures["sent"] += n
        if channel is Channel.TELEGRAM or provider_status in REACHED:
            figures["delivered"] += n
        elif channel is Channel.WHATSAPP and provider_status in NOT_REACHED:
            figures["failed"] += n


async def sent_announcements(
    session: AsyncSession, *, actor: Officer, campaign: Campaign, limit: int = 20
) -> list[Sent]:
    """Return the newest announcements the officer may see, with their delivery figures.

    Figures: recipients, sent (a channel took it), delivered, failed (refused, or reported
    undelivered), blocked (the chat has since blocked the bot), queued (not yet handed over).
    """
    scope = Scope.of(actor)
    stmt = select(Announcement).where(Announcement.campaign_year == campaign.year)
    if scope.is_district:
        stmt = stmt.where(Announcement.district_id == scope.district_id)
    elif scope.is_school:
        stmt = stmt.where(Announcement.author_id == actor.id)
    rows = list(await session.scalars(stmt.order_by(Announcement.id.desc()).limit(limit)))
    if not rows:
        return []
    ids = [a.id for a in rows]
    recipient = AnnouncementRecipient
    # Grouped in the database: an announcement to everyone has tens of thousands of rows.
    counted = await session.execute(
        select(
            recipient.announcement_id,
            recipient.channel,
            recipient.status,
            ChannelMessage.status,
            func.count(),
        )
        .outerjoin(
            ChannelMessage,
            and_(
                recipient.channel == Channel.WHATSAPP,
                ChannelMessage.idempotency_key == recipient.message_key,
            ),
        )
        .where(recipient.announcement_id.in_(ids))
        .group_by(
            recipient.announcement_id, recipient.channel, recipient.status, ChannelMessage.status
        )
    )
    blocked = await session.execute(
        select(recipient.announcement_id, func.count(func.distinct(LinkedChat.id)))
        .join(LinkedChat, LinkedChat.grant_id == recipient.grant_id)
        .where(
            recipient.announcement_id.in_(ids),
            LinkedChat.channel == recipient.channel,
            LinkedChat.blocked_at.is_not(None),
        )
        .group_by(recipient.announcement_id)
    )
    figures = {a.id: dict.fromkeys(FIGURES, 0) for a in rows}
    for announcement_id, channel, status, provider_status, n in counted.all():
        count_into(figures[announcement_id], channel, status, provider_status, int(n))
    for announcement_id, n in blocked.all():
        figures[announcement_id]["blocked"] = int(n)
    return [Sent(a, figures[a.id]) for a in rows]
