"""A token bucket that spaces outgoing calls (Telegram accepts about 30 messages/s per bot)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

MESSAGES_PER_SECOND = 30.0
BURST = 10
_EPSILON = 1e-9
_MIN_SLEEP = 0.001


class TokenBucket:
    """Lets `rate` calls per second through on average, `capacity` at once at most.

    Waiters are served in arrival order (an `asyncio.Lock` is fair), so one busy chat cannot
    starve the others. The bucket is per process: with several replicas, each gets its own.
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
