"""What every messaging channel offers the application: one small interface.

A channel (Telegram, WhatsApp, a new one) is one package with one class implementing
`MessagingChannel`, plus one line in `bot.channels.FACTORIES`. The application mounts its
routes, starts it once the server listens, stops it at shutdown, and the outbox sender hands
it the messages the system sends on its own through `deliver`, which says what became of each
one instead of sleeping on retries itself: the outbox keeps the wait in its row.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from aiohttp import web

from flows.replies import Reply
from office.outbound import Outbound
from storage.enums import Channel


class Outcome(StrEnum):
    SENT = "sent"  # the provider accepted every part
    RETRY = "retry"  # not accepted now (429, 5xx, network): try again later
    FAILED = "failed"  # will never be accepted (blocked bot, invalid number, bad request)


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one outbound message.

    Attributes:
        outcome: sent, retry later, or failed for good.
        parts_sent: photos (and text) accepted so far, counted from the start of the message;
            a retry starts after them, so no photo is sent twice.
        retry_after: seconds the provider asked to wait (429), or None for the sender's own
            backoff (5xx, network).
        reason: why it was not sent: a short code officers read (e.g. "blocked",
            "twilio:63016"), never message text.
        unreachable: the chat itself cannot receive anything any more; it is marked so.

    """

    outcome: Outcome
    parts_sent: int = 0
    retry_after: float | None = None
    reason: str | None = None
    unreachable: bool = False

    @classmethod
    def sent(cls, parts: int) -> DeliveryResult:
        return cls(Outcome.SENT, parts_sent=parts)

    @classmethod
    def retry(cls, parts: int, reason: str, after: float | None = None) -> DeliveryResult:
        return cls(Outcome.RETRY, parts_sent=parts, retry_after=after, reason=reason)

    @classmethod
    def failed(cls, parts: int, reason: str, *, unreachable: bool = False) -> DeliveryResult:
        return cls(Outcome.FAILED, parts_sent=parts, reason=reason, unreachable=unreachable)


class MessagingChannel(ABC):
    """One messaging channel of the application."""

    name: Channel

    @abstractmethod
    def mount(self, app: web.Application) -> None:
        """Add the channel's routes (webhooks) to `app`, before the server starts."""

    @abstractmethod
    async def start(self) -> None:
        """Begin receiving (register a webhook, start polling); the server already listens."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop receiving, finish what was accepted, release the channel's connections."""

    @abstractmethod
    async def deliver(self, message: Outbound, *, parts_sent: int = 0) -> DeliveryResult:
        """Send `message` (its photos, then its text), skipping the first `parts_sent` parts.

        Paced by the channel's limit for the system's own messages; never sleeps on a retry.
        """


class HandOver(Protocol):
    """Stores a turn's replies a channel could not send, for the outbox to send later in order.

    The rule: replies are sent by the channel at once and never stored, except those the
    provider still refused for now (429/5xx) when the channel's own retries ran out, and,
    while such replies of the chat wait in the outbox, every later reply of that chat (behind
    them, in order: `bot.reply_order`).
    """

    async def __call__(
        self, channel: Channel, chat_id: str, replies: Sequence[Reply], *, key: str, language: str
    ) -> None: ...
