"""Delivery bookkeeping: remember on the LinkedChat that a user blocked (or unblocked) the bot.

Officers see `LinkedChat.blocked_at` and know that messages to that applicant are not arriving.
A chat with no LinkedChat row belongs to nobody yet, so there is nothing to record for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from storage.database import Database
from storage.enums import Channel
from storage.models.chats import LinkedChat


async def record_blocked(database: Database, chat_id: int, *, at: datetime | None = None) -> None:
    """Mark the Telegram chat `chat_id` as blocked (kept from the first failure on)."""
    async with database.session() as session:
        await session.execute(
            update(LinkedChat)
            .where(
                LinkedChat.channel == Channel.TELEGRAM,
                LinkedChat.chat_id == str(chat_id),
                LinkedChat.blocked_at.is_(None),
            )
            .values(blocked_at=at or datetime.now(UTC))
        )


async def record_unblocked(database: Database, chat_id: int) -> None:
    """Clear the blocked mark: the user restarted the bot."""
    async with database.session() as session:
        await session.execute(
            update(LinkedChat)
            .where(
                LinkedChat.channel == Channel.TELEGRAM,
                LinkedChat.chat_id == str(chat_id),
                LinkedChat.blocked_at.is_not(None),
            )
            .values(blocked_at=None)
        )
