"""The pace of notices on WhatsApp: the system's own sends share one rate across replicas.

A WhatsApp number has a limited throughput at Twilio (messages per second beyond it wait in
Twilio's queue). An announcement to a whole district must not fill that queue ahead of the
replies applicants are waiting for, so notices go at WHATSAPP_NOTICE_RATE per second, counted
in Redis by every replica when Redis is configured, else by this process alone. Replies are
sent by the channel itself (`bot.whatsapp.channel`) and never wait here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.telegram.ratelimit import RateLimit, SharedRateLimit, TokenBucket
from storage.state import StateStore

KEY = "wa:notice-rate"


def notice_rate_limit(
    state: StateStore,
    *,
    rate: int,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> RateLimit:
    """Return the limit WhatsApp notices wait on: `rate` a second, evenly spaced.

    The local bucket holds a single token, so a burst leaves one message every 1/`rate`
    seconds rather than a second's worth at once; with Redis, the per-second count is shared.
    """
    from storage.state.redis import RedisStateStore

    local = TokenBucket(rate=rate, capacity=1, clock=monotonic, sleep=sleep)
    if isinstance(state, RedisStateStore):
        return SharedRateLimit(state, key=KEY, rate=rate, local=local, clock=clock, sleep=sleep)
    return local
