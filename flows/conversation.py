"""What the turn runner drives: a conversation applied to one event inside the caller's turn.

The rule: **the caller holds the chat.** One runner (`bot.turns.TurnRunner`) takes the chat's
lock, opens the one transaction of the turn, records the channel's delivery id in it, and only
then calls a conversation; the conversation neither locks nor commits. Notices it queues on the
session (`flows.notifications.queue_notice`) are the runner's to send once it has committed.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from flows.events import ChatKey, Event
from flows.replies import Reply


class Conversation(Protocol):
    """The registration (`flows.engine.RegistrationFlow`), the officers' review, or a router."""

    async def respond(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Apply `event` to the chat `key` within `session` and return the replies, in order.

        The caller holds the chat and owns the transaction; exceptions propagate to it (it
        rolls back and answers politely).
        """
        ...

    async def resume(self, session: AsyncSession, key: ChatKey, event: Event) -> list[Reply]:
        """Return what the chat is being asked now, changing nothing.

        Answers a redelivery of a message that was applied already: the user sees the current
        question again instead of the message being applied twice.
        """
        ...
