"""Chats on a messaging channel and the grant each is linked to."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.database import Database
from storage.enums import Channel
from storage.models import LinkedChat


async def get_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat | None:
    return await session.scalar(
        select(LinkedChat).where(LinkedChat.channel == channel, LinkedChat.chat_id == chat_id)
    )


async def get_or_create_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat:
    """Return the chat's row, creating an unlinked one on first contact."""
    chat = await get_chat(session, channel, chat_id)
    if chat is None:
        chat = LinkedChat(channel=channel, chat_id=chat_id)
        session.add(chat)
        await session.flush()
    return chat


async def chats_of_grant(session: AsyncSession, grant_id: int) -> list[LinkedChat]:
    """Return every chat linked to a grant (an applicant may use Telegram and WhatsApp)."""
    rows = await session.scalars(select(LinkedChat).where(LinkedChat.grant_id == grant_id))
    return list(rows)


async def mark_blocked(
    database: Database, channel: Channel, chat_id: str, *, blocked: bool = True
) -> None:
    """Record that the user blocked the bot (sending fails), or that they came back.

    Channels call this from their sender; it is the only row a channel writes itself.
    """
    async with database.session() as session:
        await session.execute(
            update(LinkedChat)
            .where(LinkedChat.channel == channel, LinkedChat.chat_id == chat_id)
            .values(blocked_at=datetime.now(UTC) if blocked else None)
        )
