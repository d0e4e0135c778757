"""Redis state, shared by every replica."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import asynccontextmanager

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import LockError, LockNotOwnedError

from storage.state.base import StateStore
from storage.state.held import HeldMap

# Take the lock KEYS[1] with token ARGV[1] for ARGV[2] ms; when taken, answer the map KEYS[2]
# (a flat field/value list, empty when there is none); when held by another, answer nil.
_TAKE_AND_READ = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('hgetall', KEYS[2])
end
return false
"""
# If token ARGV[1] still holds the lock KEYS[1], write the map KEYS[2] and, when ARGV[2] is
# '1', release the lock: ARGV[4] field/value pairs follow, then the fields to remove; ARGV[3] is
# the map's expiry in ms ('' when nothing is written). Answers 1, or 0 when the lock was lost
# (nothing written).
_WRITE_HELD = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[3] ~= '' then
  local pairs = tonumber(ARGV[4])
  if pairs > 0 then
    redis.call('hset', KEYS[2], unpack(ARGV, 5, 4 + 2 * pairs))
  end
  if #ARGV > 4 + 2 * pairs then
    redis.call('hdel', KEYS[2], unpack(ARGV, 5 + 2 * pairs, #ARGV))
  end
  redis.call('pexpire', KEYS[2], ARGV[3])
end
if ARGV[2] == '1' then
  redis.call('del', KEYS[1])
end
return 1
"""
# Give the lock KEYS[1] ARGV[2] ms more if token ARGV[1] still holds it; answers 1, else 0.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
LOCK_POLL_SECONDS = 0.01  # a waiter retries this often: holders are short turns


class RedisStateStore(StateStore):
    def __init__(self, redis: Redis, *, prefix: str = "ortbot:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._take_and_read = redis.register_script(_TAKE_AND_READ)
        self._write_held = redis.register_script(_WRITE_HELD)
        self._renew = redis.register_script(_RENEW)

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

    @asynccontextmanager
    async def hold(
        self, key: str, *, map_key: str, expires_after: float = 10.0
    ) -> AsyncIterator[HeldMap]:
        # The same lock key and token scheme as `lock`, so the two exclude each other.
        lock_key, stored = self._k(f"lock:{key}"), self._k(map_key)
        token = uuid.uuid4().hex
        expires_ms = int(expires_after * 1000)
        give_up = time.monotonic() + expires_after * 2
        while True:
            fields = await self._take_and_read(keys=[lock_key, stored], args=[token, expires_ms])
            if fields is not None:
                break
            if time.monotonic() >= give_up:
                raise LockError("Unable to acquire lock within the time specified")
            await asyncio.sleep(LOCK_POLL_SECONDS)

        async def renew() -> bool:
            return bool(await self._renew(keys=[lock_key], args=[token, expires_ms]))

        async def write(
            changed: dict[str, str], removed: set[str], ttl: float | None, *, release: bool
        ) -> bool:
            args: list[str | int] = [token, "1" if release else "0", "", 0]
            if ttl is not None:
                args = [token, "1" if release else "0", int(ttl * 1000), len(changed)]
                for name, value in changed.items():
                    args += [name, value]
                args += sorted(removed)
            return bool(await self._write_held(keys=[lock_key, stored], args=args))

        async def save(changed: dict[str, str], removed: set[str], ttl: float) -> bool:
            return await write(changed, removed, ttl, release=False)

        values = dict(zip(fields[::2], fields[1::2], strict=True))
        held = HeldMap(map_key, values, renew=renew, write=save)
        try:
            yield held
        finally:
            if not await write(held.changed, held.removed, held.ttl, release=True):
                raise LockNotOwnedError("Cannot release a lock that's no longer owned")

    async def close(self) -> None:
        await self.redis.aclose()
        await self.redis.connection_pool.disconnect()

    async def flush(self) -> None:
        """Delete every key under the prefix (tests simulate a lost Redis this way)."""
        async for key in self.redis.scan_iter(match=self.prefix + "*", count=500):
            await self.redis.delete(key)
