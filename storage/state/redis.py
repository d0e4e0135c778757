"""Redis state, shared by every replica."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager

from redis.asyncio import BlockingConnectionPool, Redis

from storage.state.base import StateStore


class RedisStateStore(StateStore):
    def __init__(self, redis: Redis, *, prefix: str = "ortbot:") -> None:
        self.redis = redis
        self.prefix = prefix

    @classmethod
    def from_url(
        cls, url: str, *, prefix: str = "ortbot:", max_connections: int = 64
    ) -> RedisStateStore:
        # The default pool raises past its limit under bursts; a blocking pool waits instead.
        pool = BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=10, decode_responses=True
        )
        return cls(Redis(connection_pool=pool), prefix=prefix)

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def get(self, key: str) -> str | None:
        return await self.redis.get(self._k(key))

    async def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        await self.redis.set(self._k(key), value, px=int(ttl * 1000) if ttl else None)

    async def set_if_absent(self, key: str, value: str, *, ttl: float) -> bool:
        return bool(await self.redis.set(self._k(key), value, px=int(ttl * 1000), nx=True))

    async def delete(self, key: str) -> None:
        await self.redis.delete(self._k(key))

    async def incr(self, key: str, *, ttl: float, amount: int = 1) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incrby(self._k(key), amount)
            pipe.pexpire(self._k(key), int(ttl * 1000), nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def get_map(self, key: str) -> dict[str, str]:
        return await self.redis.hgetall(self._k(key))

    async def put_map(
        self, key: str, values: Mapping[str, str], *, remove: Collection[str] = (), ttl: float
    ) -> None:
        # One round trip: MULTI, HSET, HDEL, PEXPIRE, EXEC.
        async with self.redis.pipeline(transaction=True) as pipe:
            if values:
                pipe.hset(self._k(key), mapping=dict(values))
            if remove:
                pipe.hdel(self._k(key), *remove)
            pipe.pexpire(self._k(key), int(ttl * 1000))
            await pipe.execute()

    @asynccontextmanager
    async def lock(self, key: str, *, expires_after: float = 10.0) -> AsyncIterator[None]:
        # Short timeout: a killed holder blocks the chat only for seconds; poll often.
        lock = self.redis.lock(
            self._k(f"lock:{key}"),
            timeout=expires_after,
            sleep=0.01,
            blocking_timeout=expires_after * 2,
        )
        async with lock:
            yield

    async def close(self) -> None:
        await self.redis.aclose()
        await self.redis.connection_pool.disconnect()

    async def flush(self) -> None:
        """Delete every key under the prefix (tests simulate a lost Redis this way)."""
        async for key in self.redis.scan_iter(match=self.prefix + "*", count=500):
            await self.redis.delete(key)
