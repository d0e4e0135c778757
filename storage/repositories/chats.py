"""Chats on a messaging channel and the grant each is linked to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.enums import Channel
from storage.models import LinkedChat
from storage.repositories.turn_rows import remember_new_chat, remembered_chat


async def get_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat | None:
    read, chat = remembered_chat(session, channel, chat_id)
    if read:
        return chat  # read at the start of this turn (None: the chat has no row yet)
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
        remember_new_chat(session, chat)
    return chat


async def chosen_language(session: AsyncSession, channel: Channel, chat_id: str) -> str | None:
    """Return the language chosen in the chat (None: no row, or none chosen yet)."""
    read, chat = remembered_chat(session, channel, chat_id)
    if read:
        return chat.language if chat is not None else None
    return await session.scalar(
        select(LinkedChat.language).where(
            LinkedChat.channel == channel, LinkedChat.chat_id == chat_id
        )
    )
