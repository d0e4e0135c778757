"""When a Twilio call may be repeated, and how long to wait before repeating it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from aiohttp import ClientConnectorError
from twilio.base.exceptions import TwilioRestException

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Backoff:
    """Bounded exponential backoff: `attempts` tries in all, waits doubling up to `max_delay`."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    sleep: Sleep = asyncio.sleep

    def delays(self) -> Iterator[float]:
        """Yield the wait before each retry (one fewer than `attempts`)."""
        for n in range(self.attempts - 1):
            yield min(self.base_delay * (2**n), self.max_delay)


def is_retryable(error: BaseException) -> bool:
    """Tell whether repeating the call cannot cause a second effect at Twilio.

    429 (rate limited) and 5xx answers mean Twilio did not act on the request; a refused
    connection never reached it. A timeout or a dropped connection may have reached it, so it
    is not retried: see `WhatsAppSender` for what happens then.
    """
    if isinstance(error, TwilioRestException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, ClientConnectorError)
