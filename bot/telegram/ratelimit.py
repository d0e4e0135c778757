"""Spacing outgoing calls: Telegram accepts about 30 messages/s per bot, from all replicas."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from storage.state import StateStore

MESSAGES_PER_SECOND = 30.0
BURST = 10
_EPSILON = 1e-9
_MIN_SLEEP = 0.001


class RateLimit(Protocol):
    """What the sender waits on before each message."""

    async def acquire(self) -> None:
        """Return once one more message may go out."""
        ...


class TokenBucket:
    """Lets `rate` calls per second through on average, `capacity` at once at most.

    Waiters are served in arrival order (an `asyncio.Lock` is fair), so one busy chat cannot
    starve the others. The bucket is per process; `SharedRateLimit` adds the replicas' total.
    """

    def __init__(
        self,
        *,
        rate: float = MESSAGES_PER_SECOND,
        capacity: int = BURST,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._updated = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one call may go out."""
        async with self._lock:
            while True:
                now = self._clock()
                elapsed = max(0.0, now - self._updated)
                self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
                self._updated = now
                if self._tokens >= 1 - _EPSILON:  # float sums land a hair below whole tokens
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep(max((1 - self._tokens) / self.rate, _MIN_SLEEP))


class SharedRateLimit:
    """At most `rate` calls in each wall-clock second, counted in the state store.

    With Redis the count is shared by every replica, so together they stay within what
    Telegram accepts from one bot. A local `TokenBucket` in front spreads each process's calls
    over the second instead of sending them all at its start. Replicas' clocks are kept by NTP;
    a skew of a few milliseconds moves calls between neighbouring seconds, nothing more.
    """

    def __init__(
        self,
        state: StateStore,
        *,
        key: str = "tg:rate",
        rate: int = int(MESSAGES_PER_SECOND),
        local: TokenBucket | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self._state = state
        self._key = key
        self._local = local or TokenBucket(rate=rate, sleep=sleep)
        self._clock = clock
        self._sleep = sleep

    async def acquire(self) -> None:
        """Wait until one call may go out, counting it against the shared second."""
        await self._local.acquire()
        while True:
            now = self._clock()
            second = int(now)
            if await self._state.incr(f"{self._key}:{second}", ttl=5) <= self.rate:
                return
            await self._sleep(max(second + 1 - now, _MIN_SLEEP))
