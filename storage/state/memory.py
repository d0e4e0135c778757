"""In-process state for a single process (the embedded default and the tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager

from storage.state.base import StateStore


class MemoryStateStore(StateStore):
    def __init__(self) -> None:
        self._values: dict[str, tuple[str, float | None]] = {}
        self._maps: dict[str, tuple[dict[str, str], float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiters: dict[str, int] = {}

    def _alive(self, key: str) -> str | None:
        item = self._values.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._values[key]
            return None
        return value

    async def get(self, key: str) -> str | None:
        return self._alive(key)

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        self._values[key] = (value, time.monotonic() + ttl if ttl else None)

    async def set_if_absent(self, key: str, value: str, *, ttl: float) -> bool:
        if self._alive(key) is not None:
            return False
        await self.set(key, value, ttl=ttl)
        return True

    async def delete(self, key: str) -> None:
        self._values.pop(key, None)

    async def incr(self, key: str, *, ttl: float, amount: int = 1) -> int:
        # No await inside: atomic on the event loop, like Redis INCRBY.
        current = self._alive(key)
        if current is None:
            self._values[key] = (str(amount), time.monotonic() + ttl)
            return amount
        value = int(current) + amount
        self._values[key] = (str(value), self._values[key][1])
        return value

    async def get_map(self, key: str) -> dict[str, str]:
        item = self._maps.get(key)
        if item is None or item[1] <= time.monotonic():
            self._maps.pop(key, None)
            return {}
        return dict(item[0])

    async def put_map(
        self, key: str, values: Mapping[str, str], *, remove: Collection[str] = (), ttl: float
    ) -> None:
        fields = await self.get_map(key)
        fields.update(values)
        for name in remove:
            fields.pop(name, None)
        if fields:
            self._maps[key] = (fields, time.monotonic() + ttl)
        else:
            self._maps.pop(key, None)

    @asynccontextmanager
    async def lock(self, key: str, *, expires_after: float = 10.0) -> AsyncIterator[None]:
        # In one process a crashed holder cannot outlive the lock, so `expires_after` is not needed.
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiters[key] = self._waiters.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[key] -= 1
            if not self._waiters[key]:
                del self._waiters[key]
                self._locks.pop(key, None)

    async def flush(self) -> None:
        """Forget everything (tests simulate a lost state this way)."""
        self._values.clear()
        self._maps.clear()
