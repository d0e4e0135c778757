"""Chats on a messaging channel and the grant each is linked to."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.conflict_insert import conflict_insert
from storage.enums import Channel
from storage.models import LinkedChat
from storage.repositories.turn_rows import remember_new_chat, remembered_chat


async def get_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat | None:
    read, chat = remembered_chat(session, channel, chat_id)
    if read:
        return chat  # read at the start of this turn (None: the chat has no row yet)
    return await session.scalar(_chat_row(channel, chat_id))


def _chat_row(channel: Channel, chat_id: str) -> Select[tuple[LinkedChat]]:
    return select(LinkedChat).where(LinkedChat.channel == channel, LinkedChat.chat_id == chat_id)


async def get_or_create_chat(session: AsyncSession, channel: Channel, chat_id: str) -> LinkedChat:
    """Return the chat's row, creating an unlinked one on first contact.

    Created with an insert that does nothing when the row exists: the same first message run
    twice at once (a replica whose chat lock expired, or a redelivery racing the first
    delivery) waits for the other's row and takes it, instead of failing on the unique key
    and apologizing to the applicant. Which of the two applies the message is then decided
    by the delivery's record, as for any message.
    """
    chat = await get_chat(session, channel, chat_id)
    if chat is None:
        insert = conflict_insert(session.bind.dialect.name)
        created = (
            insert(LinkedChat)
            .values(channel=channel, chat_id=chat_id)
            .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
            .returning(LinkedChat)
        )
        chat = await session.scalar(created)
        if chat is None:  # created meanwhile by the other run, committed before this insert
            chat = await session.scalar(_chat_row(channel, chat_id))
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
