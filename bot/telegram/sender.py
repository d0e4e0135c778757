"""Outbound calls to the Bot API: rate-limited, retried when Telegram asks, never sent twice.

Two ways out, sharing one bot: the sender the channel is built with waits on the shared
message rate (30 messages/s per bot, all replicas together) before each message, and is the
one for what the system sends on its own (notices, reminders, announcements, credentials);
`for_replies()` sends at once, for the answer to what a user has just sent: a person waiting
for the next question is never queued behind a broadcast. Both honour Telegram's 429.

- 429 `retry_after`: wait as long as Telegram says, then try again (bounded).
- 5xx and connection failures: retry with exponential backoff a bounded number of times. A
  *send* that timed out is not retried: Telegram may have delivered it, and a duplicate
  message is worse than a missing one the user can ask for again.
- 403 (the user blocked the bot): recorded through `on_blocked`, never retried.
- 400 (a bad request, e.g. "message is not modified") is the caller's to handle: raised.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiohttp import ClientConnectorError

from bot.metrics import sent
from bot.telegram.ratelimit import RateLimit, TokenBucket
from storage.enums import Channel

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_ATTEMPTS = 5
MAX_RETRY_AFTER = 60.0  # a longer flood wait means a problem no user should sit through
BACKOFF_BASE = 0.5
# Calls that put something in front of the user; only these count against the message rate.
_MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)

# Most specific first: TelegramEntityTooLarge is a TelegramNetworkError.
_RESULT_LABELS: tuple[tuple[type[Exception], str], ...] = (
    (TelegramRetryAfter, "429"),
    (TelegramForbiddenError, "403"),
    (TelegramEntityTooLarge, "413"),
    (TelegramBadRequest, "400"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
)


class TelegramSender:
    """Sends Bot API methods for the channel; one per bot, shared by every chat."""

    def __init__(
        self,
        bot: Bot,
        *,
        on_blocked: Callable[[int], Awaitable[None]] | None = None,
        bucket: RateLimit | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self._on_blocked = on_blocked
        self._bucket: RateLimit | None = bucket or TokenBucket(sleep=sleep)
        self._max_attempts = max_attempts
        self._sleep = sleep

    def for_replies(self) -> TelegramSender:
        """Return this sender without the message rate limit, for replies to a user's message.

        A reply answers one update of one person, so replies grow only with the people writing;
        Telegram still answers 429 with `retry_after` if they ever exceed what it accepts, and
        that wait is honoured as for any call.
        """
        replies = copy.copy(self)
        replies._bucket = None
        return replies

    async def call(self, method: TelegramMethod[T], *, chat_id: int | None = None) -> T | None:
        """Send `method`; return its result, or None when it could not be delivered.

        Undeliverable calls (blocked bot, retries exhausted) are logged and recorded here, so
        callers only stop sending to that chat. A 400 Bad Request is raised to the caller.

        Args:
            method: the aiogram method object, e.g. ``SendMessage(...)``.
            chat_id: the chat it goes to, for the blocked-bot record.

        """
        name = method.__api_method__
        for attempt in range(1, self._max_attempts + 1):
            if self._bucket is not None and name in _MESSAGE_METHODS:
                await self._bucket.acquire()
            try:
                return await self._counted(method, name)
            except TelegramBadRequest:
                raise
            except TelegramRetryAfter as exc:
                if exc.retry_after > MAX_RETRY_AFTER or attempt == self._max_attempts:
                    log.warning("%s: gave up after retry_after=%s", name, exc.retry_after)
                    return None
                log.info("%s: Telegram asks to wait %s s", name, exc.retry_after)
                await self._sleep(exc.retry_after)
            except TelegramForbiddenError:
                log.info("%s: the user blocked the bot (or the chat is gone)", name)
                if chat_id is not None and self._on_blocked is not None:
                    await self._on_blocked(chat_id)
                return None
            except TelegramEntityTooLarge:
                log.warning("%s: request too large, not retried", name)
                return None
            except (TelegramServerError, TelegramNetworkError) as exc:
                if not _may_retry(name, exc) or attempt == self._max_attempts:
                    log.warning("%s: not delivered (%s)", name, type(exc).__name__)
                    return None
                delay = BACKOFF_BASE * 2 ** (attempt - 1) * (1 + random.random() / 2)
                log.info("%s: %s, retrying in %.1f s", name, type(exc).__name__, delay)
                await self._sleep(delay)
        return None

    async def _counted(self, method: TelegramMethod[T], name: str) -> T:
        if name not in _MESSAGE_METHODS:
            return await self.bot(method)
        try:
            result = await self.bot(method)
        except Exception as exc:
            sent(Channel.TELEGRAM, _result_label(exc))
            raise
        sent(Channel.TELEGRAM, "ok")
        return result


def _result_label(exc: Exception) -> str:
    """Telegram's HTTP-like error code of a failed call, or what kind of failure it was."""
    for kind, label in _RESULT_LABELS:
        if isinstance(exc, kind):
            return label
    return "error"


def _may_retry(method_name: str, exc: Exception) -> bool:
    """Whether repeating the call cannot make the user see a message twice."""
    if isinstance(exc, TelegramServerError) or not method_name.startswith("send"):
        return True
    # The request never left: connecting failed. Anything later may have been delivered.
    return isinstance(exc.__cause__, ClientConnectorError)
