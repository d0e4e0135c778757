"""Which conversation a chat is in: an applicant's registration or an officer's review.

A chat linked to an officer goes to the review flow. An unlinked chat that proves a phone
(a shared own contact on Telegram, the sender's number on WhatsApp) belonging to an active
officer is linked to that officer; everything else is the registration conversation.

The router runs inside the turn's own transaction (the caller holds the chat), so deciding
costs no session of its own: the chat row it reads is the one the conversation then works on.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.people import validate_phone
from core.validation import Accepted
from flows.conversation import Conversation
from flows.events import ChatKey, Event
from flows.replies import Reply
from office.chat_review import ReviewFlow
from storage.models import Officer
from storage.repositories.chats import get_chat


class ChatRouter:
    """A `Conversation` that sends each event to the registration or the review flow."""

    def __init__(self, *, registration: Conversation, review: ReviewFlow) -> None:
        self._registration = registration
        self._review = review

    async def respond(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Apply one event of one chat in the conversation it belongs to."""
        linked, officer_id = await self._officer_of(session, key, event)
        if officer_id is None:
            return await self._registration.respond(session, key, event)
        link = None if linked else officer_id
        return await self._review.respond(session, key, event, link=link)

    async def resume(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Return the current question of the conversation the chat is in."""
        chat = await get_chat(session, key.channel, key.chat_id)
        if chat is not None and chat.officer_id is not None:
            return await self._review.resume(session, key, event)
        return await self._registration.resume(session, key, event)

    async def _officer_of(
        self, session: AsyncSession, key: ChatKey, event: Event
    ) -> tuple[bool, int | None]:
        """Return whether the chat is linked already, and the officer it belongs to.

        (True, id) for an officer's chat, (True, None) for an applicant's, (False, id or None)
        for a chat not linked yet (id: the officer whose phone it proves).
        """
        chat = await get_chat(session, key.channel, key.chat_id)
        if chat is not None and chat.officer_id is not None:
            return True, chat.officer_id
        if chat is not None and chat.grant_id is not None:
            return True, None
        phone = event.phone if event.kind == "contact" else event.verified_phone
        checked = validate_phone(phone) if phone else None
        if not isinstance(checked, Accepted):
            return False, None
        officer_id = await session.scalar(
            select(Officer.id).where(Officer.phone == checked.value, Officer.is_active.is_(True))
        )
        return False, officer_id
