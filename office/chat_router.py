"""Which conversation a chat is in: an applicant's registration or an officer's review.

A chat linked to an officer goes to the review flow. An unlinked chat that proves a phone
(a shared own contact on Telegram, the sender's number on WhatsApp) belonging to an active
officer is linked to that officer; everything else is the registration conversation.

A chat linked to an applicant's grant stays in the registration: that answer is remembered in
the state store for a while, so the hot path does not open a database session twice per update
(the registration reads the chat again in its own transaction). Losing it costs one query.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from core.people import validate_phone
from core.validation import Accepted
from flows.events import ChatKey, Event
from flows.replies import Reply
from office.chat_review import ReviewFlow
from storage.database import Database
from storage.models import Officer
from storage.repositories.chats import get_chat
from storage.state import StateStore

APPLICANT_CHAT_TTL = 600.0  # seconds; bounds staleness if an officer deletes the grant


class Conversation(Protocol):
    """What a channel calls: `flows.engine.RegistrationFlow` has this shape."""

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        """Process one event for one chat and return the replies to send, in order."""
        ...


class ChatRouter:
    """A `Conversation` that sends each event to the registration or the review flow."""

    def __init__(
        self,
        *,
        registration: Conversation,
        review: ReviewFlow,
        database: Database,
        state: StateStore | None = None,
    ) -> None:
        self._registration = registration
        self._review = review
        self._database = database
        self._state = state

    async def handle(self, key: ChatKey, event: Event) -> list[Reply]:
        """Process one event of one chat in the conversation it belongs to."""
        applicant_key = f"route:applicant:{key.channel}:{key.chat_id}"
        if self._state is not None and await self._state.get(applicant_key):
            return await self._registration.handle(key, event)
        linked, officer_id = await self._officer_of(key, event)
        if officer_id is None:
            if linked and self._state is not None:
                await self._state.set(applicant_key, "1", ttl=APPLICANT_CHAT_TTL)
            return await self._registration.handle(key, event)
        return await self._review.handle(key, event, link=None if linked else officer_id)

    async def _officer_of(self, key: ChatKey, event: Event) -> tuple[bool, int | None]:
        """Return whether the chat is linked already, and the officer it belongs to.

        (True, id) for an officer's chat, (True, None) for an applicant's, (False, id or None)
        for a chat not linked yet (id: the officer whose phone it proves).
        """
        async with self._database.session() as session:
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
                select(Officer.id).where(
                    Officer.phone == checked.value, Officer.is_active.is_(True)
                )
            )
            return False, officer_id
