"""Login throttling: too many failed logins for one phone or from one address are refused.

Every attempt is counted (one atomic increment per counter) *before* the password is checked,
so that logins sent at once cannot all slip under the limit while none has failed yet; a
successful login then gives its attempt back (and clears the phone's count). Counters live in
the state store (Redis in production, so every replica sees them) and expire fifteen minutes
after the first attempt; the refusal says when the officer may try again. Keys hold keyed
hashes, never a phone number or an address in clear.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiohttp import web

from storage.credentials import SecretBox
from storage.state import StateStore

PHONE_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int


class LoginThrottle:
    """Counts failed logins per phone and per client address within a window."""

    def __init__(
        self,
        state: StateStore,
        secret_box: SecretBox,
        *,
        phone_limit: int = PHONE_LIMIT,
        address_limit: int = ADDRESS_LIMIT,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        self._state = state
        self._box = secret_box
        self._phone_limit = phone_limit
        self._address_limit = address_limit
        self._window = window_seconds

    def _counters(self, phone: str, address: str) -> list[_Counter]:
        return [
            _Counter(f"web:login:phone:{self._box.keyed_hash(phone)}", self._phone_limit),
            _Counter(f"web:login:addr:{self._box.keyed_hash(address)}", self._address_limit),
        ]

    async def attempt(self, *, phone: str, address: str) -> float | None:
        """Count one login attempt; return when logins may resume if it is one too many.

        None means: go on and check the password. The count is taken before the check, so
        of N attempts sent at once only the limit's worth are ever checked.
        """
        retry_at: float | None = None
        for counter in self._counters(phone, address):
            # The window starts at the first attempt, so the retry time shown stays true.
            await self._state.set_if_absent(
                counter.key + ":since", str(time.time()), ttl=self._window
            )
            count = await self._state.incr(counter.key, ttl=self._window)
            if count > counter.limit:
                since = await self._state.get(counter.key + ":since")
                until = (float(since) if since else time.time()) + self._window
                retry_at = max(retry_at or 0.0, until)
        return retry_at

    async def succeeded(self, *, phone: str, address: str) -> None:
        """Forget the phone's attempts and give the address back the one that succeeded."""
        phone_counter, address_counter = self._counters(phone, address)
        await self._state.delete(phone_counter.key)
        await self._state.delete(phone_counter.key + ":since")
        await self._state.incr(address_counter.key, ttl=self._window, amount=-1)


def client_address(request: web.Request, *, trusted_proxy_hops: int) -> str:
    """Return the address a login comes from, for throttling.

    Behind `trusted_proxy_hops` reverse proxies, each appends the address it saw to
    X-Forwarded-For; the entry that many places from the right was written by our own proxy
    and cannot be forged by the client. With no trusted proxy the header is ignored.
    """
    if trusted_proxy_hops > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getall("X-Forwarded-For", [])
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted_proxy_hops:
            return forwarded[-trusted_proxy_hops]
    return request.remote or "unknown"
