"""The pace of the system's own messages: shared by the replicas when Redis is configured.

Notices, reminders and announcements go out through the outbox sender; each channel waits
on its limit before every provider message. Telegram takes about 30 messages a second from
one bot; a WhatsApp number has a limited throughput at Twilio (messages beyond it wait in
Twilio's queue), so an announcement to a whole district must not fill that queue ahead of the
replies applicants are waiting for: WhatsApp notices go at WHATSAPP_NOTICE_RATE a second.
Replies to an applicant's own message are sent by the channel itself and never wait here.

With Redis (`shared`), every replica counts against the same second; without it, the process
is the only sender and its own bucket is the whole rate. The local bucket holds one token, so
a burst leaves one message every 1/rate seconds rather than a second's worth at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.telegram.ratelimit import MESSAGES_PER_SECOND, RateLimit, SharedRateLimit, TokenBucket
from storage.state import StateStore

KEY = "wa:notice-rate"
TELEGRAM_KEY = "tg:rate"  # the bot's one count, whatever else sends with it


def paced(
    state: StateStore,
    *,
    key: str,
    rate: int,
    shared: bool,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> RateLimit:
    """Return a limit of `rate` messages a second, evenly spaced, counted in `state` if `shared`."""
    local = TokenBucket(rate=rate, capacity=1, clock=monotonic, sleep=sleep)
    if shared:
        return SharedRateLimit(state, key=key, rate=rate, local=local, clock=clock, sleep=sleep)
    return local


def notice_rate_limit(
    state: StateStore,
    *,
    rate: int,
    shared: bool,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> RateLimit:
    """Return the limit WhatsApp notices wait on: `rate` a second."""
    return paced(
        state, key=KEY, rate=rate, shared=shared, clock=clock, monotonic=monotonic, sleep=sleep
    )


def telegram_notice_limit(state: StateStore, *, shared: bool) -> RateLimit:
    """Return the limit Telegram notices wait on: the bot's 30 messages a second."""
    return paced(state, key=TELEGRAM_KEY, rate=int(MESSAGES_PER_SECOND), shared=shared)
