"""What a scrape reads from the database: outbox backlog and registrations by status.

Both are one small aggregate query on indexed columns, computed when Prometheus asks (the same
answer from every replica), so no process keeps a gauge that could go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.whatsapp.outbox import RESERVED
from storage.enums import Channel, MessageDirection
from storage.models import ChannelMessage, Registration


@dataclass(frozen=True)
class Backlog:
    """Messages recorded for sending that no provider has taken yet."""

    channel: str
    depth: int
    oldest_age_seconds: float


async def outbox_backlog(session: AsyncSession, *, now: datetime | None = None) -> list[Backlog]:
    """Return the backlog of every outbox.

    Today the only outbox is WhatsApp's rows of `channel_messages`: a row is reserved before
    the Twilio call and leaves `reserved` once Twilio answers. A reserved row that grows old is
    a send stuck in retries, or one a process died in the middle of. Telegram replies are sent
    at once and keep no outbox. A general outbox joins here, one `Backlog` per channel.
    """
    now = now or datetime.now(UTC)
    depth, oldest = (
        await session.execute(
            select(func.count(), func.min(ChannelMessage.created_at)).where(
                ChannelMessage.channel == Channel.WHATSAPP,
                ChannelMessage.direction == MessageDirection.OUTBOUND,
                ChannelMessage.status == RESERVED,
            )
        )
    ).one()
    age = 0.0
    if oldest is not None:
        if oldest.tzinfo is None:  # SQLite gives back naive UTC
            oldest = oldest.replace(tzinfo=UTC)
        age = max(0.0, (now - oldest).total_seconds())
    return [Backlog(channel=Channel.WHATSAPP.value, depth=int(depth), oldest_age_seconds=age)]


async def registrations_by_status(session: AsyncSession) -> dict[tuple[int, str], int]:
    """Return the number of registrations per (campaign year, status)."""
    rows = await session.execute(
        select(Registration.campaign_year, Registration.status, func.count()).group_by(
            Registration.campaign_year, Registration.status
        )
    )
    return {(year, str(status)): int(count) for year, status, count in rows}
