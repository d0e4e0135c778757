"""Where document photos live: content-addressed by SHA-256."""

from __future__ import annotations

import abc
import hashlib


class FileStore(abc.ABC):
    """Stores bytes under their SHA-256; storing the same bytes twice keeps one copy."""

    @abc.abstractmethod
    async def put_bytes(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (its sha256 hex digest)."""

    @abc.abstractmethod
    async def get(self, key: str) -> bytes:
        """Return the bytes stored under `key`; raise FileNotFoundError when absent."""

    @abc.abstractmethod
    async def exists(self, key: str) -> bool:
        """Tell whether `key` is stored."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Remove `key`; absent keys are ignored."""

    async def put(self, data: bytes) -> str:
        """Store `data` and return its key."""
        key = hashlib.sha256(data).hexdigest()
        if not await self.exists(key):
            await self.put_bytes(key, data)
        return key
