"""Rows of `channel_messages` for WhatsApp: outbound bookkeeping (inbound rows: `bot.turns`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.enums import Channel, MessageDirection
from storage.models import ChannelMessage

RESERVED = "reserved"  # recorded before the API call; Twilio has not (yet) accepted it
UNKNOWN = "unknown"  # the call timed out: Twilio may or may not have accepted it
FAILED = "failed"
PROBLEM_STATUSES = ("failed", "undelivered", UNKNOWN)
# Twilio's callbacks may arrive out of order; a status never moves back down this ladder.
_RANK = {
    RESERVED: 0,
    "accepted": 1,
    "scheduled": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "read": 6,
    "undelivered": 7,
    "failed": 7,
    "canceled": 7,
}


class MessageBookkeeping:
    """Reads and writes the WhatsApp rows of `channel_messages`."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def reserve(
        self, key: str, *, phone: str, purpose: str, template_sid: str | None
    ) -> ChannelMessage | None:
        """Record an outbound message before sending; None when `key` was already recorded."""
        try:
            async with self._database.session() as session:
                row = ChannelMessage(
                    channel=Channel.WHATSAPP,
                    direction=MessageDirection.OUTBOUND,
                    idempotency_key=key,
                    phone=phone,
                    purpose=purpose,
                    template_sid=template_sid,
                    status=RESERVED,
                    attempts=0,
                )
                session.add(row)
        except IntegrityError:
            return None
        return row

    async def release(self, row_id: int) -> None:
        """Forget the reserved row `row_id`: Twilio proved it did nothing, the key may be reused."""
        async with self._database.session() as session:
            await session.execute(
                delete(ChannelMessage).where(
                    ChannelMessage.id == row_id, ChannelMessage.status == RESERVED
                )
            )

    async def find(self, key: str) -> ChannelMessage | None:
        async with self._database.session() as session:
            return await session.scalar(
                select(ChannelMessage).where(ChannelMessage.idempotency_key == key)
            )

    async def finish(
        self,
        row_id: int,
        *,
        status: str,
        attempts: int,
        provider_sid: str | None = None,
        error_code: int | None = None,
    ) -> None:
        """Store the outcome of sending the reserved row `row_id`."""
        async with self._database.session() as session:
            await session.execute(
                update(ChannelMessage)
                .where(ChannelMessage.id == row_id)
                .values(
                    status=status,
                    attempts=attempts,
                    provider_sid=provider_sid,
                    error_code=error_code,
                )
            )

    async def update_status(self, message_sid: str, status: str, error_code: int | None) -> bool:
        """Apply a status callback; return False when the message is not ours."""
        async with self._database.session() as session:
            row = await session.scalar(
                select(ChannelMessage)
                .where(ChannelMessage.provider_sid == message_sid)
                .with_for_update()
            )
            if row is None:
                return False
            if _RANK.get(status, 0) >= _RANK.get(row.status, 0):
                row.status = status
            if error_code is not None:
                row.error_code = error_code
        return True

    async def problems(self, *, limit: int = 100) -> Sequence[ChannelMessage]:
        """Outbound messages that failed, were not delivered, or may not have been sent."""
        async with self._database.session() as session:
            rows = await session.scalars(
                select(ChannelMessage)
                .where(
                    ChannelMessage.channel == Channel.WHATSAPP,
                    ChannelMessage.direction == MessageDirection.OUTBOUND,
                    ChannelMessage.status.in_(PROBLEM_STATUSES),
                )
                .order_by(ChannelMessage.updated_at.desc(), ChannelMessage.id.desc())
                .limit(limit)
            )
            return list(rows)
