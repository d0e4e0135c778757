"""Transient state: what may be lost without losing an answer (the draft is the state)."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from storage.state.held import HeldMap


class StateStore(abc.ABC):
    """Small values with expiry, counters, one-shot markers and per-key locks."""

    @abc.abstractmethod
    async def get(self, key: str) -> str | None:
        """Return the value under `key`, or None when absent or expired."""

    @abc.abstractmethod
    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Store `value`, expiring after `ttl` seconds when given."""

    @abc.abstractmethod
    async def set_if_absent(self, key: str, value: str, *, ttl: float) -> bool:
        """Store `value` only when `key` is absent; return whether it was stored."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Forget `key`."""

    @abc.abstractmethod
    async def incr(self, key: str, *, ttl: float, amount: int = 1) -> int:
        """Add `amount` to a counter atomically and return it; a new one expires after `ttl` s."""

    @abc.abstractmethod
    async def get_map(self, key: str) -> dict[str, str]:
        """Return every field of the map under `key` (empty when absent or expired)."""

    @abc.abstractmethod
    async def put_map(
        self, key: str, values: Mapping[str, str], *, remove: Collection[str] = (), ttl: float
    ) -> None:
        """Set `values` and drop `remove` in the map under `key`, in one step.

        The whole map expires `ttl` seconds after this write.
        """

    @abc.abstractmethod
    def lock(self, key: str, *, expires_after: float = 10.0) -> AbstractAsyncContextManager[None]:
        """Hold `key` exclusively; a holder that dies releases it after `expires_after` seconds."""

    @asynccontextmanager
    async def hold(
        self, key: str, *, map_key: str, expires_after: float = 10.0
    ) -> AsyncIterator[HeldMap]:
        """Hold `key` (as `lock`) with the map under `map_key` read; write the map on release.

        Reads of the map inside the hold answer from the copy read with the lock; writes are
        staged and written when the hold ends, before the release. A store that can do both
        in one round trip (Redis) overrides this.
        """

        async def write(changed: dict[str, str], removed: set[str], ttl: float) -> bool:
            await self.put_map(map_key, changed, remove=removed, ttl=ttl)
            return True

        async with self.lock(key, expires_after=expires_after):
            held = HeldMap(map_key, await self.get_map(map_key), write=write)
            try:
                yield held
            finally:
                if held.ttl is not None:
                    await self.put_map(map_key, held.changed, remove=held.removed, ttl=held.ttl)

    async def close(self) -> None:  # noqa: B027 - optional hook, nothing to release in memory
        """Release connections."""

    async def mark_once(self, key: str, *, ttl: float = 86400.0) -> bool:
        """Return True the first time `key` is seen within `ttl` seconds (de-duplication)."""
        return await self.set_if_absent(f"once:{key}", "1", ttl=ttl)
