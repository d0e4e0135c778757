"""What a scrape reads from the database: outbox backlog and registrations by status.

Both are one small aggregate query on indexed columns, computed when Prometheus asks (the same
answer from every replica), so no process keeps a gauge that could go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.whatsapp.bookkeeping import RESERVED
from storage.enums import Channel, MessageDirection
from storage.models import ChannelMessage, OutboxMessage, Registration
from storage.models.outbox import PENDING


@dataclass(frozen=True)
class Backlog:
    """Messages recorded for sending that no provider has taken yet."""

    channel: str
    depth: int
    oldest_age_seconds: float


async def outbox_backlog(session: AsyncSession, *, now: datetime | None = None) -> list[Backlog]:
    """Return the backlog of each messaging channel.

    Two kinds of rows wait: the outbox's pending messages (notices, and replies handed over;
    one still pending long is a provider refusing, or a sender gone), and WhatsApp's rows of
    `channel_messages` reserved before a Twilio call that has not been answered (a send stuck
    in retries, or one a process died in the middle of).
    """
    now = now or datetime.now(UTC)
    waiting: dict[Channel, tuple[int, datetime | None]] = {}
    pending = await session.execute(
        select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status == PENDING)
        .group_by(OutboxMessage.channel)
    )
    for channel, depth, oldest in pending:
        waiting[channel] = (int(depth), oldest)
    reserved, oldest_reserved = (
        await session.execute(
            select(func.count(), func.min(ChannelMessage.created_at)).where(
                ChannelMessage.channel == Channel.WHATSAPP,
                ChannelMessage.direction == MessageDirection.OUTBOUND,
                ChannelMessage.status == RESERVED,
            )
        )
    ).one()
    depth, oldest = waiting.get(Channel.WHATSAPP, (0, None))
    waiting[Channel.WHATSAPP] = (depth + int(reserved), _earliest(oldest, oldest_reserved))
    waiting.setdefault(Channel.TELEGRAM, (0, None))
    return [
        Backlog(channel=channel.value, depth=depth, oldest_age_seconds=_age(oldest, now))
        for channel, (depth, oldest) in sorted(waiting.items())
    ]


def _earliest(*moments: datetime | None) -> datetime | None:
    known = [_utc(m) for m in moments if m is not None]
    return min(known) if known else None


def _age(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - _utc(oldest)).total_seconds())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment  # SQLite: naive UTC


async def registrations_by_status(session: AsyncSession) -> dict[tuple[int, str], int]:
    """Return the number of registrations per (campaign year, status)."""
    rows = await session.execute(
        select(Registration.campaign_year, Registration.status, func.count()).group_by(
            Registration.campaign_year, Registration.status
        )
    )
    return {(year, str(status)): int(count) for year, status, count in rows}
